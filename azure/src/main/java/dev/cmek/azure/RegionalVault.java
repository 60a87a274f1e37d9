package dev.cmek.azure;

import com.azure.security.keyvault.keys.models.KeyRotationPolicy;
import com.azure.security.keyvault.keys.models.KeyType;
import com.azure.security.keyvault.keys.models.KeyVaultKey;
import dev.cmek.core.Change;
import dev.cmek.core.Change.Action;
import dev.cmek.core.Parallel;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * One region's vault, key, rotation policy and role assignment, found before anything is made: a vault and key of our
 * name without our tags are never adopted, and an existing one of ours is checked, not rewritten. A key the customer
 * brings gets the role assignment only. What was just made has no children yet, so those are made without looking.
 */
final class RegionalVault {
    /** The region's key (versioned once it exists) and what was done, in order. */
    record Outcome(String region, KeyUri key, List<Change> changes) {}

    private final Vaults vaults;
    private final VaultKeys keys;
    private final RoleAssignments assignments;
    private final KeyRotation rotations;
    private final KeyGrant grants;

    RegionalVault(Vaults vaults, VaultKeys keys, RoleAssignments assignments) {
        this.vaults = vaults;
        this.keys = keys;
        this.assignments = assignments;
        this.rotations = new KeyRotation(keys);
        this.grants = new KeyGrant(assignments);
    }

    Outcome ensure(ProvisionRun run, String region, int generation) {
        Optional<KeyUri> brought = generation == 1 ? run.req.broughtKeyOf(region) : Optional.empty();
        return brought.isPresent() ? ensureBrought(run, region, brought.get()) : ensureOurs(run, region, generation);
    }

    private Outcome ensureOurs(ProvisionRun run, String region, int generation) {
        AzureCmekRequest req = run.req;
        List<Change> changes = new ArrayList<>();
        String name = req.vaultNameOf(region);
        KeyUri keyUri = KeyUri.of(name, CmekNames.keyName(generation));
        String vaultId = Vaults.id(req.subscriptionId(), req.resourceGroup(), name);
        // The role assignment has a known name: it is read beside the vault. The key and its rotation policy are read
        // side by side once the vault is known to exist: a vault's host is not asked for before (a name that does not
        // resolve yet may be cached as such).
        String scope = KeyGrant.scope(req, vaultId, keyUri);
        Parallel.Call<Optional<RoleAssignments.Assignment>> assignmentRead =
                Parallel.start(() -> assignments.find(scope, KeyGrant.name(req, scope)));
        Optional<Vaults.Vault> found = vaults.find(req.subscriptionId(), req.resourceGroup(), name);
        Vaults.Vault vault;
        boolean vaultMade = false;
        Parallel.Call<Optional<KeyVaultKey>> keyRead = null;
        Parallel.Call<KeyRotationPolicy> policyRead = null;
        if (found.isEmpty()) {
            if (!run.apply) {
                if (!vaults.nameAvailable(req.subscriptionId(), name)) {
                    changes.add(change(
                            AzureResource.KEY_VAULT,
                            vaultId,
                            region,
                            Action.BLOCKED,
                            "the name is taken by a vault outside resource group " + req.resourceGroup()
                                    + " (names are global): give --azure-vault-prefix, or that vault's group"));
                    return new Outcome(region, keyUri, changes);
                }
                changes.add(change(AzureResource.KEY_VAULT, vaultId, region, Action.WOULD_CREATE, vaultDetail(req)));
                changes.add(change(AzureResource.KEY, keyUri.toString(), region, Action.WOULD_CREATE, keyDetail(req)));
                changes.add(KeyRotation.planned(req, keyUri, region));
                changes.add(grants.ensure(run, region, scope, true, Optional::empty));
                return new Outcome(region, keyUri, changes);
            }
            run.awaitWritable();
            vault = awaitDns(
                    req,
                    vaults.create(
                            req.subscriptionId(),
                            req.resourceGroup(),
                            name,
                            region,
                            req.tenantId(),
                            req.protection(),
                            CmekNames.vaultTags(req.clusterId(), region, req.clusterAppId())));
            vaultMade = true;
            changes.add(change(AzureResource.KEY_VAULT, vaultId, region, Action.CREATED, vaultDetail(req)));
        } else {
            vault = found.get();
            keyRead = Parallel.start(() -> keys.find(keyUri));
            policyRead = Parallel.start(() -> keys.rotationPolicy(keyUri));
            if (!CmekNames.isOurs(vault.tags(), req.clusterId())) {
                if (run.apply) {
                    throw new NotOursException("key vault " + vaultId, CmekNames.mark(req.clusterId()));
                }
                changes.add(change(
                        AzureResource.KEY_VAULT,
                        vaultId,
                        region,
                        Action.BLOCKED,
                        "exists without our tags " + CmekNames.mark(req.clusterId()) + ": never adopted or changed"));
                return new Outcome(region, keyUri, changes);
            }
            changes.add(vaultState(run, region, vault));
        }
        KeyVaultKey key;
        boolean keyMade = false;
        if (vaultMade) {
            key = keys.create(keyUri, req.protection(), CmekNames.keyTags(req.clusterId(), region, generation));
            keyMade = true;
        } else {
            Optional<KeyVaultKey> k = read(keyRead, () -> keys.find(keyUri));
            if (k.isEmpty()) {
                if (!run.apply) {
                    changes.add(
                            change(AzureResource.KEY, keyUri.toString(), region, Action.WOULD_CREATE, keyDetail(req)));
                    changes.add(KeyRotation.planned(req, keyUri, region));
                    changes.add(grants.ensure(
                            run,
                            region,
                            scope,
                            false,
                            () -> read(assignmentRead, () -> assignments.find(scope, KeyGrant.name(req, scope)))));
                    return new Outcome(region, keyUri, changes);
                }
                run.awaitWritable();
                key = keys.create(keyUri, req.protection(), CmekNames.keyTags(req.clusterId(), region, generation));
                keyMade = true;
            } else {
                key = k.get();
                Change state = keyState(run, region, keyUri, key);
                changes.add(state);
                if (state.action() == Action.BLOCKED) {
                    return new Outcome(region, keyUri, changes);
                }
            }
        }
        if (keyMade) {
            changes.add(change(AzureResource.KEY, keyUri.toString(), region, Action.CREATED, keyDetail(req)));
        }
        Parallel.Call<KeyRotationPolicy> policyEarly = policyRead;
        boolean assignmentScopeNew = req.broaderRole() ? vaultMade : keyMade;
        // The rotation policy and the role assignment need the key, not each other.
        Parallel.Call<Change> assignment = Parallel.start(() -> grants.ensure(
                run,
                region,
                scope,
                assignmentScopeNew,
                () -> read(assignmentRead, () -> assignments.find(scope, KeyGrant.name(req, scope)))));
        Change rotation;
        try {
            rotation = rotations.ensure(
                    run, region, keyUri, keyMade, () -> read(policyEarly, () -> keys.rotationPolicy(keyUri)));
        } catch (RuntimeException e) {
            try {
                assignment.join(); // not left running after its region failed
            } catch (RuntimeException also) {
                e.addSuppressed(also);
            }
            throw e;
        }
        changes.add(rotation);
        changes.add(assignment.join());
        return new Outcome(region, VaultKeys.uriOf(key), changes);
    }

    /** A key the customer brings: only our role assignment is added; nothing else is touched. */
    private Outcome ensureBrought(ProvisionRun run, String region, KeyUri key) {
        List<Change> changes = new ArrayList<>();
        Optional<Vaults.Vault> vault = run.subscriptionVaults().stream()
                .filter(v -> v.name().equalsIgnoreCase(key.vaultName()))
                .findFirst();
        if (vault.isEmpty()) {
            String why = "--existing-key for " + region + " names vault " + key.vaultName() + ", which is not in"
                    + " subscription " + run.req.subscriptionId() + " (or these credentials may not read it)";
            if (run.apply) {
                throw new InvalidInputException(why + ": give the subscription that holds it.");
            }
            changes.add(change(AzureResource.KEY, key.toString(), region, Action.BLOCKED, why));
            return new Outcome(region, key, changes);
        }
        Optional<KeyVaultKey> found = keys.find(key);
        List<String> problems = found.map(k -> VaultKeys.problems(k, OffsetDateTime.now()))
                .orElse(List.of("it does not exist, or these credentials may not read it"));
        if (!problems.isEmpty()) {
            if (run.apply) {
                throw new UnfitKeyException(key, problems);
            }
            changes.add(change(AzureResource.KEY, key.toString(), region, Action.BLOCKED, String.join("; ", problems)));
            return new Outcome(region, key, changes);
        }
        changes.add(change(
                AzureResource.KEY,
                key.toString(),
                region,
                Action.UNCHANGED,
                "brought by the customer: only the role assignment is added"));
        String scope = KeyGrant.scope(run.req, vault.get().id(), key);
        changes.add(
                grants.ensure(run, region, scope, false, () -> assignments.find(scope, KeyGrant.name(run.req, scope))));
        return new Outcome(region, key.versioned() ? key : VaultKeys.uriOf(found.get()), changes);
    }

    /** Our vault as found: drift is reported (never repaired here), missing tags are added. */
    private Change vaultState(ProvisionRun run, String region, Vaults.Vault v) {
        AzureCmekRequest req = run.req;
        List<String> drift = new ArrayList<>();
        if (!v.rbacAuthorization()) {
            drift.add("RBAC authorization is off, so role assignments grant nothing (az keyvault update --name "
                    + v.name() + " --enable-rbac-authorization true)");
        }
        if (!v.purgeProtection()) {
            drift.add("purge protection is off (az keyvault update --name " + v.name()
                    + " --enable-purge-protection true)");
        }
        if (req.protection() == Protection.HSM && !"premium".equals(v.sku())) {
            drift.add("its SKU is " + v.sku() + ", and HSM keys need premium (az keyvault update --name " + v.name()
                    + " --sku premium)");
        }
        if (!drift.isEmpty()) {
            return change(AzureResource.KEY_VAULT, v.id(), region, Action.DRIFTED, String.join("; ", drift));
        }
        Map<String, String> wanted = CmekNames.vaultTags(req.clusterId(), region, req.clusterAppId());
        if (!v.tags().entrySet().containsAll(wanted.entrySet())) {
            if (run.apply) {
                run.awaitWritable();
                Map<String, String> tags = new LinkedHashMap<>(v.tags());
                tags.putAll(wanted);
                vaults.tag(v, tags);
            }
            return change(AzureResource.KEY_VAULT, v.id(), region, Action.updated(run.apply), "tags " + wanted);
        }
        return change(AzureResource.KEY_VAULT, v.id(), region, Action.UNCHANGED, "");
    }

    /** Our key as found: not ours or unfit is BLOCKED (thrown when applying); another protection, DRIFTED. */
    private Change keyState(ProvisionRun run, String region, KeyUri uri, KeyVaultKey key) {
        AzureCmekRequest req = run.req;
        if (!CmekNames.isOurs(key.getProperties().getTags(), req.clusterId())) {
            if (run.apply) {
                throw new NotOursException("key " + uri, CmekNames.mark(req.clusterId()));
            }
            return change(
                    AzureResource.KEY,
                    uri.toString(),
                    region,
                    Action.BLOCKED,
                    "exists without our tags " + CmekNames.mark(req.clusterId()) + ": never adopted or changed");
        }
        List<String> problems = VaultKeys.problems(key, OffsetDateTime.now());
        if (!problems.isEmpty()) {
            if (run.apply) {
                throw new UnfitKeyException(uri, problems);
            }
            return change(AzureResource.KEY, uri.toString(), region, Action.BLOCKED, String.join("; ", problems));
        }
        KeyType wanted = req.protection() == Protection.HSM ? KeyType.RSA_HSM : KeyType.RSA;
        if (!wanted.equals(key.getKeyType())) {
            return change(
                    AzureResource.KEY,
                    uri.toString(),
                    region,
                    Action.DRIFTED,
                    "is " + key.getKeyType() + ", asked " + wanted
                            + ": key material cannot change protection; rotate to"
                            + " a new key (`cmek rotate --new-key`)");
        }
        return change(
                AzureResource.KEY,
                uri.toString(),
                region,
                Action.UNCHANGED,
                "version " + key.getProperties().getVersion());
    }

    /** What a read started early found, or, when it failed (its vault was not there yet), a read made now. */
    private static <T> T read(Parallel.Call<T> early, Supplier<T> now) {
        if (early == null) {
            return now.get();
        }
        try {
            return early.join();
        } catch (AzureCmekException e) {
            return now.get();
        }
    }

    /** A vault just made may answer {@code RegisteringDns} until its data-plane name resolves. */
    private Vaults.Vault awaitDns(AzureCmekRequest req, Vaults.Vault made) {
        if (!made.registeringDns()) {
            return made;
        }
        Vaults.Vault after = Propagation.VAULT_DNS.until(
                req.propagationBound(),
                () -> vaults.find(req.subscriptionId(), req.resourceGroup(), made.name())
                        .orElse(made),
                v -> !v.registeringDns());
        if (after.registeringDns()) {
            throw new AzureCmekException("key vault " + made.id() + " is still registering its DNS name after "
                    + req.propagationBound().toSeconds() + " s: run the same command again in a few minutes.");
        }
        return after;
    }

    private static String vaultDetail(AzureCmekRequest req) {
        return req.protection().vaultSku() + ", RBAC authorization, soft delete and purge protection";
    }

    private static String keyDetail(AzureCmekRequest req) {
        return req.protection().keyType() + " " + VaultKeys.KEY_SIZE + ", encrypt/decrypt/wrapKey/unwrapKey, no expiry";
    }

    private static Change change(AzureResource type, String resource, String region, Action action, String detail) {
        return new Change(type, resource, region, action, detail);
    }
}
