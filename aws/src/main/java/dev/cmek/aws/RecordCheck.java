package dev.cmek.aws;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Restore trusts nothing it did not make: before anything is written, every intent of a record must be for the
 * cluster and account named, and every statement it would put back (or drop) must have exactly the shape this toolkit
 * writes: the grant (our role for the cluster, exactly the five actions, {@code Resource "*"}, nothing else), the trust
 * (the cluster account's root with {@code sts:ExternalId} = the organization id), our own deny statements. The first
 * entry that is not is named, and nothing is written. The evidence file's digest catches careless edits; this check is
 * the protection against deliberate ones.
 */
final class RecordCheck {
    /** What the record was found to be for. */
    record Checked(AccountId customerAccount, List<String> warnings) {}

    private final RestoreRequest request;
    private final ResourceNames names;

    RecordCheck(RestoreRequest request) {
        this.request = request;
        this.names = new ResourceNames(request.clusterId());
    }

    Checked check() {
        if (request.intents().isEmpty()) {
            return new Checked(request.customerAccount().orElse(null), List.of());
        }
        List<String> warnings = new ArrayList<>();
        AccountId account = null;
        for (int i = 0; i < request.intents().size(); i++) {
            RevocationRecord.Intent intent = request.intents().get(i);
            String entry = "intent " + (i + 1) + " (" + describe(intent) + ")";
            if (intent.document() == null || intent.role() == null || intent.resource() == null) {
                throw refuse(entry, "it lacks its document kind, resource or role");
            }
            if (!intent.role().roleName().equals(names.roleName())) {
                throw refuse(
                        entry,
                        "it names role " + intent.role() + ", not this cluster's role " + names.roleName()
                                + " (a record of another cluster?)");
            }
            if (account == null) {
                account = intent.role().account();
            } else if (!account.equals(intent.role().account())) {
                throw refuse(
                        entry,
                        "it is in account " + intent.role().account() + ", the record's first entry in " + account);
            }
            if (request.customerAccount().isPresent()
                    && !request.customerAccount().get().equals(account)) {
                throw refuse(
                        entry,
                        "it is in account " + account + ", not in account "
                                + request.customerAccount().get() + " named for the restore");
            }
            checkConsistent(entry, intent);
            switch (intent.document()) {
                case TRUST -> checkTrust(entry, intent, warnings);
                case KEY_POLICY -> checkKeyPolicy(entry, intent);
                case SESSION_DENY -> checkSessionDeny(entry, intent);
            }
        }
        return new Checked(account, List.copyOf(warnings));
    }

    /** The lists restore acts on must be what the documents say: an edit of one without the other is refused. */
    private static void checkConsistent(String entry, RevocationRecord.Intent intent) {
        PolicyDocument after = parse(entry, intent.after());
        if (intent.before() == null) {
            if (!intent.removed().isEmpty() || !sameStatements(after.statements(), intent.added())) {
                throw refuse(entry, "its removed and added statements do not match its documents");
            }
            return;
        }
        PolicyDocument before = parse(entry, intent.before());
        if (!sameStatements(statements(entry, PolicyDocument.difference(before, after)), intent.removed())
                || !sameStatements(statements(entry, PolicyDocument.difference(after, before)), intent.added())) {
            throw refuse(entry, "its removed and added statements do not match its documents before and after");
        }
    }

    private void checkTrust(String entry, RevocationRecord.Intent intent, List<String> warnings) {
        if (!intent.resource().equals(names.roleName()) || intent.region() != null) {
            throw refuse(entry, "a trust entry must be for role " + names.roleName());
        }
        if (intent.removed().isEmpty()) {
            throw refuse(entry, "it removes nothing");
        }
        for (ObjectNode s : statements(entry, intent.removed())) {
            Optional<TrustPolicy> trust = TrustPolicy.canonicalOf(s);
            if (trust.isEmpty()) {
                throw refuse(
                        entry,
                        "it would put back the trust statement " + s + ", which is not the one cmek writes (Allow"
                                + " sts:AssumeRole to one account's root, with exactly one sts:ExternalId, nothing"
                                + " else)");
            }
            TrustPolicy t = trust.get();
            if (!t.partition().equals(intent.role().partition())) {
                throw refuse(
                        entry,
                        "its trust statement is in partition " + t.partition() + ", the role in "
                                + intent.role().partition());
            }
            if (request.clusterAccount().isPresent()
                    && !request.clusterAccount().get().equals(t.trustedAccount())) {
                throw refuse(
                        entry,
                        "it would trust account " + t.trustedAccount() + ", not the cluster's account "
                                + request.clusterAccount().get());
            }
            if (request.externalId().isPresent() && !request.externalId().get().equals(t.externalId())) {
                throw refuse(
                        entry,
                        "it would require external id " + t.externalId() + ", not the organization id "
                                + request.externalId().get());
            }
            if (request.clusterAccount().isEmpty() || request.externalId().isEmpty()) {
                warnings.add("the trust of account " + t.trustedAccount() + " with external id " + t.externalId()
                        + " is put back as read before the revocation: the revocation did not read the Cloud API, so"
                        + " they were not checked against the cluster; check them with `cmek verify`");
            }
        }
        for (ObjectNode s : statements(entry, intent.added())) {
            if (!TrustPolicy.isRevocationDeny(s, names.trustDenySid())) {
                throw refuse(entry, "it would drop the statement " + s + ", which is not the deny cmek adds");
            }
        }
    }

    private void checkKeyPolicy(String entry, RevocationRecord.Intent intent) {
        KeyArn key;
        try {
            key = KeyArn.of(intent.resource());
        } catch (InvalidInputException e) {
            throw refuse(entry, "its resource is not a key ARN");
        }
        if (!key.region().id().equals(intent.region())) {
            throw refuse(entry, "it names region " + intent.region() + " for a key in " + key.region());
        }
        RoleArn role = RoleArn.of(key.partition(), key.account(), names.roleName());
        if (!role.equals(intent.role())) {
            throw refuse(entry, "it names role " + intent.role() + ", not " + role + " of the key's own account");
        }
        if (intent.removed().isEmpty() || !intent.added().isEmpty()) {
            throw refuse(entry, "a key policy entry must remove the grant and add nothing");
        }
        ObjectNode grant = new KeyPolicyGrant(names.grantSid(), role).statement();
        for (ObjectNode s : statements(entry, intent.removed())) {
            if (!PolicyDocument.sameStatement(s, grant)) {
                throw refuse(
                        entry,
                        "it would put back the statement " + s + ", which is not the grant cmek writes (" + grant
                                + ")");
            }
        }
    }

    private void checkSessionDeny(String entry, RevocationRecord.Intent intent) {
        if (!intent.resource().equals(names.roleName()) || intent.region() != null) {
            throw refuse(entry, "a session deny entry must be for role " + names.roleName());
        }
        if (!TrustPolicy.isSessionDeny(parse(entry, intent.after()))) {
            throw refuse(entry, "its policy is not the session deny cmek writes");
        }
    }

    private static String describe(RevocationRecord.Intent intent) {
        String kind = intent.document() == null
                ? "unknown document"
                : switch (intent.document()) {
                    case TRUST -> "trust of role";
                    case KEY_POLICY -> "key policy of";
                    case SESSION_DENY -> "session deny of role";
                };
        return kind + " " + intent.resource();
    }

    private static PolicyDocument parse(String entry, String json) {
        if (json == null) {
            throw refuse(entry, "it lacks a document");
        }
        try {
            return PolicyDocument.parse(json);
        } catch (InvalidInputException e) {
            throw refuse(entry, "a document is not a policy (" + e.getMessage() + ")");
        }
    }

    static List<ObjectNode> statements(String entry, List<String> json) {
        List<ObjectNode> out = new ArrayList<>();
        for (String s : json) {
            try {
                if (!(PolicyDocument.JSON.readTree(s) instanceof ObjectNode o)) {
                    throw refuse(entry, "a statement is not a JSON object: " + s);
                }
                out.add(o);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw refuse(entry, "a statement is not JSON: " + s);
            }
        }
        return out;
    }

    private static boolean sameStatements(List<ObjectNode> a, List<String> b) {
        List<ObjectNode> other = statements("", b);
        return a.size() == other.size()
                && a.stream().allMatch(x -> other.stream().anyMatch(y -> PolicyDocument.sameStatement(x, y)));
    }

    private static UntrustedRecordException refuse(String entry, String why) {
        return new UntrustedRecordException("the revocation record's " + entry + " is refused: " + why
                + "; restore writes only what cmek itself removed, so nothing was written");
    }
}
