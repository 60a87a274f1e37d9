package dev.cmek.gcp;

import com.google.cloud.kms.v1.CryptoKeyName;
import com.google.cloud.kms.v1.CryptoKeyVersionName;
import dev.cmek.core.Change;
import dev.cmek.core.Change.Action;
import dev.cmek.core.Control;
import dev.cmek.core.Parallel;
import dev.cmek.core.RevocationJournal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The GCP side of CMEK for one cluster: a service account CockroachDB impersonates, a key ring and crypto key per
 * location, and the two bindings that join them. This class orchestrates; {@link ServiceAccount}, {@link CryptoKeys},
 * {@link Revocation} and {@link Verification} act. Every operation is idempotent; regions run in parallel. It never
 * destroys a key version, disables a key, or deletes the service account.
 */
public final class GcpCmek {
    private final ServiceAccount accounts;
    private final CryptoKeys keys;
    private final Revocation revocation;
    private final Restoration restoration;
    private final Verification verification;

    public GcpCmek(GcpClients clients) {
        this.accounts = new ServiceAccount(clients);
        this.keys = new CryptoKeys(clients);
        this.revocation = new Revocation(clients, accounts, keys);
        this.restoration = new Restoration(accounts, keys);
        this.verification = new Verification(accounts, keys, clients);
    }

    /** What {@link #provision} would do, found with reads only. */
    public ProvisionPlan plan(GcpCmekRequest req) {
        return plan(req, Map.of());
    }

    /**
     * As {@link #plan(GcpCmekRequest)}, with the key of each region in {@code generations} at that generation instead of
     * the first ({@code <base>-g<n>}, as {@link #provisionNewKey} names them): what a re-run after a key rotation uses.
     */
    public ProvisionPlan plan(GcpCmekRequest req, Map<String, Integer> generations) {
        List<KeyTarget> targets = KeyTarget.of(req, generations, req.regions());
        List<Change> changes = new ArrayList<>(ensureAll(req, targets, false));
        changes.addAll(otherGrantedKeys(req, targets));
        return new ProvisionPlan(req.serviceAccountEmail(), KeyTarget.keysByRegion(targets), changes);
    }

    /**
     * Keys of the cluster in the targets' key rings, other than the ones provision uses, that still grant our service
     * account (an earlier generation, or one a run made and never submitted): reported by a plan, never changed.
     */
    private List<Change> otherGrantedKeys(GcpCmekRequest req, List<KeyTarget> targets) {
        java.util.Set<CryptoKeyName> used = new java.util.HashSet<>();
        java.util.Map<com.google.cloud.kms.v1.KeyRingName, String> rings = new java.util.LinkedHashMap<>();
        for (KeyTarget t : targets) {
            used.add(t.name());
            if (!t.brought()) {
                rings.putIfAbsent(t.ring(), t.regionList());
            }
        }
        Grant grant = req.keyGrant();
        List<Change> out = new ArrayList<>();
        rings.forEach((ring, regions) -> {
            for (com.google.cloud.kms.v1.CryptoKey k : keys.list(ring)) {
                CryptoKeyName name = CryptoKeyName.parse(k.getName());
                if (used.contains(name) || !CmekNames.isOurs(k.getLabelsMap(), req.clusterId())) {
                    continue;
                }
                if (PolicyBindings.has(keys.readPolicy(name), grant)) {
                    out.add(new Change(
                            GcpResource.CRYPTO_KEY,
                            name.toString(),
                            regions,
                            Action.DRIFTED,
                            "another key of the cluster, not the one provision uses, still grants " + grant.member()
                                    + " (`cmek verify` fails no_orphan_grants unless CockroachDB used it before;"
                                    + " `cmek revoke` removes its binding)"));
                }
            }
        });
        return out;
    }

    /** Ensures the service account, every region's key, and both bindings; returns what exists and what changed. */
    public ProvisionResult provision(GcpCmekRequest req) {
        return provision(req, Map.of());
    }

    /** As {@link #provision(GcpCmekRequest)}, each region in {@code generations} at that key generation. */
    public ProvisionResult provision(GcpCmekRequest req, Map<String, Integer> generations) {
        List<KeyTarget> targets = KeyTarget.of(req, generations, req.regions());
        return new ProvisionResult(
                req.serviceAccountEmail(), KeyTarget.keysByRegion(targets), ensureAll(req, targets, true));
    }

    /**
     * Provisions a new crypto key for one region at a later generation ({@code <base>-g<n>}), for key rotation; the
     * region's previous key and its grant stay as they are.
     */
    public ProvisionResult provisionNewKey(GcpCmekRequest req, String region, int generation) {
        if (!req.regions().contains(region)) {
            throw new InvalidInputException("Unknown region " + region + "; regions: " + req.regions());
        }
        if (generation < 2) {
            throw new InvalidInputException("A new key for rotation has generation 2 or more, got " + generation);
        }
        List<KeyTarget> targets = KeyTarget.of(req, generation, List.of(region));
        return new ProvisionResult(
                req.serviceAccountEmail(), KeyTarget.keysByRegion(targets), ensureAll(req, targets, true));
    }

    /**
     * The one path behind plan and provision: with {@code apply}, creates and grants what is missing; without it,
     * reads and reports what it would do. The account comes first (a key binding names it); keys run in parallel.
     */
    private List<Change> ensureAll(GcpCmekRequest req, List<KeyTarget> targets, boolean apply) {
        try (Parallel parallel = new Parallel("gcp-cmek", targets.size() + 2)) {
            CompletableFuture<Change> account = parallel.async(() -> accounts.ensure(req, apply));
            // On its own thread, so that the keys waiting for the account start their grants at once.
            CompletableFuture<List<Change>> accountChanges = parallel.then(account, c -> {
                List<Change> out = new ArrayList<>(List.of(c));
                if (c.action() != Action.BLOCKED) {
                    out.add(accounts.grantTokenCreator(req, apply, c.action() != Action.WOULD_CREATE));
                }
                return out;
            });
            List<CompletableFuture<List<Change>>> all = new ArrayList<>(List.of(accountChanges));
            for (KeyTarget t : targets) {
                all.add(parallel.async(() -> {
                    List<Change> changes = new ArrayList<>(keys.ensure(req, t, apply));
                    Change key = changes.get(changes.size() - 1);
                    if (key.action() == Action.BLOCKED) {
                        return changes;
                    }
                    if (apply) {
                        account.join(); // the binding names the service account, which must exist first
                    }
                    changes.add(keys.grantEncrypterDecrypter(req, t, apply, key.action() != Action.WOULD_CREATE));
                    changes.add(keys.ensureRotation(req, t, key, apply));
                    return changes;
                }));
            }
            return Parallel.joinAll(all).stream().flatMap(List::stream).toList();
        }
    }

    /** Creates a new key version and makes it primary; the key's URI, and so the KeySpec, stays the same. */
    public CryptoKeyVersionName rotateKeyMaterial(CryptoKeyName key) {
        return keys.rotateMaterial(key);
    }

    /** Revokes what {@code req} provisions (its generation-1 or brought keys, and every key labelled ours). */
    public RevocationRecord revoke(GcpCmekRequest req, boolean disableServiceAccount) {
        return revoke(RevocationRequest.of(req, disableServiceAccount), RevocationJournal.none());
    }

    /**
     * Breach response, failing toward revocation: CockroachDB's token-creator binding on our service account is removed
     * first and on its own (then, if asked, the account is disabled); our encrypter/decrypter binding leaves every key
     * labelled ours in our key rings and every key in use, each location independently. Each resource's intent goes to
     * {@code journal} before its first write; what could not be changed is in the record's targets as LEFT, never
     * thrown. Keys are never touched.
     */
    public RevocationRecord revoke(RevocationRequest req, RevocationJournal<RevocationRecord.Intent> journal) {
        return revocation.revoke(req, journal);
    }

    /**
     * Puts back exactly the grants the intents say were removed (and enables the account if the revocation disabled
     * it), once every intent was found to be for the cluster's own service account and the two grants this toolkit
     * makes ({@link UntrustedRecordException} otherwise, before anything is written); says what it could not.
     */
    public RestoreResult restore(RestoreRequest req) {
        return restoration.restore(req);
    }

    /** Verifies the request's generation-1 (or brought) keys. */
    public VerifyReport verify(GcpCmekRequest req) {
        return verify(req, generationOneKeys(req));
    }

    /**
     * Reports, per region, each {@link Control} with its evidence: whether access is exactly service account -> key and
     * member -> service account and no broader, and whether the key is usable and rotates. Orphan keys are not looked
     * for.
     */
    public VerifyReport verify(GcpCmekRequest req, Map<String, CryptoKeyName> keysByRegion) {
        return verification.verify(req, keysByRegion, java.util.Optional.empty());
    }

    /**
     * As {@link #verify(GcpCmekRequest, Map)}, and also looks in each key's ring for keys of the cluster that still
     * grant our service account: those in {@code formerKeys} (used by CockroachDB before) are listed, others fail
     * {@link Control#NO_ORPHAN_GRANTS}.
     */
    public VerifyReport verify(
            GcpCmekRequest req, Map<String, CryptoKeyName> keysByRegion, java.util.Set<CryptoKeyName> formerKeys) {
        return verification.verify(req, keysByRegion, java.util.Optional.of(java.util.Set.copyOf(formerKeys)));
    }

    /** The cluster's service account in {@code project}, if it exists and carries our mark (what provisioning made). */
    public java.util.Optional<ServiceAccountEmail> ourServiceAccount(ClusterId cluster, String project) {
        ServiceAccountEmail sa = CmekNames.serviceAccountEmail(project, cluster);
        return accounts.find(sa)
                .filter(found -> found.getDescription().contains(CmekNames.serviceAccountMark(cluster)))
                .map(found -> sa);
    }

    /** Whether these credentials can read the key (PERMISSION_DENIED is thrown as such). */
    public boolean visible(CryptoKeyName key) {
        return keys.find(key).isPresent();
    }

    /** When the key's primary version was made: what CockroachDB wraps with once the key is submitted again. */
    public java.util.Optional<java.time.Instant> newestKeyVersion(CryptoKeyName key) {
        return keys.find(key)
                .filter(k -> k.hasPrimary() && k.getPrimary().hasCreateTime())
                .map(k -> java.time.Instant.ofEpochSecond(
                        k.getPrimary().getCreateTime().getSeconds(),
                        k.getPrimary().getCreateTime().getNanos()));
    }

    private static Map<String, CryptoKeyName> generationOneKeys(GcpCmekRequest req) {
        Map<String, CryptoKeyName> keys = new LinkedHashMap<>();
        req.regions().forEach(r -> keys.put(r, req.keyNameOf(r, 1)));
        return keys;
    }
}
