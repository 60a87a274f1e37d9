package dev.cmek.azure;

import dev.cmek.core.Control;
import dev.cmek.core.ControlResult;
import dev.cmek.core.Parallel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads the live principal, vaults, keys, rotation policies and role assignments, and reports each {@link Control}
 * with the evidence read just then and, for a failure, what fixes it. Role assignments are read around each key (at it,
 * and at its vault, resource group and subscription, which reach it too); management groups and deny assignments are
 * not read ({@link VerifyReport#notChecked()}).
 */
final class Verification {
    /** CIS Microsoft Azure Foundations Benchmark's wording, cited by the controls it covers. */
    static final String CIS_ROTATION = "CIS Azure: \"Ensure Automatic Key Rotation is Enabled within Azure Key Vault\"";

    static final String CIS_RECOVERABLE = "CIS Azure: \"Ensure the Key Vault is Recoverable\"";

    private final ServicePrincipals principals;
    private final Vaults vaults;
    private final VaultKeys keys;
    private final RoleAssignments assignments;

    Verification(ServicePrincipals principals, Vaults vaults, VaultKeys keys, RoleAssignments assignments) {
        this.principals = principals;
        this.vaults = vaults;
        this.keys = keys;
        this.assignments = assignments;
    }

    /** @param former keys CockroachDB used before for this cluster; empty: orphan keys are not looked for */
    VerifyReport verify(AzureCmekRequest req, Map<String, KeyUri> keysByRegion, Optional<Set<KeyUri>> former) {
        List<String> notChecked = Collections.synchronizedList(new ArrayList<>());
        Map<String, Optional<Vaults.Vault>> vaultCache = new ConcurrentHashMap<>();
        try (Parallel parallel = new Parallel("azure-verify")) {
            CompletableFuture<Optional<ServicePrincipals.Principal>> principal =
                    parallel.async(() -> principals.find(req.clusterAppId()));
            CompletableFuture<List<Vaults.Vault>> subscriptionVaults =
                    parallel.async(() -> vaults.inSubscription(req.subscriptionId()));
            Set<KeyUri> inUse = new LinkedHashSet<>();
            keysByRegion.values().forEach(k -> inUse.add(k.unversioned()));
            Map<String, CompletableFuture<VerifyReport.RegionControls>> regions = new LinkedHashMap<>();
            keysByRegion.forEach((region, key) -> regions.put(region, parallel.async(() -> {
                KeyControls check = new KeyControls(
                        vaults, keys, assignments, req, region, key, principal, () -> Parallel.get(subscriptionVaults));
                try {
                    return check.run(inUse, former, vaultCache);
                } catch (CallFailedException e) {
                    // A key the caller may not read is a failed control of its region, never a crash of the report;
                    // Azure out of reach is thrown.
                    if (e.failure() == CallFailedException.Failure.UNAVAILABLE) {
                        throw e;
                    }
                    return KeyControls.notRead(
                            region,
                            key,
                            "cannot check key " + key + ": " + e.getMessage(),
                            "give the caller Key Vault Crypto Officer (or Key Vault Reader and Reader) on the vault,"
                                    + " then run `cmek verify` again");
                }
            })));
            Parallel.joinAll(new ArrayList<>(regions.values()));
            Optional<ServicePrincipals.Principal> sp = Parallel.get(principal);
            notChecked.add("role assignments at management group scope and deny assignments (not read; they can reach"
                    + " the keys too)");
            notChecked.add("what custom roles allow (judged by role id only: a custom role for anyone at a key is"
                    + " reported)");
            List<VerifyReport.RegionControls> out = new ArrayList<>();
            regions.values().forEach(f -> out.add(Parallel.get(f)));
            return new VerifyReport(
                    sp.map(ServicePrincipals.Principal::id),
                    List.of(principalTrust(req, sp), externalId(req)),
                    out,
                    new ArrayList<>(new LinkedHashSet<>(notChecked)));
        }
    }

    private static ControlResult principalTrust(AzureCmekRequest req, Optional<ServicePrincipals.Principal> sp) {
        if (sp.isEmpty()) {
            return ControlResult.fail(
                    Control.PRINCIPAL_TRUST,
                    "no service principal for the cluster's app " + req.clusterAppId() + " in tenant " + req.tenantId(),
                    "`cmek provision` creates it (or an administrator consents at "
                            + ConsentRequiredException.consentUrl(req.tenantId(), req.clusterAppId()) + ")");
        }
        ServicePrincipals.Principal p = sp.get();
        List<String> findings = new ArrayList<>();
        if (!p.appId().equalsIgnoreCase(req.clusterAppId())) {
            findings.add("service principal " + p.describe() + " is for app " + p.appId() + ", not the cluster's "
                    + req.clusterAppId());
        }
        if (!p.accountEnabled()) {
            findings.add("service principal " + p.describe() + " may not sign in (accountEnabled false: a"
                    + " revocation?)");
        }
        return ControlResult.of(
                Control.PRINCIPAL_TRUST,
                findings,
                "service principal " + p.describe() + " of the cluster's app " + req.clusterAppId() + " exists and may"
                        + " sign in",
                "after a revocation, `cmek restore` enables it again; otherwise: az ad sp update --id "
                        + req.clusterAppId() + " --set accountEnabled=true");
    }

    private static ControlResult externalId(AzureCmekRequest req) {
        return ControlResult.notApplicable(
                Control.EXTERNAL_ID,
                "Azure has no external id: CockroachDB signs in to your tenant as its own app for the cluster ("
                        + req.clusterAppId() + "), checked under principal_trust");
    }
}
