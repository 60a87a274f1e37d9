package dev.cmek.azure;

import com.azure.security.keyvault.keys.models.KeyVaultKey;
import dev.cmek.core.Change;
import dev.cmek.core.Parallel;
import dev.cmek.core.RevocationJournal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

/**
 * The Azure side of CMEK for one cluster: the cluster app's service principal in the customer's tenant, a Key Vault and
 * an RSA key per region (or keys the customer brings), and a role assignment joining them; plus plan, verify, revoke
 * and restore. It orchestrates: the principal is {@link ClusterPrincipal}'s, each region {@link RegionalVault}'s,
 * revocation {@link Revocation}'s, restore {@link Restoration}'s, verify {@link Verification}'s. It never disables,
 * deletes or purges a key or a vault; a revocation deletes role assignments and turns the principal's sign-in off.
 */
public final class AzureCmek {
    private final AzureClients clients;
    private final ServicePrincipals principals;
    private final ResourceGroups groups;
    private final Vaults vaults;
    private final VaultKeys keys;
    private final RoleAssignments assignments;

    public AzureCmek(AzureClients clients) {
        this.clients = clients;
        this.principals = new ServicePrincipals(clients);
        this.groups = new ResourceGroups(clients);
        this.vaults = new Vaults(clients);
        this.keys = new VaultKeys(clients);
        this.assignments = new RoleAssignments(clients);
    }

    /**
     * The names of the vaults in a subscription, lower case: how {@code revoke --all-using SUBSCRIPTION} tells which keys
     * live there (a key's URI names only its vault, and vault names are global). Empty when these credentials see no
     * such subscription (ARM's 404 {@code SubscriptionNotFound}, as for a tenant id). Reads only.
     */
    public Set<String> vaultNamesIn(String subscriptionId) {
        String sub = Guid.require(subscriptionId, "The subscription id");
        try {
            return vaults.inSubscription(sub).stream()
                    .map(v -> v.name().toLowerCase(Locale.ROOT))
                    .collect(Collectors.toUnmodifiableSet());
        } catch (CallFailedException e) {
            if (e.status() == 404) {
                return Set.of();
            }
            throw e;
        }
    }

    /**
     * Gets the ARM and Microsoft Graph tokens now, side by side, so that a caller with other work first (the CLI
     * checking its evidence file before a revocation) has them fetched beside it. Writes nothing.
     */
    public void prepare() {
        clients.prepare();
    }

    /** What {@link #provision} would do, found with reads only; stops with {@link ConsentRequiredException} likewise. */
    public ProvisionResult plan(AzureCmekRequest req) {
        return run(req, req.regions(), 1, false);
    }

    /**
     * Ensures the service principal, every region's vault, key and rotation policy, and the role assignments; safe to
     * run again after any failure, converging without duplicates. Nothing is created when the caller may not create the
     * service principal ({@link ConsentRequiredException}).
     */
    public ProvisionResult provision(AzureCmekRequest req) {
        return Parallel.operation(() -> run(req, req.regions(), 1, true));
    }

    /**
     * As {@link #plan(AzureCmekRequest)}, each region in {@code generations} at that key generation instead of the first:
     * after rotation to a new key, a re-run finds the key in use ({@code crdb-cmek-g<n>}) rather than the first one.
     */
    public ProvisionResult plan(AzureCmekRequest req, Map<String, Integer> generations) {
        return byGeneration(req, generations, false);
    }

    /** As {@link #provision(AzureCmekRequest)}, each region in {@code generations} at that key generation. */
    public ProvisionResult provision(AzureCmekRequest req, Map<String, Integer> generations) {
        return Parallel.operation(() -> byGeneration(req, generations, true));
    }

    /** One run per generation, in order; what every run reports (the principal, the resource group) is said once. */
    private ProvisionResult byGeneration(AzureCmekRequest req, Map<String, Integer> generations, boolean apply) {
        SortedMap<Integer, List<String>> regions = new TreeMap<>();
        for (String r : req.regions()) {
            regions.computeIfAbsent(Math.max(1, generations.getOrDefault(r, 1)), g -> new ArrayList<>())
                    .add(r);
        }
        Map<String, KeyUri> keysByRegion = new LinkedHashMap<>();
        List<Change> changes = new ArrayList<>();
        Optional<String> principal = Optional.empty();
        for (Map.Entry<Integer, List<String>> group : regions.entrySet()) {
            ProvisionResult r = run(req, group.getValue(), group.getKey(), apply);
            r.changes().stream().filter(c -> !changes.contains(c)).forEach(changes::add);
            keysByRegion.putAll(r.keys());
            principal = r.servicePrincipalId();
        }
        return new ProvisionResult(apply, req.tenantId(), principal, keysByRegion, changes);
    }

    /**
     * A new key for one region at a later generation ({@code crdb-cmek-g<n>}) in our vault, with its rotation policy
     * and role assignment, for key rotation to a new key; the region's earlier key and its assignment stay as they are.
     */
    public ProvisionResult provisionNewKey(AzureCmekRequest req, String region, int generation) {
        if (!req.regions().contains(region)) {
            throw new InvalidInputException("Unknown region " + region + "; regions: " + req.regions());
        }
        if (generation < 2) {
            throw new InvalidInputException("A new key for rotation has generation 2 or more, got " + generation);
        }
        return Parallel.operation(() -> run(req, List.of(region), generation, true));
    }

    /**
     * The one path behind plan and provision. Reads start at once and side by side (the principal, the subscription's
     * tenant, the resource group, every region's vault); writes wait for the gate: the principal found or made (the
     * first possible write, so a refusal leaves nothing made), the tenant checked and the resource group there.
     */
    private ProvisionResult run(AzureCmekRequest req, List<String> regions, int generation, boolean apply) {
        ClusterPrincipal clusterPrincipal = new ClusterPrincipal(clients, principals);
        RegionalVault regional = new RegionalVault(vaults, keys, assignments);
        boolean needGroup = generation > 1
                || regions.stream().anyMatch(r -> req.broughtKeyOf(r).isEmpty());
        try (Parallel parallel = new Parallel("azure-cmek")) {
            parallel.run(() -> clients.prefetchKeyVaultToken(req.tenantId()));
            var found = parallel.async(() -> principals.find(req.clusterAppId()));
            CompletableFuture<Void> tenant = parallel.async(() -> {
                checkTenant(req);
                return null;
            });
            var groupRead = needGroup
                    ? parallel.async(() -> groups.find(req.subscriptionId(), req.resourceGroup()))
                    : CompletableFuture.completedFuture(Optional.<ResourceGroups.Group>empty());
            CompletableFuture<ClusterPrincipal.Outcome> principal = parallel.async(() -> {
                Optional<ServicePrincipals.Principal> p = Parallel.get(found);
                if (p.isEmpty() && apply) {
                    Parallel.get(tenant); // the principal is the first write: only for the tenant asked for
                }
                return clusterPrincipal.ensure(req, apply, p);
            });
            CompletableFuture<Change> group = needGroup
                    ? parallel.async(() -> {
                        Parallel.get(principal);
                        Parallel.get(tenant);
                        return groups.ensure(req, apply, Parallel.get(groupRead));
                    })
                    : CompletableFuture.completedFuture(null);
            CompletableFuture<Void> writable = CompletableFuture.allOf(principal, tenant, group);
            ProvisionRun run = new ProvisionRun(
                    req, apply, principal.thenApply(ClusterPrincipal.Outcome::principal), writable, vaults);
            List<CompletableFuture<RegionalVault.Outcome>> perRegion = new ArrayList<>();
            for (String r : regions) {
                perRegion.add(parallel.async(() -> regional.ensure(run, r, generation)));
            }
            List<CompletableFuture<?>> all = new ArrayList<>(List.of(principal, tenant, group));
            all.addAll(perRegion);
            Parallel.joinAll(all);
            ClusterPrincipal.Outcome p = Parallel.get(principal);
            List<Change> changes = new ArrayList<>(List.of(p.change()));
            if (Parallel.get(group) != null) {
                changes.add(Parallel.get(group));
            }
            Map<String, KeyUri> keysByRegion = new LinkedHashMap<>();
            for (CompletableFuture<RegionalVault.Outcome> f : perRegion) {
                RegionalVault.Outcome o = Parallel.get(f);
                keysByRegion.put(o.region(), o.key());
                changes.addAll(o.changes());
            }
            return new ProvisionResult(
                    apply, req.tenantId(), p.principal().map(ServicePrincipals.Principal::id), keysByRegion, changes);
        }
    }

    /** The subscription must belong to the tenant given: the vaults are made for it, and it is the key spec's principal. */
    private void checkTenant(AzureCmekRequest req) {
        String tenant = Subscriptions.tenantOf(clients, req.subscriptionId());
        if (!req.tenantId().equalsIgnoreCase(tenant)) {
            throw new InvalidInputException("Subscription " + req.subscriptionId() + " belongs to tenant " + tenant
                    + ", not to " + req.tenantId() + " given as the tenant: give --azure-tenant " + tenant
                    + " or another subscription");
        }
    }

    /**
     * Breach response, failing toward revocation: the cluster app's service principal may no longer sign in (the master
     * switch, written first and alone), then its role assignments leave every key of our vaults for the cluster and
     * every key in use, each vault on its own. Each document's intent goes to {@code journal} before its first write;
     * what could not be changed is an outcome LEFT with what to do, never thrown. Keys and vaults are never disabled,
     * deleted or purged. Keep the intents: {@link #restore} puts back exactly what they say was removed.
     */
    public RevocationRecord revoke(RevocationRequest req, RevocationJournal<RevocationRecord.Intent> journal) {
        return Parallel.operation(() -> new Revocation(clients, principals, vaults, assignments).revoke(req, journal));
    }

    /** {@link #revoke(RevocationRequest, RevocationJournal)}, keeping the intents only in the returned record. */
    public RevocationRecord revoke(RevocationRequest req) {
        return revoke(req, RevocationJournal.none());
    }

    /**
     * Puts back exactly the role assignments the intents say were removed, under the same names, and turns the
     * principal's sign-in on again, once every intent was found to be for this cluster, tenant and subscription and of a
     * shape this toolkit writes ({@link UntrustedRecordException} otherwise, before anything is written); says what it
     * could not put back.
     */
    public RestoreResult restore(RestoreRequest req) {
        return new Restoration(principals, vaults, assignments).restore(req);
    }

    /** The tenant that owns {@code subscriptionId}, as ARM says (reads only): what restore holds a record to. */
    public String tenantOf(String subscriptionId) {
        return Subscriptions.tenantOf(clients, Guid.require(subscriptionId, "The subscription id"));
    }

    /** Verifies each region's key as {@code req} provisions it (generation 1, or the key brought), current version. */
    public VerifyReport verify(AzureCmekRequest req) {
        Map<String, KeyUri> byRegion = new LinkedHashMap<>();
        req.regions().forEach(r -> byRegion.put(r, req.keyOf(r, 1)));
        return verify(req, byRegion);
    }

    /**
     * Reports, per region, each {@link dev.cmek.core.Control} with the evidence read now and a fix for each failure:
     * the key usable (the version in use, when the URI names one), rotating, recoverable; the grant exactly Crypto User
     * on the key for the cluster app's principal; the principal there and enabled. Orphan keys are not looked for.
     */
    public VerifyReport verify(AzureCmekRequest req, Map<String, KeyUri> keysByRegion) {
        return new Verification(principals, vaults, keys, assignments).verify(req, keysByRegion, Optional.empty());
    }

    /**
     * As {@link #verify(AzureCmekRequest, Map)}, and also looks in each of our vaults for keys that still grant the
     * cluster app's principal: those in {@code formerKeys} (used by CockroachDB before) are listed, others fail
     * {@link dev.cmek.core.Control#NO_ORPHAN_GRANTS}.
     */
    public VerifyReport verify(AzureCmekRequest req, Map<String, KeyUri> keysByRegion, Set<KeyUri> formerKeys) {
        return new Verification(principals, vaults, keys, assignments)
                .verify(req, keysByRegion, Optional.of(Set.copyOf(formerKeys)));
    }

    /** A new version of the key (Key Vault rotate); earlier versions stay enabled. Answers the new versioned URI. */
    public KeyUri rotateKeyMaterial(KeyUri key) {
        return VaultKeys.uriOf(keys.rotate(key.unversioned()));
    }

    /** The key's current version and when it was made; empty when the key does not exist. */
    public Optional<KeyVersion> newestKeyVersion(KeyUri key) {
        return keys.find(key.unversioned()).map(AzureCmek::version);
    }

    private static KeyVersion version(KeyVaultKey k) {
        return new KeyVersion(
                VaultKeys.uriOf(k),
                k.getProperties().getCreatedOn() == null
                        ? null
                        : k.getProperties().getCreatedOn().toInstant());
    }

    /** Whether these credentials can read the key (a refusal is thrown as {@link CallFailedException}). */
    public boolean visible(KeyUri key) {
        return keys.find(key).isPresent();
    }

    /** The generation tag of one of our keys (1 for the first); empty for a key that is not ours or does not exist. */
    public OptionalInt generationOf(ClusterId cluster, KeyUri key) {
        Optional<KeyVaultKey> k = keys.find(key.unversioned());
        if (k.isEmpty() || !CmekNames.isOurs(k.get().getProperties().getTags(), cluster)) {
            return OptionalInt.empty();
        }
        try {
            return OptionalInt.of(
                    Integer.parseInt(k.get().getProperties().getTags().getOrDefault(CmekNames.GENERATION_TAG, "1")));
        } catch (NumberFormatException e) {
            return OptionalInt.empty();
        }
    }
}
