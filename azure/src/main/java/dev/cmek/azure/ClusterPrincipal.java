package dev.cmek.azure;

import dev.cmek.core.Change;
import dev.cmek.core.Change.Action;
import java.util.Optional;

/**
 * The cluster app's service principal in the customer's tenant: found by appId, or created (what an administrator's
 * consent would make). A caller that may not create it gets {@link ConsentRequiredException} before anything else is
 * changed, with the URL an administrator opens.
 */
final class ClusterPrincipal {
    /** The principal (empty in a plan that would create it) and what was done about it. */
    record Outcome(Optional<ServicePrincipals.Principal> principal, Change change) {}

    private final AzureClients clients;
    private final ServicePrincipals principals;

    ClusterPrincipal(AzureClients clients, ServicePrincipals principals) {
        this.clients = clients;
        this.principals = principals;
    }

    /** @param found the principal as read; {@code apply}: create it when absent (the caller's first write) */
    Outcome ensure(AzureCmekRequest req, boolean apply, Optional<ServicePrincipals.Principal> found) {
        String resource = ServicePrincipals.resource(req.clusterAppId());
        if (found.isPresent()) {
            ServicePrincipals.Principal p = found.get();
            if (!p.accountEnabled()) {
                return new Outcome(
                        found,
                        change(
                                resource,
                                Action.DRIFTED,
                                p.describe() + " has sign-in disabled (after a revocation?): CockroachDB cannot use the"
                                        + " keys until `cmek restore` enables it"));
            }
            return new Outcome(found, change(resource, Action.UNCHANGED, p.describe()));
        }
        if (!apply) {
            GraphPermissions.Verdict may = GraphPermissions.mayCreateServicePrincipals(clients);
            if (may == GraphPermissions.Verdict.MAY_NOT) {
                throw new ConsentRequiredException(
                        req.tenantId(),
                        req.clusterAppId(),
                        "its Graph token holds no Application.ReadWrite permission");
            }
            return new Outcome(
                    Optional.empty(),
                    change(
                            resource,
                            Action.WOULD_CREATE,
                            may == GraphPermissions.Verdict.MAY
                                    ? "for CockroachDB's app " + req.clusterAppId()
                                    : "for CockroachDB's app " + req.clusterAppId()
                                            + " (needs Application.ReadWrite.All,"
                                            + " else an administrator consents at "
                                            + ConsentRequiredException.consentUrl(req.tenantId(), req.clusterAppId())
                                            + ")"));
        }
        ServicePrincipals.Principal made = principals.create(req.tenantId(), req.clusterAppId());
        return new Outcome(Optional.of(made), change(resource, Action.CREATED, made.describe()));
    }

    private static Change change(String resource, Action action, String detail) {
        return new Change(AzureResource.SERVICE_PRINCIPAL, resource, null, action, detail);
    }
}
