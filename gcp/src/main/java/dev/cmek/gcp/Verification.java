package dev.cmek.gcp;

import com.google.cloud.kms.v1.CryptoKey;
import com.google.cloud.kms.v1.CryptoKeyName;
import com.google.cloud.kms.v1.CryptoKeyVersion;
import com.google.cloud.kms.v1.CryptoKeyVersion.CryptoKeyVersionState;
import com.google.cloud.kms.v1.KeyRingName;
import com.google.iam.v1.Binding;
import com.google.iam.v1.Policy;
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
import java.util.function.Supplier;

/**
 * Reads the live account, keys and policies and reports anything missing or broader than the two grants: on the
 * account's and each key's own policy, and, since IAM roles are inherited, on each key ring's and each project's
 * policy. Folder and organization policies are not read (their ids are not ours to know): {@link
 * VerifyReport#notChecked()} says so. https://cloud.google.com/iam/docs/resource-hierarchy-access-control
 */
final class Verification {
    /** Roles whose members can impersonate every service account below where they are granted. */
    static final Set<String> IMPERSONATION_ROLES =
            Set.of(Grant.TOKEN_CREATOR, "roles/iam.serviceAccountUser", "roles/iam.workloadIdentityUser");
    /** Roles whose members can encrypt or decrypt with every key below where they are granted. */
    static final Set<String> KEY_USE_ROLES = Set.of(
            Grant.ENCRYPTER_DECRYPTER,
            "roles/cloudkms.cryptoKeyEncrypter",
            "roles/cloudkms.cryptoKeyDecrypter",
            "roles/cloudkms.cryptoOperator");

    private final ServiceAccount accounts;
    private final CryptoKeys keys;
    private final GcpClients clients;

    Verification(ServiceAccount accounts, CryptoKeys keys, GcpClients clients) {
        this.accounts = accounts;
        this.keys = keys;
        this.clients = clients;
    }

    /**
     * @param former keys CockroachDB used before for this cluster; empty: orphan keys are not looked for
     */
    VerifyReport verify(
            GcpCmekRequest req, Map<String, CryptoKeyName> keysByRegion, Optional<Set<CryptoKeyName>> former) {
        ServiceAccountEmail sa = req.serviceAccountEmail();
        Member saMember = Member.serviceAccount(sa);
        Member crdb = req.cockroachMember();
        List<String> notChecked = Collections.synchronizedList(new ArrayList<>());
        Map<String, Optional<Policy>> projectPolicies = new ConcurrentHashMap<>();
        Set<CryptoKeyName> inUse = new LinkedHashSet<>(keysByRegion.values());
        // The service account's reads run beside the keys' (every read is independent of the others).
        Parallel.Call<List<String>> saFindingsF = Parallel.start(() -> {
            List<String> found = new ArrayList<>();
            try {
                found.addAll(serviceAccountFindings(req, sa, crdb));
            } catch (CallFailedException e) {
                // An account the caller may not read is a finding, never a crash of the whole report.
                if (e.failure() == CallFailedException.Failure.UNAVAILABLE) {
                    throw e;
                }
                found.add("cannot check service account " + sa + ": " + e.getMessage());
            }
            projectPolicy(sa.project(), projectPolicies, notChecked)
                    .ifPresent(p -> inherited(p, "project " + sa.project(), IMPERSONATION_ROLES, Set.of())
                            .forEach(f -> found.add(f + ", so they can impersonate " + sa)));
            return found;
        });
        Map<CryptoKeyName, KeyCheck> checks = new LinkedHashMap<>();
        List<Supplier<Map.Entry<CryptoKeyName, KeyCheck>>> tasks = new ArrayList<>();
        for (CryptoKeyName key : inUse) {
            boolean brought = req.existingKeys().containsValue(key);
            tasks.add(() -> {
                try {
                    return Map.entry(
                            key,
                            keyCheck(req, key, brought, saMember, crdb, projectPolicies, notChecked, inUse, former));
                } catch (CallFailedException e) {
                    // A key the caller may not read is a failed control of its region, never a crash of the whole
                    // report; Google out of reach stays exit 6.
                    if (e.failure() == CallFailedException.Failure.UNAVAILABLE) {
                        throw e;
                    }
                    return Map.entry(key, unreadable(key, e));
                }
            });
        }
        Parallel.all(tasks).forEach(e -> checks.put(e.getKey(), e.getValue()));
        List<String> saFindings = saFindingsF.join();
        List<VerifyReport.RegionControls> regions = new ArrayList<>();
        keysByRegion.forEach((r, k) -> regions.add(new VerifyReport.RegionControls(
                r, k, checks.get(k).controls(), checks.get(k).newestKeyVersion())));
        new LinkedHashSet<>(projectPolicies.keySet())
                .forEach(p -> notChecked.add("the IAM policies of the folders and organization above project " + p
                        + " (not read; roles granted there reach the keys and the service account too)"));
        List<ControlResult> principal = List.of(
                ControlResult.of(
                        Control.PRINCIPAL_TRUST,
                        saFindings,
                        "service account " + sa + " is enabled and ours; only " + crdb + " can create tokens for it",
                        "`cmek provision` puts the token-creator binding back (after a revocation: `cmek restore`);"
                                + " remove other members from the service account's and the project's policies"),
                ControlResult.notApplicable(
                        Control.EXTERNAL_ID,
                        "GCP has no external id: CockroachDB impersonates through the cluster's own identity " + crdb
                                + ", checked under principal_trust"));
        return new VerifyReport(sa, principal, regions, new ArrayList<>(new LinkedHashSet<>(notChecked)));
    }

    private record KeyCheck(List<ControlResult> controls, java.time.Instant newestKeyVersion) {}

    private static KeyCheck unreadable(CryptoKeyName name, CallFailedException e) {
        return notRead(
                "cannot check crypto key " + name + ": " + e.getMessage(),
                "grant the caller cloudkms.cryptoKeys.get and cloudkms.cryptoKeys.getIamPolicy on the key, then run"
                        + " `cmek verify` again");
    }

    /** Cloud KMS deletes no key, and a version scheduled for destruction can be restored until then. */
    private static final ControlResult RECOVERABLE = ControlResult.notApplicable(
            Control.KEY_RECOVERABLE,
            "Cloud KMS keys cannot be deleted, and a version scheduled for destruction can be restored until then"
                    + " (https://cloud.google.com/kms/docs/destroy-restore)");

    /** A key that could not be read: not usable, with {@code fix}; every other key control not applicable. */
    private static KeyCheck notRead(String why, String fix) {
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
        return new KeyCheck(out, null);
    }

    private KeyCheck keyCheck(
            GcpCmekRequest req,
            CryptoKeyName name,
            boolean brought,
            Member saMember,
            Member crdb,
            Map<String, Optional<Policy>> projectPolicies,
            List<String> notChecked,
            Set<CryptoKeyName> inUse,
            Optional<Set<CryptoKeyName>> former) {
        Optional<CryptoKey> found = keys.find(name);
        if (found.isEmpty()) {
            return notRead(
                    "crypto key " + name + " does not exist",
                    "point the region at a key that exists (`cmek rotate --new-key`) and check the project's"
                            + " credentials");
        }
        CryptoKey key = found.get();
        String ring = KeyRingName.of(name.getProject(), name.getLocation(), name.getKeyRing())
                .toString();
        Policy keyPolicy;
        Policy ringPolicy;
        List<CryptoKeyVersion> versions;
        ControlResult orphans;
        try (Parallel reads = new Parallel("gcp-cmek-verify", 4)) {
            CompletableFuture<Policy> keyPolicyF = reads.async(() -> keys.readPolicy(name));
            CompletableFuture<Policy> ringPolicyF = reads.async(() -> keys.readRingPolicy(ring));
            CompletableFuture<List<CryptoKeyVersion>> versionsF = reads.async(() -> keys.versions(name));
            CompletableFuture<ControlResult> orphansF = reads.async(() -> former.map(
                            f -> orphans(req, name, saMember, inUse, f))
                    .orElse(ControlResult.notApplicable(
                            Control.NO_ORPHAN_GRANTS, "not looked for (the cluster's key history was not given)")));
            projectPolicy(name.getProject(), projectPolicies, notChecked);
            keyPolicy = Parallel.join(keyPolicyF, List.of(ringPolicyF, versionsF, orphansF));
            ringPolicy = Parallel.get(ringPolicyF);
            versions = Parallel.get(versionsF);
            orphans = Parallel.get(orphansF);
        }
        List<String> grant = new ArrayList<>(keyFindings(req, key, keyPolicy, brought, saMember, crdb));
        grant.addAll(inherited(ringPolicy, "key ring " + ring, KEY_USE_ROLES, Set.of()).stream()
                .map(f -> f + ", so they can use every key in it")
                .toList());
        projectPolicy(name.getProject(), projectPolicies, notChecked)
                .ifPresent(p -> inherited(p, "project " + name.getProject(), KEY_USE_ROLES, Set.of()).stream()
                        .map(f -> f + ", so they can use every key in it")
                        .forEach(grant::add));
        List<String> open = new ArrayList<>();
        open.addAll(publicMembers(keyPolicy, "crypto key " + name));
        open.addAll(publicMembers(ringPolicy, "key ring " + ring));
        grant.removeIf(f -> f.contains(PUBLIC_ALL_USERS) || f.contains(PUBLIC_ALL_AUTHENTICATED));
        java.time.Instant newest = key.hasPrimary() && key.getPrimary().hasCreateTime()
                ? java.time.Instant.ofEpochSecond(
                        key.getPrimary().getCreateTime().getSeconds(),
                        key.getPrimary().getCreateTime().getNanos())
                : null;
        List<ControlResult> out = new ArrayList<>();
        out.add(usable(key, versions));
        out.add(rotation(key, brought, newest));
        out.add(RECOVERABLE);
        out.add(ControlResult.of(
                Control.NO_PUBLIC_ACCESS,
                open,
                "no allUsers or allAuthenticatedUsers on the key or its key ring",
                "remove allUsers and allAuthenticatedUsers from the policies named (gcloud kms keys"
                        + " remove-iam-policy-binding / gcloud kms keyrings remove-iam-policy-binding)"));
        out.add(ControlResult.of(
                Control.EXACT_GRANT,
                grant,
                saMember + " holds exactly " + Grant.ENCRYPTER_DECRYPTER + " on the key; no one else can use it"
                        + " through the key, its key ring or the project",
                brought
                        ? "`cmek provision` adds the binding; other members on your key are yours to remove"
                        : "`cmek provision` adds the binding; remove the other members named"));
        out.add(orphans);
        return new KeyCheck(out, newest);
    }

    static final String PUBLIC_ALL_USERS = "allUsers";
    static final String PUBLIC_ALL_AUTHENTICATED = "allAuthenticatedUsers";

    /** allUsers and allAuthenticatedUsers, what CIS GCP 1.9 forbids on a key ("not anonymously or publicly accessible"). */
    private static List<String> publicMembers(Policy p, String where) {
        List<String> out = new ArrayList<>();
        for (Binding b : p.getBindingsList()) {
            for (String m : b.getMembersList()) {
                if (m.equals(PUBLIC_ALL_USERS) || m.equals(PUBLIC_ALL_AUTHENTICATED)) {
                    out.add("on " + where + ", " + m + " hold " + b.getRole());
                }
            }
        }
        return out;
    }

    /**
     * The key is fit, its primary ENABLED, and no version is scheduled for destruction: the store key CockroachDB
     * wrapped with an older version is lost with it (https://cloud.google.com/kms/docs/destroy-restore).
     */
    private static ControlResult usable(CryptoKey key, List<CryptoKeyVersion> versions) {
        CryptoKeyName name = CryptoKeyName.parse(key.getName());
        List<String> problems = new ArrayList<>(CryptoKeys.fitness(key, null));
        String fix = null;
        if (key.hasPrimary() && key.getPrimary().getState() == CryptoKeyVersionState.DISABLED) {
            fix = "gcloud kms keys versions enable "
                    + versionId(key.getPrimary().getName()) + keyFlags(name);
        }
        List<String> scheduled = new ArrayList<>();
        for (CryptoKeyVersion v : versions) {
            if (v.getState() == CryptoKeyVersionState.DESTROY_SCHEDULED) {
                scheduled.add(versionId(v.getName()));
                problems.add("version " + versionId(v.getName()) + " is scheduled for destruction"
                        + (v.hasDestroyTime()
                                ? " on "
                                        + java.time.Instant.ofEpochSecond(
                                                v.getDestroyTime().getSeconds())
                                : "")
                        + ": data CockroachDB wrapped with it is lost then");
            }
        }
        if (!scheduled.isEmpty()) {
            fix = scheduled.stream()
                            .map(v -> "gcloud kms keys versions restore " + v + keyFlags(name)
                                    + " && gcloud kms keys versions enable " + v + keyFlags(name))
                            .reduce((a, b) -> a + "; " + b)
                            .orElseThrow()
                    + " (before the destruction time: afterwards it cannot be undone)";
        }
        if (problems.isEmpty()) {
            return ControlResult.pass(
                    Control.KEY_USABLE,
                    "crypto key " + name + " has an ENABLED primary version "
                            + versionId(key.getPrimary().getName()) + "; no version is scheduled for destruction");
        }
        return ControlResult.fail(
                Control.KEY_USABLE,
                problems.stream().map(p -> "crypto key " + name + ": " + p).toList(),
                fix != null ? fix : "point the region at a fit key (`cmek rotate --new-key`)");
    }

    private static ControlResult rotation(CryptoKey key, boolean brought, java.time.Instant newest) {
        CryptoKeyName name = CryptoKeyName.parse(key.getName());
        String age = newest == null
                ? ""
                : "; primary version made " + newest.toString().substring(0, 10) + " ("
                        + java.time.Duration.between(newest, java.time.Instant.now())
                                .toDays() + " days old)";
        Optional<java.time.Duration> period = CryptoKeys.rotationPeriod(key);
        String fix = CryptoKeys.gcloudSchedule(name, RotationSchedule.CIS_MAX_DAYS)
                + (brought ? "" : " (or `cmek provision --rotation-period 90 --repair-rotation`)");
        if (period.isEmpty()) {
            return ControlResult.fail(
                    Control.KEY_ROTATION, List.of("automatic rotation is off for crypto key " + name + age), fix);
        }
        if (period.get().toDays() > RotationSchedule.CIS_MAX_DAYS || !key.hasNextRotationTime()) {
            return ControlResult.fail(
                    Control.KEY_ROTATION,
                    List.of(CryptoKeys.describeRotation(key) + age + ": CIS GCP 1.10 asks for at most "
                            + RotationSchedule.CIS_MAX_DAYS + " days"),
                    fix);
        }
        return ControlResult.pass(Control.KEY_ROTATION, CryptoKeys.describeRotation(key) + age);
    }

    /**
     * Keys of the in-use key's ring labelled ours for this cluster, not in use, that still grant our service account:
     * those CockroachDB never used (left by a concurrent or interrupted provision) fail; previous generations (kept on
     * purpose by {@code rotate --new-key}) are listed.
     */
    private ControlResult orphans(
            GcpCmekRequest req,
            CryptoKeyName inUseKey,
            Member saMember,
            Set<CryptoKeyName> inUse,
            Set<CryptoKeyName> former) {
        KeyRingName ring = KeyRingName.of(inUseKey.getProject(), inUseKey.getLocation(), inUseKey.getKeyRing());
        List<String> orphans = new ArrayList<>();
        List<String> previous = new ArrayList<>();
        for (CryptoKey k : keys.list(ring)) {
            CryptoKeyName name = CryptoKeyName.parse(k.getName());
            if (inUse.contains(name) || !CmekNames.isOurs(k.getLabelsMap(), req.clusterId())) {
                continue;
            }
            if (!PolicyBindings.has(keys.readPolicy(name), new Grant(Grant.ENCRYPTER_DECRYPTER, saMember))) {
                continue;
            }
            if (former.contains(name)) {
                previous.add("previous key " + name + " still grants " + saMember + " (as rotate --new-key leaves it;"
                        + " remove the binding once Cloud KMS logs show no more use)");
            } else {
                orphans.add("crypto key " + name + " is labelled for the cluster, was never used by CockroachDB, and"
                        + " still grants " + saMember + " " + Grant.ENCRYPTER_DECRYPTER);
            }
        }
        if (!orphans.isEmpty()) {
            List<String> evidence = new ArrayList<>(orphans);
            evidence.addAll(previous);
            return ControlResult.fail(
                    Control.NO_ORPHAN_GRANTS,
                    evidence,
                    "gcloud kms keys remove-iam-policy-binding KEY --keyring " + ring.getKeyRing() + " --location "
                            + ring.getLocation() + " --member " + saMember + " --role " + Grant.ENCRYPTER_DECRYPTER
                            + " for each key named; `cmek revoke` removes it from every key of the cluster");
        }
        List<String> evidence = new ArrayList<>(
                List.of("no key of key ring " + ring + " that CockroachDB never used grants " + saMember));
        evidence.addAll(previous);
        return ControlResult.pass(Control.NO_ORPHAN_GRANTS, evidence);
    }

    private static String versionId(String versionName) {
        return versionName.substring(versionName.lastIndexOf('/') + 1);
    }

    private static String keyFlags(CryptoKeyName key) {
        return " --key " + key.getCryptoKey() + " --keyring " + key.getKeyRing() + " --location " + key.getLocation()
                + " --project " + key.getProject();
    }

    /** "on WHERE, MEMBERS hold ROLE" for each role in {@code roles} with members other than {@code except}. */
    private static List<String> inherited(Policy p, String where, Set<String> roles, Set<String> except) {
        List<String> out = new ArrayList<>();
        for (Binding b : p.getBindingsList()) {
            if (!roles.contains(b.getRole())) {
                continue;
            }
            List<String> members =
                    b.getMembersList().stream().filter(m -> !except.contains(m)).toList();
            if (!members.isEmpty()) {
                out.add("on " + where + ", " + String.join(", ", members) + " hold " + b.getRole()
                        + (b.hasCondition()
                                ? " (with condition " + b.getCondition().getExpression() + ")"
                                : ""));
            }
        }
        return out;
    }

    /** The project's policy, read once per verify; empty (and noted) when it cannot be read. */
    private Optional<Policy> projectPolicy(
            String project, Map<String, Optional<Policy>> cache, List<String> notChecked) {
        return cache.computeIfAbsent(project, p -> {
            try {
                return Optional.of(GoogleCall.call(
                        "getIamPolicy",
                        "projects/" + p,
                        () -> clients.projects().getIamPolicy(ServiceAccount.policyRead("projects/" + p))));
            } catch (CallFailedException e) {
                if (e.failure() == CallFailedException.Failure.UNAVAILABLE) {
                    throw e;
                }
                notChecked.add("the IAM policy of project " + p + " (" + e.getMessage() + ")");
                return Optional.empty();
            }
        });
    }

    private List<String> serviceAccountFindings(GcpCmekRequest req, ServiceAccountEmail sa, Member crdb) {
        List<String> findings = new ArrayList<>();
        Optional<com.google.iam.admin.v1.ServiceAccount> found = accounts.find(sa);
        if (found.isEmpty()) {
            findings.add("service account " + sa + " does not exist");
            return findings;
        }
        if (found.get().getDisabled()) {
            findings.add("service account " + sa + " is disabled");
        }
        if (!found.get().getDescription().contains(CmekNames.serviceAccountMark(req.clusterId()))) {
            findings.add("service account " + sa + " lacks our mark in its description");
        }
        Policy p = accounts.readPolicy(sa);
        if (!PolicyBindings.has(p, new Grant(Grant.TOKEN_CREATOR, crdb))) {
            findings.add(crdb + " lacks " + Grant.TOKEN_CREATOR);
        }
        Set<String> others = PolicyBindings.rolesOf(p, crdb);
        others.remove(Grant.TOKEN_CREATOR);
        if (!others.isEmpty()) {
            findings.add(crdb + " also holds " + others + " on the service account");
        }
        Set<String> creators = PolicyBindings.membersWith(p, Grant.TOKEN_CREATOR);
        creators.remove(crdb.value());
        if (!creators.isEmpty()) {
            findings.add("others can also impersonate the service account: " + creators);
        }
        for (String r : PolicyBindings.PRIMITIVE_ROLES) {
            if (PolicyBindings.membersWith(p, r).contains(crdb.value())) {
                findings.add(crdb + " holds primitive role " + r + " on the service account");
            }
        }
        return findings;
    }

    private static List<String> keyFindings(
            GcpCmekRequest req, CryptoKey key, Policy p, boolean brought, Member saMember, Member crdb) {
        List<String> findings = new ArrayList<>();
        boolean ours = CmekNames.isOurs(key.getLabelsMap(), req.clusterId());
        if (!brought && !ours) {
            findings.add("crypto key lacks our labels");
        }
        if (!PolicyBindings.has(p, new Grant(Grant.ENCRYPTER_DECRYPTER, saMember))) {
            findings.add(saMember + " lacks " + Grant.ENCRYPTER_DECRYPTER);
        }
        Set<String> saRoles = PolicyBindings.rolesOf(p, saMember);
        saRoles.remove(Grant.ENCRYPTER_DECRYPTER);
        if (!saRoles.isEmpty()) {
            findings.add(saMember + " also holds " + saRoles + " on the key");
        }
        Set<String> crdbRoles = PolicyBindings.rolesOf(p, crdb);
        if (!crdbRoles.isEmpty()) {
            findings.add(crdb + " holds " + crdbRoles + " on the key directly");
        }
        if (ours) {
            for (Binding b : p.getBindingsList()) {
                for (String m : b.getMembersList()) {
                    if (!m.equals(saMember.value())) {
                        findings.add("extra member on our key: " + m + " has " + b.getRole());
                    }
                }
            }
        }
        return findings;
    }
}
