package dev.cmek.gcp;

import com.google.cloud.kms.v1.CryptoKey;
import com.google.cloud.kms.v1.CryptoKeyName;
import com.google.iam.v1.Binding;
import com.google.iam.v1.Policy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/** Reads the live account, keys and policies and reports anything missing or broader than the two grants. */
final class Verification {
    private final ServiceAccount accounts;
    private final CryptoKeys keys;

    Verification(ServiceAccount accounts, CryptoKeys keys) {
        this.accounts = accounts;
        this.keys = keys;
    }

    VerifyReport verify(GcpCmekRequest req, Map<String, CryptoKeyName> keysByRegion) {
        ServiceAccountEmail sa = req.serviceAccountEmail();
        Member saMember = Member.serviceAccount(sa);
        Member crdb = req.cockroachMember();
        List<String> saFindings = serviceAccountFindings(req, sa, crdb);
        Map<CryptoKeyName, List<String>> keyFindings = new LinkedHashMap<>();
        List<Supplier<List<Map.Entry<CryptoKeyName, List<String>>>>> tasks = new ArrayList<>();
        for (CryptoKeyName key : new LinkedHashSet<>(keysByRegion.values())) {
            boolean brought = req.existingKeys().containsValue(key);
            tasks.add(() -> List.of(Map.entry(key, keyFindings(req, key, brought, saMember, crdb))));
        }
        Parallel.all(tasks).forEach(e -> keyFindings.put(e.getKey(), e.getValue()));
        List<VerifyReport.RegionVerification> regions = new ArrayList<>();
        keysByRegion.forEach((r, k) -> regions.add(new VerifyReport.RegionVerification(
                r, k, keyFindings.get(k).isEmpty() && saFindings.isEmpty(), keyFindings.get(k))));
        return new VerifyReport(sa, saFindings, regions);
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
