package dev.cmek.aws;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** The key policy statement letting the cluster's role use a key, and the owner-administration statement kept beside it. */
public record KeyPolicyGrant(String sid, RoleArn role) {
    /** Exactly what CockroachDB needs; the Terraform example's {@code kms:*} is too broad. */
    public static final List<String> ACTIONS =
            List.of("kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey*", "kms:DescribeKey", "kms:ReEncrypt*");

    public static final String POLICY_ID = "crdb-cmek-kms";
    public static final String ADMIN_SID = "KeyOwnerAdministration";

    public ObjectNode statement() {
        ObjectNode s = JsonNodeFactory.instance.objectNode();
        s.put("Sid", sid);
        s.put("Effect", "Allow");
        s.putObject("Principal").put("AWS", role.value());
        ArrayNode actions = s.putArray("Action");
        ACTIONS.forEach(actions::add);
        s.put("Resource", "*");
        return s;
    }

    public static ObjectNode ownerAdministration(AccountId owner, String partition) {
        ObjectNode s = JsonNodeFactory.instance.objectNode();
        s.put("Sid", ADMIN_SID);
        s.put("Effect", "Allow");
        s.putObject("Principal").put("AWS", owner.rootPrincipal(partition));
        s.put("Action", "kms:*");
        s.put("Resource", "*");
        return s;
    }

    /**
     * The policy for a key we create: the owner's administration (so the account is never locked out of its new key)
     * plus the grant. Only here: later writes leave the owner's statements as the owner keeps them.
     */
    public PolicyDocument newKeyPolicy(AccountId owner) {
        return PolicyDocument.of(POLICY_ID, List.of(ownerAdministration(owner, role.partition()), statement()));
    }

    /**
     * The policy a key is created with before the cluster's role can be named in it (IAM has not propagated the new
     * role yet): the owner's administration only, the statement that lets the grant be added later.
     */
    public static PolicyDocument administrationOnly(AccountId owner, String partition) {
        return PolicyDocument.of(POLICY_ID, List.of(ownerAdministration(owner, partition)));
    }

    /**
     * Adds or replaces our statement and touches nothing else: a customer who replaced the account's {@code kms:*}
     * with narrower administration keeps it that way.
     */
    public PolicyDocument mergeInto(PolicyDocument current) {
        return current.withStatement(statement());
    }

    public PolicyDocument removedFrom(PolicyDocument current) {
        return current.withoutStatements(s -> sid.equals(s.path("Sid").asText(null)));
    }

    boolean presentExactlyIn(PolicyDocument policy) {
        return policy.statement(sid)
                .map(s -> PolicyDocument.sameStatement(s, statement()))
                .orElse(false);
    }

    static boolean hasOwnerAdministration(PolicyDocument policy, AccountId owner) {
        return policy.statements().stream()
                .anyMatch(s -> "Allow".equals(s.path("Effect").asText())
                        && !s.has("Condition")
                        && PolicyDocument.values(s.path("Principal").get("AWS")).stream()
                                .anyMatch(p ->
                                        p.equals(owner.value()) || p.matches("arn:aws[a-z-]*:iam::" + owner + ":root"))
                        && PolicyDocument.values(s.get("Action")).contains("kms:*"));
    }

    /**
     * Why the grant in {@code policy} is not exactly as intended, or the key is open to anyone; empty when it is. How the
     * owner administers the key is the owner's business and not judged here.
     */
    public List<String> findings(PolicyDocument policy) {
        List<String> out = new ArrayList<>(grantFindings(policy));
        out.addAll(publicFindings(policy));
        return out;
    }

    /** Why our statement is not exactly the grant, or another statement also grants the role; empty when it is. */
    public List<String> grantFindings(PolicyDocument policy) {
        List<String> out = new ArrayList<>();
        var ours = policy.statement(sid);
        if (ours.isEmpty()) {
            out.add("no statement " + sid + " granting " + role + " (revoked or never granted)");
        } else {
            ObjectNode s = ours.get();
            if (!"Allow".equals(s.path("Effect").asText())) {
                out.add("statement " + sid + " has Effect " + s.path("Effect").asText() + " instead of Allow");
            }
            List<String> principals = PolicyDocument.values(s.path("Principal").get("AWS"));
            if (!principals.equals(List.of(role.value()))) {
                out.add("statement " + sid + " names principals " + principals + " instead of exactly " + role
                        + (principals.stream().anyMatch(p -> p.startsWith("AROA"))
                                ? " (a unique id: the role was deleted and recreated)"
                                : ""));
            }
            Set<String> actions = new TreeSet<>(PolicyDocument.values(s.get("Action")));
            if (!actions.equals(new TreeSet<>(ACTIONS))) {
                out.add("statement " + sid + " allows " + actions + " instead of exactly " + new TreeSet<>(ACTIONS));
            }
            if (!PolicyDocument.values(s.get("Resource")).equals(List.of("*"))) {
                out.add("statement " + sid + " has Resource " + s.get("Resource") + " instead of \"*\"");
            }
            for (String f : List.of("NotAction", "NotResource", "NotPrincipal", "Condition")) {
                if (s.has(f)) {
                    out.add("statement " + sid + " has an unexpected " + f);
                }
            }
        }
        for (ObjectNode s : otherAllows(policy)) {
            if (!isPublic(s)
                    && PolicyDocument.values(s.path("Principal").get("AWS")).contains(role.value())) {
                out.add("statement " + s.path("Sid").asText("(no Sid)") + " also grants " + role + " " + s.get("Action")
                        + " (broader than intended)");
            }
        }
        return out;
    }

    /**
     * Statements that let anyone use the key: a wildcard principal without a condition, what AWS Security Hub's KMS.5
     * ("KMS keys should not be publicly accessible") flags
     * (https://docs.aws.amazon.com/securityhub/latest/userguide/kms-controls.html#kms-5).
     */
    public List<String> publicFindings(PolicyDocument policy) {
        List<String> out = new ArrayList<>();
        for (ObjectNode s : otherAllows(policy)) {
            if (isPublic(s)) {
                out.add("statement " + s.path("Sid").asText("(no Sid)") + " allows a wildcard principal");
            }
        }
        ours(policy)
                .filter(KeyPolicyGrant::isPublic)
                .ifPresent(s -> out.add("statement " + sid + " allows a wildcard principal"));
        return out;
    }

    private java.util.Optional<ObjectNode> ours(PolicyDocument policy) {
        return policy.statement(sid).filter(s -> "Allow".equals(s.path("Effect").asText()));
    }

    private List<ObjectNode> otherAllows(PolicyDocument policy) {
        return policy.statements().stream()
                .filter(s -> "Allow".equals(s.path("Effect").asText())
                        && !sid.equals(s.path("Sid").asText(null)))
                .toList();
    }

    private static boolean isPublic(ObjectNode s) {
        return TrustPolicy.wildcardPrincipal(s) && !s.has("Condition");
    }
}
