package dev.cmek.azure;

import com.azure.security.keyvault.keys.models.KeyRotationPolicy;
import com.azure.security.keyvault.keys.models.KeyVaultKey;
import dev.cmek.core.Control;
import dev.cmek.core.ControlResult;
import dev.cmek.core.Parallel;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * One region's key, read and judged: the vault (ARM), the key's current version and the one in use, its rotation policy
 * (Key Vault), and the role assignments around it (at the key, and at its vault, resource group and subscription, which
 * reach it too), read side by side; each control with the evidence read just then and a fix for a failure.
 */
final class KeyControls {
    /** A key that could not be read: not usable, with {@code fix}; every other key control not applicable. */
    static VerifyReport.RegionControls notRead(String region, KeyUri key, String why, String fix) {
        List<ControlResult> out = new ArrayList<>();
        out.add(ControlResult.fail(Control.KEY_USABLE, List.of(why), fix));
        for (Control c : List.of(
                Control.KEY_ROTATION,
                Control.KEY_RECOVERABLE,
                Control.NO_PUBLIC_ACCESS,
                Control.EXACT_GRANT,
                Control.NO_ORPHAN_GRANTS)) {
            out.add(ControlResult.notApplicable(c, why));
        }
        return new VerifyReport.RegionControls(region, key, out, null);
    }

    private final Vaults vaults;
    private final VaultKeys keys;
    private final RoleAssignments assignments;
    private final AzureCmekRequest req;
    private final String region;
    private final KeyUri key;
    private final CompletableFuture<Optional<ServicePrincipals.Principal>> principal;
    private final Supplier<List<Vaults.Vault>> subscriptionVaults;
    private final boolean brought;

    KeyControls(
            Vaults vaults,
            VaultKeys keys,
            RoleAssignments assignments,
            AzureCmekRequest req,
            String region,
            KeyUri key,
            CompletableFuture<Optional<ServicePrincipals.Principal>> principal,
            Supplier<List<Vaults.Vault>> subscriptionVaults) {
        this.vaults = vaults;
        this.keys = keys;
        this.assignments = assignments;
        this.req = req;
        this.region = region;
        this.key = key;
        this.principal = principal;
        this.subscriptionVaults = subscriptionVaults;
        this.brought = req.existingKeys().values().stream()
                .anyMatch(k -> k.unversioned().equals(key.unversioned()));
    }

    VerifyReport.RegionControls run(
            Set<KeyUri> inUse, Optional<Set<KeyUri>> former, Map<String, Optional<Vaults.Vault>> vaultCache) {
        Optional<Vaults.Vault> vault = vaultCache.computeIfAbsent(key.vaultName(), this::vault);
        if (vault.isEmpty()) {
            return notRead(
                    region,
                    key,
                    "vault " + key.vaultName() + " of key " + key + " is not in subscription " + req.subscriptionId(),
                    "point the region at a key that exists (`cmek rotate --new-key`), or check the subscription");
        }
        Vaults.Vault v = vault.get();
        String keyScope = v.id() + "/keys/" + key.keyName();
        Optional<KeyVaultKey> current;
        Optional<KeyVaultKey> used;
        KeyRotationPolicy policy;
        List<RoleAssignments.Assignment> around;
        ControlResult orphans;
        try (Parallel reads = new Parallel("azure-verify-key", 5)) {
            var currentF = reads.async(() -> keys.find(key.unversioned()));
            var usedF = key.versioned() ? reads.async(() -> keys.find(key)) : currentF;
            var policyF = reads.async(() -> rotationPolicy(key.unversioned()));
            var aroundF = reads.async(() -> assignments.around(keyScope));
            var orphansF = reads.async(() -> former.map(f -> orphans(v, inUse, f))
                    .orElse(ControlResult.notApplicable(
                            Control.NO_ORPHAN_GRANTS, "not looked for (the cluster's key history was not given)")));
            current = Parallel.join(currentF, List.of(usedF, policyF, aroundF, orphansF));
            used = Parallel.get(usedF);
            policy = Parallel.get(policyF);
            around = Parallel.get(aroundF);
            orphans = Parallel.get(orphansF);
        }
        if (current.isEmpty() || used.isEmpty()) {
            return notRead(
                    region,
                    key,
                    "key " + key + " does not exist",
                    "point the region at a key that exists (`cmek rotate --new-key`)");
        }
        List<ControlResult> out = new ArrayList<>();
        out.add(usable(current.get(), used.get()));
        out.add(rotation(policy));
        out.add(recoverable(v));
        out.add(ControlResult.notApplicable(
                Control.NO_PUBLIC_ACCESS,
                "CockroachDB reaches the vault over Azure's public endpoint from its own network, so public network"
                        + " access must stay on (vault " + v.name() + ": " + v.publicNetworkAccess() + "); who may"
                        + " use the key is Azure RBAC's, checked under exact_grant"));
        out.add(exactGrant(v, keyScope, around));
        out.add(orphans);
        Instant newest = current.get().getProperties().getCreatedOn() == null
                ? null
                : current.get().getProperties().getCreatedOn().toInstant();
        return new VerifyReport.RegionControls(region, key, out, newest);
    }

    /** The key's rotation policy; null when the key is not there (reported as such by the key's own read). */
    private KeyRotationPolicy rotationPolicy(KeyUri k) {
        try {
            return keys.rotationPolicy(k);
        } catch (CallFailedException e) {
            if (e.failure() == CallFailedException.Failure.NOT_FOUND) {
                return null;
            }
            throw e;
        }
    }

    private Optional<Vaults.Vault> vault(String name) {
        if (name.equals(req.vaultNameOf(region)) || !brought) {
            Optional<Vaults.Vault> ours = vaults.find(req.subscriptionId(), req.resourceGroup(), name);
            if (ours.isPresent()) {
                return ours;
            }
        }
        return subscriptionVaults.get().stream()
                .filter(x -> x.name().equalsIgnoreCase(name))
                .findFirst();
    }

    /** The current version and the one in use are enabled, valid now, and not expiring within 30 days. */
    private ControlResult usable(KeyVaultKey current, KeyVaultKey used) {
        OffsetDateTime now = OffsetDateTime.now();
        List<String> findings = new ArrayList<>();
        VaultKeys.problems(current, now).forEach(p -> findings.add("key " + key.unversioned() + ": " + p));
        if (!used.getId().equals(current.getId())) {
            VaultKeys.problems(used, now).forEach(p -> findings.add("the version CockroachDB uses, " + key + ": " + p));
        }
        String v = used.getProperties().getVersion();
        return ControlResult.of(
                Control.KEY_USABLE,
                findings,
                "key " + key.unversioned() + " and version " + v + " are enabled, " + used.getKeyType() + ", with"
                        + " encrypt and decrypt, and do not expire"
                        + (used.getProperties().getExpiresOn() == null
                                ? ""
                                : " before " + used.getProperties().getExpiresOn()),
                "enable the version and clear its expiry: az keyvault key set-attributes --vault-name "
                        + key.vaultName() + " --name " + key.keyName() + " --version " + v
                        + " --enabled true --expires \"\" (or submit a newer version)");
    }

    /** A Rotate action after creation, within the period asked (the default when rotation was turned off). */
    private ControlResult rotation(KeyRotationPolicy policy) {
        int days = req.rotation().automatic() ? req.rotation().periodInDays() : RotationSchedule.DEFAULT_DAYS;
        Optional<Duration> after = VaultKeys.rotatesAfter(policy);
        String fix = brought
                ? "set a rotation policy on your key: az keyvault key rotation-policy update --vault-name "
                        + key.vaultName() + " --name " + key.keyName() + " --value <a policy rotating after P"
                        + days + "D>"
                : "`cmek provision --rotation-period " + days + " --repair-rotation` sets it";
        if (after.isEmpty()) {
            return ControlResult.fail(
                    Control.KEY_ROTATION,
                    "key " + key.unversioned() + " has no rotation policy that rotates it after each version is"
                            + " made (" + Verification.CIS_ROTATION + ")",
                    fix);
        }
        if (after.get().toDays() > days) {
            return ControlResult.fail(
                    Control.KEY_ROTATION,
                    "key " + key.unversioned() + " rotates " + after.get().toDays() + " days after each version,"
                            + " more than " + days + " (" + Verification.CIS_ROTATION + ")",
                    fix);
        }
        return ControlResult.pass(
                Control.KEY_ROTATION,
                "key " + key.unversioned() + " rotates " + after.get().toDays() + " days after each version is"
                        + " made, within " + days + " (" + Verification.CIS_ROTATION + ")");
    }

    private ControlResult recoverable(Vaults.Vault v) {
        List<String> findings = new ArrayList<>();
        if (!v.softDelete()) {
            findings.add("vault " + v.name() + " has soft delete off");
        }
        if (!v.purgeProtection()) {
            findings.add("vault " + v.name() + " has purge protection off, so a deleted key can be purged at once"
                    + " and the cluster's data lost (" + Verification.CIS_RECOVERABLE + ")");
        }
        return ControlResult.of(
                Control.KEY_RECOVERABLE,
                findings,
                "vault " + v.name() + " has soft delete (" + v.softDeleteRetentionDays() + " days) and purge"
                        + " protection on (" + Verification.CIS_RECOVERABLE + ")",
                "az keyvault update --name " + v.name() + " --enable-purge-protection true (it cannot be turned"
                        + " off again)");
    }

    /**
     * Exactly the cluster app's principal with Key Vault Crypto User on the key: no other role for it reaching the
     * key (at the key, the vault, the resource group or the subscription), and no one else with a role at the key.
     */
    private ControlResult exactGrant(Vaults.Vault v, String keyScope, List<RoleAssignments.Assignment> around) {
        Optional<String> sp = Parallel.get(principal).map(ServicePrincipals.Principal::id);
        List<String> findings = new ArrayList<>();
        if (!v.rbacAuthorization()) {
            findings.add("vault " + v.name() + " uses access policies, not Azure RBAC: whoever its access policies"
                    + " name can use the key, and role assignments grant nothing");
        }
        List<RoleAssignments.Assignment> reaching =
                around.stream().filter(a -> a.covers(keyScope)).toList();
        boolean has = sp.isPresent()
                && reaching.stream()
                        .anyMatch(a -> a.forPrincipal(sp.get())
                                && a.atScope(keyScope)
                                && a.is(BuiltInRole.KEY_VAULT_CRYPTO_USER));
        if (sp.isEmpty()) {
            findings.add("the cluster app " + req.clusterAppId() + " has no service principal, so nothing grants it"
                    + " the key");
        } else if (!has) {
            findings.add(sp.get() + " lacks Key Vault Crypto User on key " + key.unversioned());
        }
        int administrators = 0;
        for (RoleAssignments.Assignment a : reaching) {
            boolean ours = sp.isPresent() && a.forPrincipal(sp.get());
            boolean expected = ours && a.atScope(keyScope) && a.is(BuiltInRole.KEY_VAULT_CRYPTO_USER);
            if (expected) {
                continue;
            }
            if (ours) {
                findings.add(sp.get() + " also holds " + BuiltInRole.describe(a.roleDefinitionId()) + " at " + a.scope()
                        + ", broader than Crypto User on the key");
            } else if (a.atScope(keyScope) && grantsKeyUse(a)) {
                findings.add(
                        a.principalId() + " also holds " + BuiltInRole.describe(a.roleDefinitionId()) + " on the key");
            } else {
                administrators++;
            }
        }
        String others = administrators == 0
                ? ""
                : "; " + administrators + " other assignment(s) reach it from its vault, resource group or"
                        + " subscription (your administrators: not counted)";
        return ControlResult.of(
                Control.EXACT_GRANT,
                findings,
                sp.map(id -> id + " holds exactly Key Vault Crypto User on the key, and no broader role"
                                        + " reaching it")
                                .orElse("")
                        + others,
                brought
                        ? "`cmek provision` adds Crypto User on the key; the other roles on your key are yours to"
                                + " remove (az role assignment delete --ids ...)"
                        : "`cmek provision` adds Crypto User on the key (without --azure-crypto-officer); remove the"
                                + " others named: az role assignment delete --ids <id>");
    }

    /** A built-in role that uses keys, or a custom role (whose actions are not read). */
    private static boolean grantsKeyUse(RoleAssignments.Assignment a) {
        return BuiltInRole.of(a.roleDefinitionId()).map(BuiltInRole::keyUse).orElse(true);
    }

    /**
     * Keys of our vault for the cluster that CockroachDB does not use and never used, but that still grant the
     * principal: a later generation never submitted, or a run stopped before it was.
     */
    private ControlResult orphans(Vaults.Vault v, Set<KeyUri> inUse, Set<KeyUri> former) {
        Optional<String> sp = Parallel.get(principal).map(ServicePrincipals.Principal::id);
        if (sp.isEmpty() || !CmekNames.isOurs(v.tags(), req.clusterId())) {
            return ControlResult.notApplicable(
                    Control.NO_ORPHAN_GRANTS,
                    sp.isEmpty() ? "the cluster app has no service principal" : "vault " + v.name() + " is not ours");
        }
        Set<String> known = new LinkedHashSet<>();
        inUse.forEach(k -> known.add(k.unversioned().toString().toLowerCase(Locale.ROOT)));
        List<String> formerFound = new ArrayList<>();
        List<String> findings = new ArrayList<>();
        String prefix = (v.id() + "/keys/").toLowerCase(Locale.ROOT);
        for (RoleAssignments.Assignment a : assignments.forPrincipal(v.id(), sp.get())) {
            String scope = a.scope().toLowerCase(Locale.ROOT);
            if (!scope.startsWith(prefix)) {
                continue;
            }
            KeyUri k = KeyUri.of(v.name(), a.scope().substring(prefix.length()));
            if (known.contains(k.toString().toLowerCase(Locale.ROOT))) {
                continue;
            }
            if (former.stream().anyMatch(f -> f.unversioned().equals(k))) {
                formerFound.add(k.toString());
            } else {
                findings.add("key " + k + " still grants " + sp.get() + " " + BuiltInRole.describe(a.roleDefinitionId())
                        + ", and CockroachDB never used it");
            }
        }
        return ControlResult.of(
                Control.NO_ORPHAN_GRANTS,
                findings,
                "no other key of vault " + v.name() + " grants " + sp.get()
                        + (formerFound.isEmpty() ? "" : " but keys CockroachDB used before: " + formerFound),
                "`cmek revoke` removes them all; or delete each: az role assignment delete --ids <id>");
    }
}
