package dev.cmek.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * The cross-account role's trust policy: exactly one statement letting the cluster account assume it with the external
 * id.
 *
 * @param partition the partition of the role (from the caller's identity, never assumed to be {@code aws}); the
 *     trusted account is in the same one, as cross-account trust cannot cross partitions
 */
public record TrustPolicy(AccountId trustedAccount, ExternalId externalId, String partition) {

    public PolicyDocument document() {
        return PolicyDocument.of(null, List.of(statement()));
    }

    ObjectNode statement() {
        ObjectNode s = JsonNodeFactory.instance.objectNode();
        s.put("Effect", "Allow");
        s.putObject("Principal").put("AWS", trustedAccount.rootPrincipal(partition));
        s.put("Action", "sts:AssumeRole");
        s.putObject("Condition").putObject("StringEquals").put("sts:ExternalId", externalId.value());
        return s;
    }

    /** Why {@code actual} is not exactly the intended trust policy; empty when it is. */
    public List<String> findings(PolicyDocument actual) {
        if (actual.sameAs(document())) {
            return List.of();
        }
        List<String> out = new ArrayList<>(trustFindings(actual));
        out.addAll(externalIdFindings(actual));
        if (out.isEmpty()) {
            out.add("trust policy differs from the intended one: " + actual.json());
        }
        return out;
    }

    /** Why the role does not trust exactly the cluster's account (external ids aside); empty when it does. */
    public List<String> trustFindings(PolicyDocument actual) {
        if (actual.sameAs(document())) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        List<ObjectNode> trusting =
                actual.statements().stream().filter(this::namesTrustedAccount).toList();
        if (trusting.stream().noneMatch(s -> "Allow".equals(s.path("Effect").asText()))) {
            out.add("trust policy does not allow " + trustedAccount.rootPrincipal(partition) + " to assume the role");
        }
        for (ObjectNode s : trusting) {
            if ("Deny".equals(s.path("Effect").asText())) {
                out.add("trust policy denies " + trustedAccount + " (revoked?)");
            }
        }
        for (ObjectNode s : actual.statements()) {
            if (wildcardPrincipal(s)) {
                out.add("trust statement " + s + " has a wildcard principal");
            } else if (!namesTrustedAccount(s)) {
                out.add("trust policy has an extra statement " + s);
            }
        }
        return out;
    }

    /**
     * Statements letting the cluster's account (or anyone) assume the role without requiring exactly the organization
     * id as {@code sts:ExternalId}: the confused-deputy guard CockroachDB's docs require
     * (https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html).
     */
    public List<String> externalIdFindings(PolicyDocument actual) {
        List<String> out = new ArrayList<>();
        for (ObjectNode s : actual.statements()) {
            if (!"Allow".equals(s.path("Effect").asText()) || !(namesTrustedAccount(s) || wildcardPrincipal(s))) {
                continue;
            }
            List<String> ext = PolicyDocument.values(
                    s.path("Condition").path("StringEquals").get("sts:ExternalId"));
            if (ext.isEmpty()) {
                out.add("trust statement for " + principals(s) + " does not require an external id");
            } else if (!ext.equals(List.of(externalId.value()))) {
                out.add("trust statement for " + principals(s) + " requires external id " + ext + " instead of "
                        + externalId);
            }
        }
        return out;
    }

    private static String principals(ObjectNode s) {
        JsonNode p = s.get("Principal");
        return p == null
                ? "(none)"
                : p.isTextual() ? p.asText() : String.join(", ", PolicyDocument.values(p.get("AWS")));
    }

    /** Revocation: drop every statement naming the cluster account and add an explicit deny for it. */
    public PolicyDocument revoked(PolicyDocument current, String denySid) {
        List<ObjectNode> kept = new ArrayList<>(
                current.withoutStatements(this::namesTrustedAccount).statements());
        ObjectNode deny = JsonNodeFactory.instance.objectNode();
        deny.put("Sid", denySid);
        deny.put("Effect", "Deny");
        deny.putObject("Principal").put("AWS", trustedAccount.rootPrincipal(partition));
        deny.put("Action", "sts:AssumeRole");
        kept.add(deny);
        return current.withStatements(kept);
    }

    /** Inline role policy denying every session issued before {@code now}, as the IAM console's "revoke sessions" does. */
    public static PolicyDocument denySessionsIssuedBefore(Instant now) {
        ObjectNode s = JsonNodeFactory.instance.objectNode();
        s.put("Effect", "Deny");
        s.put("Action", "*");
        s.put("Resource", "*");
        s.putObject("Condition")
                .putObject("DateLessThan")
                .put("aws:TokenIssueTime", now.truncatedTo(ChronoUnit.SECONDS).toString());
        return PolicyDocument.of(null, List.of(s));
    }

    boolean namesTrustedAccount(ObjectNode statement) {
        for (String p : PolicyDocument.values(statement.path("Principal").get("AWS"))) {
            if (trustedAccount.namedBy(p)) {
                return true;
            }
        }
        return false;
    }

    static boolean wildcardPrincipal(ObjectNode statement) {
        JsonNode p = statement.get("Principal");
        if (p == null) {
            return false;
        }
        if (p.isTextual()) {
            return "*".equals(p.asText());
        }
        return PolicyDocument.values(p.get("AWS")).contains("*");
    }
}
