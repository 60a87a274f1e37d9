package dev.cmek.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
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

    /**
     * How far past the moment the trust was cut {@code --immediate} puts its cutoff for role sessions. AWS accepts a
     * signed request whose clock differs from its own by up to about 15 minutes
     * (https://aws.amazon.com/blogs/developer/clock-skew-correction/: "more than about 15 minutes"), so our clock may be
     * that far behind the one that stamps {@code aws:TokenIssueTime}; and a trust change "might take a few minutes" to
     * take effect everywhere
     * (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_disable-perms.html), during
     * which a session may still be issued. A cutoff in the future costs nothing: the trust is gone, so no legitimate
     * session can be issued meanwhile, and restore removes the deny.
     */
    public static final Duration SESSION_CUTOFF_MARGIN = Duration.ofMinutes(20);

    /**
     * Revocation: drop every Allow statement naming the cluster account and deny it explicitly (our Sid); every other
     * statement, and any Deny the owner wrote, stays. Revoking twice changes nothing.
     */
    public PolicyDocument revoked(PolicyDocument current, String denySid) {
        return withDeny(
                current.withoutStatements(s -> isAllow(s) && namesTrustedAccount(s)),
                denyStatement(denySid, List.of(trustedAccount.rootPrincipal(partition))));
    }

    /**
     * Revocation of our own role's trust when the cluster account is not known (the Cloud API was not read): every
     * Allow statement goes, and the AWS principals they named are denied explicitly (every principal, {@code "*"}, when
     * they named none). Only for a role proven ours by its tag: the toolkit wrote its trust and nothing else belongs there.
     */
    public static PolicyDocument revokedEveryAllow(PolicyDocument current, String denySid) {
        List<ObjectNode> allows =
                current.statements().stream().filter(TrustPolicy::isAllow).toList();
        if (allows.isEmpty()) {
            return current;
        }
        List<String> principals = allows.stream()
                .flatMap(s -> PolicyDocument.values(s.path("Principal").get("AWS")).stream())
                .distinct()
                .toList();
        return withDeny(
                current.withoutStatements(TrustPolicy::isAllow),
                denyStatement(denySid, principals.isEmpty() ? List.of("*") : principals));
    }

    private static PolicyDocument withDeny(PolicyDocument withoutAllows, ObjectNode deny) {
        return withoutAllows.withStatement(deny);
    }

    static ObjectNode denyStatement(String sid, List<String> principals) {
        ObjectNode deny = JsonNodeFactory.instance.objectNode();
        deny.put("Sid", sid);
        deny.put("Effect", "Deny");
        if (principals.size() == 1) {
            deny.putObject("Principal").put("AWS", principals.get(0));
        } else {
            principals.forEach(deny.putObject("Principal").putArray("AWS")::add);
        }
        deny.put("Action", "sts:AssumeRole");
        return deny;
    }

    /** The cutoff for role sessions once the trust was cut at {@code trustCut}: {@link #SESSION_CUTOFF_MARGIN} later. */
    public static Instant sessionCutoff(Instant trustCut) {
        return trustCut.plus(SESSION_CUTOFF_MARGIN)
                .truncatedTo(ChronoUnit.SECONDS)
                .plusSeconds(1);
    }

    /** Inline role policy denying every session issued before {@code cutoff}, as the IAM console's "revoke sessions" does. */
    public static PolicyDocument denySessionsIssuedBefore(Instant cutoff) {
        ObjectNode s = JsonNodeFactory.instance.objectNode();
        s.put("Effect", "Deny");
        s.put("Action", "*");
        s.put("Resource", "*");
        s.putObject("Condition")
                .putObject("DateLessThan")
                .put(
                        "aws:TokenIssueTime",
                        cutoff.truncatedTo(ChronoUnit.SECONDS).toString());
        return PolicyDocument.of(null, List.of(s));
    }

    /** Exactly the shape of {@link #denySessionsIssuedBefore} for some instant: what restore may delete. */
    static boolean isSessionDeny(PolicyDocument policy) {
        List<ObjectNode> statements = policy.statements();
        if (statements.size() != 1) {
            return false;
        }
        String cutoff = statements
                .get(0)
                .path("Condition")
                .path("DateLessThan")
                .path("aws:TokenIssueTime")
                .asText("");
        try {
            return policy.sameAs(denySessionsIssuedBefore(Instant.parse(cutoff)));
        } catch (java.time.format.DateTimeParseException e) {
            return false;
        }
    }

    /**
     * Whether {@code statement} is exactly a trust statement this toolkit writes, for some account root and one external
     * id, with nothing else in it; answers the account and external id it names.
     */
    static java.util.Optional<TrustPolicy> canonicalOf(ObjectNode statement) {
        List<String> principals =
                PolicyDocument.values(statement.path("Principal").get("AWS"));
        List<String> external = PolicyDocument.values(
                statement.path("Condition").path("StringEquals").get("sts:ExternalId"));
        if (principals.size() != 1 || external.size() != 1) {
            return java.util.Optional.empty();
        }
        java.util.regex.Matcher root = java.util.regex.Pattern.compile("arn:(aws[a-z-]*):iam::(\\d{12}):root")
                .matcher(principals.get(0));
        if (!root.matches()) {
            return java.util.Optional.empty();
        }
        TrustPolicy candidate;
        try {
            candidate = new TrustPolicy(AccountId.of(root.group(2)), ExternalId.of(external.get(0)), root.group(1));
        } catch (InvalidInputException e) {
            return java.util.Optional.empty();
        }
        return PolicyDocument.sameStatement(statement, candidate.statement())
                ? java.util.Optional.of(candidate)
                : java.util.Optional.empty();
    }

    /** Exactly the deny revocation adds (our Sid, Deny, sts:AssumeRole, AWS principals only): what restore may drop. */
    static boolean isRevocationDeny(ObjectNode statement, String denySid) {
        List<String> principals =
                PolicyDocument.values(statement.path("Principal").get("AWS"));
        return !principals.isEmpty() && PolicyDocument.sameStatement(statement, denyStatement(denySid, principals));
    }

    static boolean isAllow(ObjectNode statement) {
        return "Allow".equals(statement.path("Effect").asText());
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
