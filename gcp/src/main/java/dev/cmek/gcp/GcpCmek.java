package dev.cmek.gcp;

import static com.google.api.gax.rpc.StatusCode.Code.ALREADY_EXISTS;
import static com.google.api.gax.rpc.StatusCode.Code.NOT_FOUND;

import com.google.api.gax.rpc.ApiException;
import com.google.cloud.iam.admin.v1.IAMClient;
import com.google.cloud.kms.v1.CreateCryptoKeyRequest;
import com.google.cloud.kms.v1.CreateKeyRingRequest;
import com.google.cloud.kms.v1.CryptoKey;
import com.google.cloud.kms.v1.CryptoKey.CryptoKeyPurpose;
import com.google.cloud.kms.v1.CryptoKeyName;
import com.google.cloud.kms.v1.CryptoKeyVersion;
import com.google.cloud.kms.v1.CryptoKeyVersion.CryptoKeyVersionAlgorithm;
import com.google.cloud.kms.v1.CryptoKeyVersion.CryptoKeyVersionState;
import com.google.cloud.kms.v1.CryptoKeyVersionName;
import com.google.cloud.kms.v1.CryptoKeyVersionTemplate;
import com.google.cloud.kms.v1.KeyManagementServiceClient;
import com.google.cloud.kms.v1.KeyRingName;
import com.google.cloud.kms.v1.LocationName;
import com.google.iam.admin.v1.CreateServiceAccountRequest;
import com.google.iam.admin.v1.DisableServiceAccountRequest;
import com.google.iam.admin.v1.EnableServiceAccountRequest;
import com.google.iam.admin.v1.GetServiceAccountRequest;
import com.google.iam.admin.v1.ServiceAccount;
import com.google.iam.v1.GetIamPolicyRequest;
import com.google.iam.v1.GetPolicyOptions;
import com.google.iam.v1.Policy;
import com.google.iam.v1.SetIamPolicyRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The GCP side of CMEK for one CockroachDB cluster: a service account CockroachDB impersonates, a key ring and crypto
 * key per location, and the two bindings that join them. Every operation is idempotent; regions run in parallel.
 * It never destroys a key version, disables a key, or deletes the service account.
 */
public final class GcpCmek {
    /** How long a new key version may stay PENDING_GENERATION (HSM) before rotation gives up. */
    static final Duration VERSION_READY_TIMEOUT = Duration.ofSeconds(60);
    /** Bound on read-modify-write cycles per policy when restoring (the record carries no request). */
    static final int RESTORE_POLICY_ATTEMPTS = 5;
    /** IAM policy version asked for on reads, so conditional bindings others added survive our writes. */
    private static final int POLICY_VERSION = 3;

    private final GcpClients clients;

    public GcpCmek(GcpClients clients) {
        this.clients = clients;
    }

    /** One crypto key to provision and the regions that use it. */
    private record KeyTarget(CryptoKeyName name, List<String> regions, boolean brought) {}

    // ---------------------------------------------------------------- plan

    /** What {@link #provision} would do, found with reads only. */
    public ProvisionPlan plan(GcpCmekRequest req) {
        ServiceAccountEmail sa = req.serviceAccountEmail();
        List<KeyTarget> targets = targets(req, 1, req.regions());
        List<Supplier<List<Change>>> tasks = new ArrayList<>();
        tasks.add(() -> planServiceAccount(req));
        for (KeyTarget t : targets) tasks.add(() -> planKey(req, t));
        return new ProvisionPlan(sa, keysByRegion(targets), inParallel(tasks));
    }

    private List<Change> planServiceAccount(GcpCmekRequest req) {
        ServiceAccountEmail sa = req.serviceAccountEmail();
        Grant grant = new Grant(Grant.TOKEN_CREATOR, req.cockroachMember());
        Optional<ServiceAccount> found = findServiceAccount(sa);
        if (found.isEmpty()) {
            return List.of(
                    new Change(Change.Kind.SERVICE_ACCOUNT, sa.value(), Change.Action.WOULD_CREATE, ""),
                    new Change(
                            Change.Kind.SERVICE_ACCOUNT_POLICY,
                            sa.value(),
                            Change.Action.WOULD_UPDATE,
                            "add " + grant));
        }
        List<Change> out = new ArrayList<>();
        if (!found.get().getDescription().contains(CmekNames.serviceAccountMark(req.clusterId()))) {
            out.add(new Change(
                    Change.Kind.SERVICE_ACCOUNT, sa.value(), Change.Action.BLOCKED, "exists without our mark"));
            return out;
        }
        out.add(new Change(
                Change.Kind.SERVICE_ACCOUNT,
                sa.value(),
                Change.Action.UNCHANGED,
                found.get().getDisabled() ? "disabled" : ""));
        boolean has = PolicyBindings.has(readServiceAccountPolicy(sa), grant);
        out.add(new Change(
                Change.Kind.SERVICE_ACCOUNT_POLICY,
                sa.value(),
                has ? Change.Action.UNCHANGED : Change.Action.WOULD_UPDATE,
                has ? "" : "add " + grant));
        return out;
    }

    private List<Change> planKey(GcpCmekRequest req, KeyTarget t) {
        Grant grant = new Grant(Grant.ENCRYPTER_DECRYPTER, Member.serviceAccount(req.serviceAccountEmail()));
        String ring = KeyRingName.of(t.name.getProject(), t.name.getLocation(), t.name.getKeyRing())
                .toString();
        List<Change> out = new ArrayList<>();
        Optional<CryptoKey> key = findKey(t.name);
        if (key.isEmpty()) {
            if (t.brought) {
                out.add(new Change(
                        Change.Kind.CRYPTO_KEY, t.name.toString(), Change.Action.BLOCKED, "existing key not found"));
                return out;
            }
            boolean ringExists = CallRetry.call("getKeyRing", ring, () -> {
                try {
                    clients.kms().getKeyRing(ring);
                    return true;
                } catch (ApiException e) {
                    if (e.getStatusCode().getCode() == NOT_FOUND) return false;
                    throw e;
                }
            });
            out.add(new Change(
                    Change.Kind.KEY_RING, ring, ringExists ? Change.Action.UNCHANGED : Change.Action.WOULD_CREATE, ""));
            out.add(new Change(
                    Change.Kind.CRYPTO_KEY,
                    t.name.toString(),
                    Change.Action.WOULD_CREATE,
                    req.protectionLevel().name()));
            out.add(new Change(
                    Change.Kind.CRYPTO_KEY_POLICY, t.name.toString(), Change.Action.WOULD_UPDATE, "add " + grant));
            return out;
        }
        List<String> problems = fitness(key.get(), t.brought ? null : req);
        if (!t.brought && !CmekNames.isOurs(key.get().getLabelsMap(), req.clusterId())) {
            problems = new ArrayList<>(problems);
            problems.add(0, "exists without our labels");
        }
        if (!problems.isEmpty()) {
            out.add(new Change(
                    Change.Kind.CRYPTO_KEY, t.name.toString(), Change.Action.BLOCKED, String.join("; ", problems)));
            return out;
        }
        out.add(new Change(
                Change.Kind.CRYPTO_KEY,
                t.name.toString(),
                Change.Action.UNCHANGED,
                t.brought ? "brought by the customer" : ""));
        boolean has = PolicyBindings.has(readKeyPolicy(t.name), grant);
        out.add(new Change(
                Change.Kind.CRYPTO_KEY_POLICY,
                t.name.toString(),
                has ? Change.Action.UNCHANGED : Change.Action.WOULD_UPDATE,
                has ? "" : "add " + grant));
        return out;
    }

    // ---------------------------------------------------------------- provision

    /** Ensures the service account, every region's key, and both bindings; returns what exists and what changed. */
    public ProvisionResult provision(GcpCmekRequest req) {
        return provisionTargets(req, targets(req, 1, req.regions()));
    }

    /**
     * Provisions a new crypto key for one region at a later generation ({@code <base>-g<n>}), for key rotation; the
     * region's previous key and its grant stay as they are.
     */
    public ProvisionResult provisionNewKey(GcpCmekRequest req, String region, int generation) {
        if (!req.regions().contains(region))
            throw new IllegalArgumentException("Unknown region " + region + "; regions: " + req.regions());
        if (generation < 2)
            throw new IllegalArgumentException("A new key for rotation has generation 2 or more, got " + generation);
        return provisionTargets(req, targets(req, generation, List.of(region)));
    }

    private ProvisionResult provisionTargets(GcpCmekRequest req, List<KeyTarget> targets) {
        ServiceAccountEmail sa = req.serviceAccountEmail();
        ExecutorService pool = Executors.newFixedThreadPool(targets.size() + 2);
        try {
            CompletableFuture<List<Change>> saCreated =
                    CompletableFuture.supplyAsync(() -> ensureServiceAccount(req), pool);
            CompletableFuture<List<Change>> saGranted =
                    saCreated.thenApplyAsync(c -> List.of(grantTokenCreator(req)), pool);
            List<CompletableFuture<List<Change>>> keys = new ArrayList<>();
            for (KeyTarget t : targets) {
                keys.add(CompletableFuture.supplyAsync(
                        () -> {
                            List<Change> changes = new ArrayList<>(ensureKey(req, t));
                            saCreated.join(); // the binding names the service account, which must exist first
                            changes.add(grantEncrypterDecrypter(req, t.name));
                            return changes;
                        },
                        pool));
            }
            List<CompletableFuture<List<Change>>> all = new ArrayList<>();
            all.add(saCreated);
            all.add(saGranted);
            all.addAll(keys);
            return new ProvisionResult(sa, keysByRegion(targets), joinAll(all));
        } finally {
            pool.shutdown();
        }
    }

    private List<Change> ensureServiceAccount(GcpCmekRequest req) {
        ServiceAccountEmail sa = req.serviceAccountEmail();
        IAMClient iam = clients.iam();
        try {
            CallRetry.call(
                    "createServiceAccount",
                    sa,
                    () -> iam.createServiceAccount(CreateServiceAccountRequest.newBuilder()
                            .setName("projects/" + req.customerProject())
                            .setAccountId(sa.accountId())
                            .setServiceAccount(ServiceAccount.newBuilder()
                                    .setDisplayName(CmekNames.serviceAccountDisplayName(req.clusterId()))
                                    .setDescription(CmekNames.serviceAccountDescription(req.clusterId())))
                            .build()),
                    ALREADY_EXISTS);
            return List.of(new Change(Change.Kind.SERVICE_ACCOUNT, sa.value(), Change.Action.CREATED, ""));
        } catch (ApiException alreadyExists) {
            ServiceAccount found = findServiceAccount(sa)
                    .orElseThrow(() -> new GcpCmekException(
                            "Service account " + sa + " was reported as existing but cannot be read; run again."));
            String mark = CmekNames.serviceAccountMark(req.clusterId());
            if (!found.getDescription().contains(mark))
                throw new NotOursException(sa.value(), "description containing " + mark);
            return List.of(new Change(
                    Change.Kind.SERVICE_ACCOUNT,
                    sa.value(),
                    Change.Action.UNCHANGED,
                    found.getDisabled() ? "disabled (left as is; restore enables it)" : ""));
        }
    }

    private Change grantTokenCreator(GcpCmekRequest req) {
        ServiceAccountEmail sa = req.serviceAccountEmail();
        Grant grant = new Grant(Grant.TOKEN_CREATOR, req.cockroachMember());
        PolicyEdit.Outcome o =
                editServiceAccountPolicy(sa, req.maxPolicyAttempts(), p -> PolicyBindings.with(p, grant), true, grant);
        return new Change(
                Change.Kind.SERVICE_ACCOUNT_POLICY,
                sa.value(),
                o.changed() ? Change.Action.UPDATED : Change.Action.UNCHANGED,
                (o.changed() ? "added " : "has ") + grant);
    }

    private List<Change> ensureKey(GcpCmekRequest req, KeyTarget t) {
        if (t.brought) {
            CryptoKey key = findKey(t.name)
                    .orElseThrow(() -> new GcpCmekException("Existing crypto key " + t.name + " given for regions "
                            + t.regions + " does not exist or is not visible to these credentials."));
            List<String> problems = fitness(key, null);
            if (!problems.isEmpty()) throw new UnfitKeyException(t.name, problems);
            return List.of(new Change(
                    Change.Kind.CRYPTO_KEY, t.name.toString(), Change.Action.UNCHANGED, "brought by the customer"));
        }
        KeyManagementServiceClient kms = clients.kms();
        List<Change> out = new ArrayList<>();
        LocationName location = LocationName.of(t.name.getProject(), t.name.getLocation());
        KeyRingName ring = KeyRingName.of(t.name.getProject(), t.name.getLocation(), t.name.getKeyRing());
        // Key rings carry no labels in Cloud KMS, so an existing ring with our name is simply used; the key carries the
        // mark.
        try {
            CallRetry.call(
                    "createKeyRing",
                    ring,
                    () -> kms.createKeyRing(CreateKeyRingRequest.newBuilder()
                            .setParent(location.toString())
                            .setKeyRingId(t.name.getKeyRing())
                            .build()),
                    ALREADY_EXISTS);
            out.add(new Change(Change.Kind.KEY_RING, ring.toString(), Change.Action.CREATED, ""));
        } catch (ApiException alreadyExists) {
            out.add(new Change(Change.Kind.KEY_RING, ring.toString(), Change.Action.UNCHANGED, ""));
        }
        try {
            CallRetry.call(
                    "createCryptoKey",
                    t.name,
                    () -> kms.createCryptoKey(CreateCryptoKeyRequest.newBuilder()
                            .setParent(ring.toString())
                            .setCryptoKeyId(t.name.getCryptoKey())
                            .setCryptoKey(CryptoKey.newBuilder()
                                    .setPurpose(CryptoKeyPurpose.ENCRYPT_DECRYPT)
                                    .setVersionTemplate(CryptoKeyVersionTemplate.newBuilder()
                                            .setAlgorithm(CryptoKeyVersionAlgorithm.GOOGLE_SYMMETRIC_ENCRYPTION)
                                            .setProtectionLevel(req.protectionLevel()))
                                    .putAllLabels(CmekNames.labels(req.clusterId())))
                            .build()),
                    ALREADY_EXISTS);
            out.add(new Change(
                    Change.Kind.CRYPTO_KEY,
                    t.name.toString(),
                    Change.Action.CREATED,
                    req.protectionLevel().name()));
        } catch (ApiException alreadyExists) {
            CryptoKey key = findKey(t.name)
                    .orElseThrow(() -> new GcpCmekException(
                            "Crypto key " + t.name + " was reported as existing but cannot be read; run again."));
            if (!CmekNames.isOurs(key.getLabelsMap(), req.clusterId())) {
                throw new NotOursException(t.name.toString(), "labels " + CmekNames.labels(req.clusterId()));
            }
            List<String> problems = fitness(key, req);
            if (!problems.isEmpty()) throw new UnfitKeyException(t.name, problems);
            out.add(new Change(Change.Kind.CRYPTO_KEY, t.name.toString(), Change.Action.UNCHANGED, ""));
        }
        return out;
    }

    private Change grantEncrypterDecrypter(GcpCmekRequest req, CryptoKeyName key) {
        Grant grant = new Grant(Grant.ENCRYPTER_DECRYPTER, Member.serviceAccount(req.serviceAccountEmail()));
        PolicyEdit.Outcome o =
                editKeyPolicy(key, req.maxPolicyAttempts(), p -> PolicyBindings.with(p, grant), true, grant);
        return new Change(
                Change.Kind.CRYPTO_KEY_POLICY,
                key.toString(),
                o.changed() ? Change.Action.UPDATED : Change.Action.UNCHANGED,
                (o.changed() ? "added " : "has ") + grant);
    }

    // ---------------------------------------------------------------- rotation

    /** Creates a new key version and makes it primary; the key's URI, and so the KeySpec, stays the same. */
    public CryptoKeyVersionName rotateKeyMaterial(CryptoKeyName key) {
        KeyManagementServiceClient kms = clients.kms();
        // Not retried on UNAVAILABLE: a lost reply would make a second version (harmless, but not what was asked).
        CryptoKeyVersion created;
        try {
            created = kms.createCryptoKeyVersion(key, CryptoKeyVersion.getDefaultInstance());
        } catch (ApiException e) {
            throw new GcpCallException("createCryptoKeyVersion", key.toString(), e);
        }
        CryptoKeyVersionName version = CryptoKeyVersionName.parse(created.getName());
        Instant deadline = Instant.now().plus(VERSION_READY_TIMEOUT);
        CryptoKeyVersion v = created;
        while (v.getState() == CryptoKeyVersionState.PENDING_GENERATION) {
            if (Instant.now().isAfter(deadline)) {
                throw new GcpCmekException("Key version " + version + " is still PENDING_GENERATION after "
                        + VERSION_READY_TIMEOUT + "; make it primary later with: gcloud kms keys set-primary-version.");
            }
            sleep(Duration.ofMillis(500));
            v = CallRetry.call("getCryptoKeyVersion", version, () -> kms.getCryptoKeyVersion(version));
        }
        if (v.getState() != CryptoKeyVersionState.ENABLED) {
            throw new GcpCmekException(
                    "New key version " + version + " is " + v.getState() + ", not ENABLED; the primary is unchanged.");
        }
        CallRetry.call(
                "updateCryptoKeyPrimaryVersion",
                key,
                () -> kms.updateCryptoKeyPrimaryVersion(key, version.getCryptoKeyVersion()));
        return version;
    }

    // ---------------------------------------------------------------- revoke / restore

    /** Revokes the keys provisioned for the request's regions (generation 1 or the brought keys). */
    public RevocationRecord revoke(GcpCmekRequest req, boolean disableServiceAccount) {
        Map<String, CryptoKeyName> keys = new LinkedHashMap<>();
        req.regions().forEach(r -> keys.put(r, req.keyNameOf(r, 1)));
        return revoke(
                req.clusterId(),
                req.serviceAccountEmail(),
                req.cockroachMember(),
                keys,
                disableServiceAccount,
                req.maxPolicyAttempts());
    }

    /**
     * Removes the service account's encrypter/decrypter binding from each key and the member's token-creator binding
     * from the service account; optionally disables the account (immediate and reversible). Keys are never touched.
     */
    public RevocationRecord revoke(
            ClusterId cluster,
            ServiceAccountEmail sa,
            Member cockroachMember,
            Map<String, CryptoKeyName> keysByRegion,
            boolean disableServiceAccount,
            int maxPolicyAttempts) {
        Instant started = Instant.now();
        Map<CryptoKeyName, List<String>> regionsByKey = new LinkedHashMap<>();
        keysByRegion.forEach((r, k) ->
                regionsByKey.computeIfAbsent(k, x -> new ArrayList<>()).add(r));
        Grant keyGrant = new Grant(Grant.ENCRYPTER_DECRYPTER, Member.serviceAccount(sa));
        Grant saGrant = new Grant(Grant.TOKEN_CREATOR, cockroachMember);
        List<Supplier<List<RevocationRecord.PolicyRevocation>>> tasks = new ArrayList<>();
        regionsByKey.forEach((key, regions) -> tasks.add(() -> {
            PolicyEdit.Outcome o =
                    editKeyPolicy(key, maxPolicyAttempts, p -> PolicyBindings.without(p, keyGrant), false, keyGrant);
            return List.of(revocation(o, RevocationRecord.PolicyRevocation.Target.CRYPTO_KEY, regions, keyGrant));
        }));
        tasks.add(() -> {
            PolicyEdit.Outcome o = editServiceAccountPolicy(
                    sa, maxPolicyAttempts, p -> PolicyBindings.without(p, saGrant), false, saGrant);
            return List.of(revocation(o, RevocationRecord.PolicyRevocation.Target.SERVICE_ACCOUNT, List.of(), saGrant));
        });
        List<RevocationRecord.PolicyRevocation> policies = inParallel(tasks);
        boolean disabledNow = false;
        if (disableServiceAccount) {
            ServiceAccount found = findServiceAccount(sa)
                    .orElseThrow(
                            () -> new GcpCmekException("Service account " + sa + " not found; cannot disable it."));
            if (!found.getDisabled()) {
                CallRetry.run(
                        "disableServiceAccount",
                        sa,
                        () -> clients.iam()
                                .disableServiceAccount(DisableServiceAccountRequest.newBuilder()
                                        .setName(sa.resourceName())
                                        .build()));
                disabledNow = true;
            }
            if (!findServiceAccount(sa).map(ServiceAccount::getDisabled).orElse(false)) {
                throw new GcpCmekException("Service account " + sa
                        + " still reads as enabled after disabling it; check it in the console.");
            }
        }
        return new RevocationRecord(
                cluster.value(),
                sa.value(),
                cockroachMember.value(),
                System.getProperty("user.name", "unknown"),
                started,
                Instant.now(),
                disabledNow,
                policies);
    }

    private static RevocationRecord.PolicyRevocation revocation(
            PolicyEdit.Outcome o, RevocationRecord.PolicyRevocation.Target target, List<String> regions, Grant grant) {
        return new RevocationRecord.PolicyRevocation(
                o.resource(),
                target,
                regions,
                PolicyDocument.of(o.before()),
                PolicyDocument.of(o.after()),
                o.changed() ? List.of(grant) : List.of());
    }

    /** Puts back exactly what the revocation removed (and re-enables the account if it disabled it), then checks it. */
    public RestoreResult restore(RevocationRecord record) {
        ServiceAccountEmail sa = new ServiceAccountEmail(record.serviceAccount());
        List<Change> changes = new ArrayList<>();
        if (record.serviceAccountDisabled()) {
            CallRetry.run(
                    "enableServiceAccount",
                    sa,
                    () -> clients.iam()
                            .enableServiceAccount(EnableServiceAccountRequest.newBuilder()
                                    .setName(sa.resourceName())
                                    .build()));
            if (findServiceAccount(sa).map(ServiceAccount::getDisabled).orElse(true)) {
                throw new GcpCmekException("Service account " + sa
                        + " does not read as enabled after enabling it; check it in the console.");
            }
            changes.add(new Change(Change.Kind.SERVICE_ACCOUNT, sa.value(), Change.Action.UPDATED, "enabled"));
        }
        List<Supplier<List<Change>>> tasks = new ArrayList<>();
        List<String> differ = java.util.Collections.synchronizedList(new ArrayList<>());
        for (RevocationRecord.PolicyRevocation p : record.policies()) {
            tasks.add(() -> {
                List<Change> out = new ArrayList<>();
                Policy current = null;
                for (Grant g : p.removed()) {
                    PolicyEdit.Outcome o = p.target() == RevocationRecord.PolicyRevocation.Target.CRYPTO_KEY
                            ? editKeyPolicy(
                                    CryptoKeyName.parse(p.resource()),
                                    RESTORE_POLICY_ATTEMPTS,
                                    x -> PolicyBindings.with(x, g),
                                    true,
                                    g)
                            : editServiceAccountPolicy(
                                    sa, RESTORE_POLICY_ATTEMPTS, x -> PolicyBindings.with(x, g), true, g);
                    current = o.after();
                    out.add(new Change(
                            p.target() == RevocationRecord.PolicyRevocation.Target.CRYPTO_KEY
                                    ? Change.Kind.CRYPTO_KEY_POLICY
                                    : Change.Kind.SERVICE_ACCOUNT_POLICY,
                            p.resource(),
                            o.changed() ? Change.Action.UPDATED : Change.Action.UNCHANGED,
                            (o.changed() ? "restored " : "already has ") + g));
                }
                if (current == null) {
                    current = p.target() == RevocationRecord.PolicyRevocation.Target.CRYPTO_KEY
                            ? readKeyPolicy(CryptoKeyName.parse(p.resource()))
                            : readServiceAccountPolicy(sa);
                }
                if (!PolicyBindings.sameBindings(current, p.before().toPolicy())) differ.add(p.resource());
                return out;
            });
        }
        changes.addAll(inParallel(tasks));
        return new RestoreResult(changes, differ);
    }

    // ---------------------------------------------------------------- verify

    /** Verifies the request's generation-1 (or brought) keys. */
    public VerificationReport verify(GcpCmekRequest req) {
        Map<String, CryptoKeyName> keys = new LinkedHashMap<>();
        req.regions().forEach(r -> keys.put(r, req.keyNameOf(r, 1)));
        return verify(req, keys);
    }

    /** Reports, per region, whether access is exactly service account -> key and member -> service account, and no broader. */
    public VerificationReport verify(GcpCmekRequest req, Map<String, CryptoKeyName> keysByRegion) {
        ServiceAccountEmail sa = req.serviceAccountEmail();
        Member saMember = Member.serviceAccount(sa);
        Member crdb = req.cockroachMember();
        List<String> saFindings = new ArrayList<>();
        Optional<ServiceAccount> found = findServiceAccount(sa);
        if (found.isEmpty()) {
            saFindings.add("service account " + sa + " does not exist");
        } else {
            if (found.get().getDisabled()) saFindings.add("service account " + sa + " is disabled");
            if (!found.get().getDescription().contains(CmekNames.serviceAccountMark(req.clusterId()))) {
                saFindings.add("service account " + sa + " lacks our mark in its description");
            }
            Policy p = readServiceAccountPolicy(sa);
            if (!PolicyBindings.has(p, new Grant(Grant.TOKEN_CREATOR, crdb)))
                saFindings.add(crdb + " lacks " + Grant.TOKEN_CREATOR);
            Set<String> others = PolicyBindings.rolesOf(p, crdb);
            others.remove(Grant.TOKEN_CREATOR);
            if (!others.isEmpty()) saFindings.add(crdb + " also holds " + others + " on the service account");
            Set<String> creators = PolicyBindings.membersWith(p, Grant.TOKEN_CREATOR);
            creators.remove(crdb.value());
            if (!creators.isEmpty()) saFindings.add("others can also impersonate the service account: " + creators);
            for (String r : PolicyBindings.PRIMITIVE_ROLES) {
                Set<String> members = PolicyBindings.membersWith(p, r);
                if (members.contains(crdb.value()))
                    saFindings.add(crdb + " holds primitive role " + r + " on the service account");
            }
        }
        Map<CryptoKeyName, List<String>> keyFindings = new LinkedHashMap<>();
        List<Supplier<List<Map.Entry<CryptoKeyName, List<String>>>>> tasks = new ArrayList<>();
        for (CryptoKeyName key : new java.util.LinkedHashSet<>(keysByRegion.values())) {
            boolean brought = req.existingKeys().containsValue(key);
            tasks.add(() -> List.of(Map.entry(key, verifyKey(req, key, brought, saMember, crdb))));
        }
        inParallel(tasks).forEach(e -> keyFindings.put(e.getKey(), e.getValue()));
        List<VerificationReport.RegionVerification> regions = new ArrayList<>();
        keysByRegion.forEach((r, k) -> regions.add(new VerificationReport.RegionVerification(
                r, k, keyFindings.get(k).isEmpty() && saFindings.isEmpty(), keyFindings.get(k))));
        return new VerificationReport(sa, saFindings, regions);
    }

    private List<String> verifyKey(
            GcpCmekRequest req, CryptoKeyName name, boolean brought, Member saMember, Member crdb) {
        List<String> findings = new ArrayList<>();
        Optional<CryptoKey> key = findKey(name);
        if (key.isEmpty()) return List.of("crypto key " + name + " does not exist");
        findings.addAll(fitness(key.get(), null));
        boolean ours = CmekNames.isOurs(key.get().getLabelsMap(), req.clusterId());
        if (!brought && !ours) findings.add("crypto key lacks our labels");
        Policy p = readKeyPolicy(name);
        if (!PolicyBindings.has(p, new Grant(Grant.ENCRYPTER_DECRYPTER, saMember)))
            findings.add(saMember + " lacks " + Grant.ENCRYPTER_DECRYPTER);
        Set<String> saRoles = PolicyBindings.rolesOf(p, saMember);
        saRoles.remove(Grant.ENCRYPTER_DECRYPTER);
        if (!saRoles.isEmpty()) findings.add(saMember + " also holds " + saRoles + " on the key");
        Set<String> crdbRoles = PolicyBindings.rolesOf(p, crdb);
        if (!crdbRoles.isEmpty()) findings.add(crdb + " holds " + crdbRoles + " on the key directly");
        if (ours) {
            for (var b : p.getBindingsList()) {
                for (String m : b.getMembersList()) {
                    if (!m.equals(saMember.value()))
                        findings.add("extra member on our key: " + m + " has " + b.getRole());
                }
            }
        }
        return findings;
    }

    // ---------------------------------------------------------------- shared reads and edits

    private List<KeyTarget> targets(GcpCmekRequest req, int generation, List<String> regions) {
        Map<CryptoKeyName, List<String>> byKey = new LinkedHashMap<>();
        for (String r : regions)
            byKey.computeIfAbsent(req.keyNameOf(r, generation), k -> new ArrayList<>())
                    .add(r);
        List<KeyTarget> out = new ArrayList<>();
        byKey.forEach((k, rs) -> out.add(
                new KeyTarget(k, rs, generation == 1 && req.existingKeys().containsValue(k))));
        return out;
    }

    private static Map<String, CryptoKeyName> keysByRegion(List<KeyTarget> targets) {
        Map<String, CryptoKeyName> out = new LinkedHashMap<>();
        for (KeyTarget t : targets) t.regions.forEach(r -> out.put(r, t.name));
        return out;
    }

    /**
     * Problems that stop a key serving as a CMEK; with a request (provisioning), also a protection level other than the
     * one asked, and a primary still in PENDING_GENERATION is accepted (new HSM keys start so, and become ENABLED).
     */
    private static List<String> fitness(CryptoKey key, GcpCmekRequest req) {
        List<String> problems = new ArrayList<>();
        if (key.getPurpose() != CryptoKeyPurpose.ENCRYPT_DECRYPT) problems.add("purpose is " + key.getPurpose());
        if (key.getVersionTemplate().getAlgorithm() != CryptoKeyVersionAlgorithm.GOOGLE_SYMMETRIC_ENCRYPTION) {
            problems.add("algorithm is " + key.getVersionTemplate().getAlgorithm());
        }
        if (req != null && key.getVersionTemplate().getProtectionLevel() != req.protectionLevel()) {
            problems.add("protection level is " + key.getVersionTemplate().getProtectionLevel() + ", asked "
                    + req.protectionLevel());
        }
        CryptoKeyVersionState primary = key.hasPrimary()
                ? key.getPrimary().getState()
                : CryptoKeyVersionState.CRYPTO_KEY_VERSION_STATE_UNSPECIFIED;
        boolean pendingOk = req != null && primary == CryptoKeyVersionState.PENDING_GENERATION;
        if (primary != CryptoKeyVersionState.ENABLED && !pendingOk) {
            problems.add(key.hasPrimary() ? "primary version is " + primary : "no primary version");
        }
        return problems;
    }

    private Optional<CryptoKey> findKey(CryptoKeyName name) {
        try {
            return Optional.of(
                    CallRetry.call("getCryptoKey", name, () -> clients.kms().getCryptoKey(name), NOT_FOUND));
        } catch (ApiException notFound) {
            return Optional.empty();
        }
    }

    private Optional<ServiceAccount> findServiceAccount(ServiceAccountEmail sa) {
        try {
            return Optional.of(CallRetry.call(
                    "getServiceAccount",
                    sa,
                    () -> clients.iam()
                            .getServiceAccount(GetServiceAccountRequest.newBuilder()
                                    .setName(sa.resourceName())
                                    .build()),
                    NOT_FOUND));
        } catch (ApiException notFound) {
            return Optional.empty();
        }
    }

    private static GetIamPolicyRequest policyRead(String resource) {
        return GetIamPolicyRequest.newBuilder()
                .setResource(resource)
                .setOptions(GetPolicyOptions.newBuilder().setRequestedPolicyVersion(POLICY_VERSION))
                .build();
    }

    private Policy readKeyPolicy(CryptoKeyName key) {
        return CallRetry.call("getIamPolicy", key, () -> clients.kms().getIamPolicy(policyRead(key.toString())));
    }

    private Policy readServiceAccountPolicy(ServiceAccountEmail sa) {
        return CallRetry.call("getIamPolicy", sa, () -> clients.iam().getIamPolicy(policyRead(sa.resourceName())));
    }

    private PolicyEdit.Outcome editKeyPolicy(
            CryptoKeyName key,
            int attempts,
            java.util.function.UnaryOperator<Policy> change,
            boolean expectPresent,
            Grant grant) {
        KeyManagementServiceClient kms = clients.kms();
        return PolicyEdit.apply(
                key.toString(),
                attempts,
                () -> kms.getIamPolicy(policyRead(key.toString())),
                p -> kms.setIamPolicy(SetIamPolicyRequest.newBuilder()
                        .setResource(key.toString())
                        .setPolicy(p)
                        .build()),
                change,
                p -> PolicyBindings.has(p, grant) == expectPresent,
                grant + (expectPresent ? " is present" : " is gone"));
    }

    private PolicyEdit.Outcome editServiceAccountPolicy(
            ServiceAccountEmail sa,
            int attempts,
            java.util.function.UnaryOperator<Policy> change,
            boolean expectPresent,
            Grant grant) {
        IAMClient iam = clients.iam();
        return PolicyEdit.apply(
                sa.value(),
                attempts,
                () -> iam.getIamPolicy(policyRead(sa.resourceName())),
                p -> iam.setIamPolicy(SetIamPolicyRequest.newBuilder()
                        .setResource(sa.resourceName())
                        .setPolicy(p)
                        .build()),
                change,
                p -> PolicyBindings.has(p, grant) == expectPresent,
                grant + (expectPresent ? " is present" : " is gone"));
    }

    /** Runs tasks in parallel, waits for all of them (so nothing keeps writing after we return), then rethrows the first failure. */
    private static <T> List<T> inParallel(List<Supplier<List<T>>> tasks) {
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, tasks.size()));
        try {
            List<CompletableFuture<List<T>>> futures = tasks.stream()
                    .map(t -> CompletableFuture.supplyAsync(t, pool))
                    .toList();
            return joinAll(futures);
        } finally {
            pool.shutdown();
        }
    }

    private static <T> List<T> joinAll(List<CompletableFuture<List<T>>> futures) {
        CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
                .handle((v, e) -> null)
                .join();
        List<T> out = new ArrayList<>();
        for (CompletableFuture<List<T>> f : futures) {
            try {
                out.addAll(f.join());
            } catch (CompletionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof RuntimeException re) throw re;
                if (cause instanceof Error err) throw err;
                throw new GcpCmekException(String.valueOf(cause), cause);
            }
        }
        return out;
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GcpCmekException("Interrupted", e);
        }
    }
}
