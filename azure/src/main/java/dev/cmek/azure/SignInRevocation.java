package dev.cmek.azure;

import dev.cmek.core.Fate;
import dev.cmek.core.RevocationLedger;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The master switch of an Azure revocation: the cluster app's service principal may no longer sign in
 * ({@code accountEnabled: false}), so Entra ID issues CockroachDB no new token for the customer's tenant, whatever it
 * holds (https://learn.microsoft.com/graph/api/resources/serviceprincipal: "true if the service principal account is
 * enabled"). Tokens already issued last until they expire (about an hour), which is why the role assignments go too.
 * Read, its intent kept, written first and alone; never thrown: what cannot be done is LEFT with what to do.
 */
final class SignInRevocation {
    private final ServicePrincipals principals;
    private final RevocationRequest request;
    private final RevocationLedger<RevocationRecord.Intent> ledger;

    SignInRevocation(
            ServicePrincipals principals, RevocationRequest request, RevocationLedger<RevocationRecord.Intent> ledger) {
        this.principals = principals;
        this.request = request;
        this.ledger = ledger;
    }

    /** Where the switch is recorded when the cluster app is not known. */
    static final String UNKNOWN_APP = "the cluster app's service principal";

    void run(PrincipalLookup lookup, Supplier<String> tenant) {
        if (lookup.appId().isEmpty()) {
            outcome(
                    UNKNOWN_APP,
                    Fate.LEFT,
                    "the cluster app's client id is unknown (the Cloud API was not read and no vault tagged for the"
                            + " cluster names it): find the enterprise application \"CockroachDB Cloud - "
                            + request.clusterId() + "\" and disable its sign-in (az ad sp update --id <its appId> --set"
                            + " accountEnabled=false), or run the same command again with --azure-app-id and the"
                            + " cluster's azure_cluster_identity_client_id");
            return;
        }
        String appId = lookup.appId().get();
        String byApp = ServicePrincipals.resource(appId);
        if (lookup.failure() != null) {
            outcome(
                    byApp,
                    Fate.LEFT,
                    "cannot read it: " + lookup.failure().getMessage() + "; disable its sign-in" + " yourself: "
                            + command(appId));
            return;
        }
        if (!request.dryRun()) {
            // An earlier run of the same evidence that could not name or read the principal left the switch under
            // another resource than this run's: this run, which reads it, settles those, so a re-run can end complete.
            outcome(UNKNOWN_APP, Fate.ALREADY_ABSENT, "the cluster app is " + appId + ": " + byApp);
            lookup.principal()
                    .ifPresent(p -> outcome(
                            byApp,
                            Fate.ALREADY_ABSENT,
                            "read: servicePrincipals/" + p.id() + ", whose sign-in follows"));
        }
        if (lookup.principal().isEmpty()) {
            outcome(
                    byApp,
                    Fate.ALREADY_ABSENT,
                    "no service principal for app " + appId + " in the tenant: CockroachDB" + " cannot sign in to it");
            return;
        }
        ServicePrincipals.Principal p = lookup.principal().get();
        String resource = "servicePrincipals/" + p.id();
        if (!p.accountEnabled()) {
            outcome(resource, Fate.ALREADY_ABSENT, p.describe() + ": sign-in already disabled");
            return;
        }
        if (request.dryRun()) {
            outcome(resource, Fate.WOULD_REMOVE, "would disable the sign-in of " + p.describe());
            return;
        }
        ledger.intent(new RevocationRecord.Intent(
                RevocationRecord.Document.SERVICE_PRINCIPAL,
                resource,
                null,
                new RevocationRecord.SignIn(tenant.get(), p.id(), p.appId(), true),
                null,
                Instant.now()));
        try {
            principals.setAccountEnabled(p, false);
        } catch (AzureCmekException e) {
            if (!disabledNow(appId)) {
                outcome(
                        resource,
                        Fate.LEFT,
                        "cannot disable its sign-in: " + e.getMessage() + "; do it yourself: " + command(appId)
                                + " (its role assignments are removed all the same)");
                return;
            }
        }
        outcome(
                resource,
                Fate.REMOVED,
                p.describe()
                        + ": sign-in disabled, so Entra ID issues it no new token; tokens already issued last until"
                        + " they expire (about an hour)");
    }

    /** After a failed write: whether a fresh read shows the sign-in off (the write went through, its reply was lost). */
    private boolean disabledNow(String appId) {
        try {
            Optional<ServicePrincipals.Principal> again = principals.find(appId);
            return again.isPresent() && !again.get().accountEnabled();
        } catch (AzureCmekException e) {
            return false;
        }
    }

    private static String command(String appId) {
        return "az ad sp update --id " + appId + " --set accountEnabled=false";
    }

    private void outcome(String resource, Fate fate, String detail) {
        ledger.outcome(RevocationRecord.Document.SERVICE_PRINCIPAL, resource, null, fate, detail);
    }
}
