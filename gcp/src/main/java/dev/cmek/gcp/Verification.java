package dev.cmek.gcp;

import com.google.cloud.kms.v1.CryptoKey;
import com.google.cloud.kms.v1.CryptoKeyName;
import com.google.cloud.kms.v1.KeyRingName;
import com.google.iam.v1.Binding;
import com.google.iam.v1.Policy;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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

    VerifyReport verify(GcpCmekRequest req, Map<String, CryptoKeyName> keysByRegion) {
        ServiceAccountEmail sa = req.serviceAccountEmail();
        Member saMember = Member.serviceAccount(sa);
        Member crdb = req.cockroachMember();
        List<String> notChecked = Collections.synchronizedList(new ArrayList<>());
        Map<String, Optional<Policy>> projectPolicies = new ConcurrentHashMap<>();
        List<String> saFindings = new ArrayList<>();
        try {
            saFindings.addAll(serviceAccountFindings(req, sa, crdb));
        } catch (CallFailedException e) {
            // An account the caller may not read is a finding, never a crash of the whole report.
            if (e.failure() == CallFailedException.Failure.UNAVAILABLE) {
                throw e;
            }
            saFindings.add("cannot check service account " + sa + ": " + e.getMessage());
        }
        projectPolicy(sa.project(), projectPolicies, notChecked)
                .ifPresent(p -> inherited(p, "project " + sa.project(), IMPERSONATION_ROLES, Set.of())
                        .forEach(f -> saFindings.add(f + ", so they can impersonate " + sa)));
        Map<CryptoKeyName, List<String>> keyFindings = new LinkedHashMap<>();
        List<Supplier<List<Map.Entry<CryptoKeyName, List<String>>>>> tasks = new ArrayList<>();
        for (CryptoKeyName key : new LinkedHashSet<>(keysByRegion.values())) {
            boolean brought = req.existingKeys().containsValue(key);
            tasks.add(() -> {
                List<String> findings = new ArrayList<>();
                try {
                    findings.addAll(keyFindings(req, key, brought, saMember, crdb));
                    if (!findings.contains("crypto key " + key + " does not exist")) {
                        findings.addAll(hierarchyFindings(key, projectPolicies, notChecked));
                    }
                } catch (CallFailedException e) {
                    // A key the caller may not read is a finding of its region, never a crash of the whole report;
                    // Google out of reach stays exit 6.
                    if (e.failure() == CallFailedException.Failure.UNAVAILABLE) {
                        throw e;
                    }
                    findings.add("cannot check crypto key " + key + ": " + e.getMessage());
                }
                return List.of(Map.entry(key, findings));
            });
        }
        Parallel.all(tasks).forEach(e -> keyFindings.put(e.getKey(), e.getValue()));
        List<VerifyReport.RegionVerification> regions = new ArrayList<>();
        keysByRegion.forEach((r, k) -> regions.add(new VerifyReport.RegionVerification(
                r, k, keyFindings.get(k).isEmpty() && saFindings.isEmpty(), keyFindings.get(k))));
        new LinkedHashSet<>(projectPolicies.keySet())
                .forEach(p -> notChecked.add("the IAM policies of the folders and organization above project " + p
                        + " (not read; roles granted there reach the keys and the service account too)"));
        return new VerifyReport(sa, saFindings, regions, new ArrayList<>(new LinkedHashSet<>(notChecked)));
    }

    /** Members who can use the key through its key ring's or its project's policy. */
    private List<String> hierarchyFindings(
            CryptoKeyName key, Map<String, Optional<Policy>> projectPolicies, List<String> notChecked) {
        List<String> findings = new ArrayList<>();
        String ring = KeyRingName.of(key.getProject(), key.getLocation(), key.getKeyRing())
                .toString();
        Policy ringPolicy = keys.readRingPolicy(ring);
        findings.addAll(inherited(ringPolicy, "key ring " + ring, KEY_USE_ROLES, Set.of()).stream()
                .map(f -> f + ", so they can use every key in it")
                .toList());
        projectPolicy(key.getProject(), projectPolicies, notChecked)
                .ifPresent(p -> inherited(p, "project " + key.getProject(), KEY_USE_ROLES, Set.of()).stream()
                        .map(f -> f + ", so they can use every key in it")
                        .forEach(findings::add));
        return findings;
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

    private List<String> keyFindings(
            GcpCmekRequest req, CryptoKeyName name, boolean brought, Member saMember, Member crdb) {
        Optional<CryptoKey> key = keys.find(name);
        if (key.isEmpty()) {
            return List.of("crypto key " + name + " does not exist");
        }
        List<String> findings = new ArrayList<>(CryptoKeys.fitness(key.get(), null));
        boolean ours = CmekNames.isOurs(key.get().getLabelsMap(), req.clusterId());
        if (!brought && !ours) {
            findings.add("crypto key lacks our labels");
        }
        Policy p = keys.readPolicy(name);
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
