package dev.cmek.aws;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cmek.core.Change;
import dev.cmek.core.Parallel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.regions.Region;

/**
 * Restore after a revocation: once {@link RecordCheck} found every intent to be this toolkit's own and the credentials
 * to be of the record's account, it puts back exactly the statements the intents say were removed and drops exactly
 * the ones they say were added, whatever happened to the replies at the time, keeping every other edit made since.
 * What cannot be put back (a role or key gone, a refused write) is said, not thrown.
 */
final class GrantRestoration {
    private final AwsClients clients;
    private final Parallel parallel;

    GrantRestoration(AwsClients clients, Parallel parallel) {
        this.clients = clients;
        this.parallel = parallel;
    }

    RestoreResult restore(RestoreRequest req) {
        RecordCheck.Checked checked = new RecordCheck(req).check();
        if (req.intents().isEmpty()) {
            return new RestoreResult(List.of(), List.of(), List.of("the record holds nothing that was removed"));
        }
        AccountId caller = clients.caller().account();
        if (!caller.equals(checked.customerAccount())) {
            throw new UntrustedRecordException("the revocation record is for account " + checked.customerAccount()
                    + ", but these credentials are of account " + caller + ": use credentials of account "
                    + checked.customerAccount() + " (nothing was written)");
        }
        ResourceNames names = new ResourceNames(req.clusterId());
        Map<String, List<RevocationRecord.Intent>> byDocument = new LinkedHashMap<>();
        for (RevocationRecord.Intent i : req.intents()) {
            byDocument
                    .computeIfAbsent(i.document() + " " + i.resource(), k -> new ArrayList<>())
                    .add(i);
        }
        List<String> couldNot = Collections.synchronizedList(new ArrayList<>());
        List<String> warnings = Collections.synchronizedList(new ArrayList<>(checked.warnings()));
        List<CompletableFuture<Optional<Change>>> tasks = new ArrayList<>();
        for (List<RevocationRecord.Intent> intents : byDocument.values()) {
            RevocationRecord.Intent first = intents.get(0);
            tasks.add(parallel.async(() -> {
                try {
                    return Optional.of(
                            switch (first.document()) {
                                case KEY_POLICY -> restoreKey(names, intents, req);
                                case TRUST -> restoreTrust(names, intents, req);
                                case SESSION_DENY -> removeSessionDeny(names, intents, req, warnings);
                            });
                } catch (AwsCmekException | SdkException e) {
                    couldNot.add(describe(first) + ": " + CallFailedException.reason(e)
                            + "; fix that and run the same restore again");
                    return Optional.empty();
                }
            }));
        }
        List<Change> changes =
                Parallel.joinAll(tasks).stream().flatMap(Optional::stream).toList();
        return new RestoreResult(changes, couldNot, warnings);
    }

    private Change restoreKey(ResourceNames names, List<RevocationRecord.Intent> intents, RestoreRequest req) {
        KeyArn key = KeyArn.of(intents.get(0).resource());
        RegionalKeys keys = new RegionalKeys(clients, Region.of(key.region().id()), names, req.propagationBound());
        PolicyDocument current;
        try {
            current = keys.policy(key);
        } catch (CallFailedException e) {
            if (e.failure() == CallFailedException.Failure.NOT_FOUND) {
                throw new AwsCmekException("key " + key + " no longer exists, so its grant cannot be put back", e);
            }
            throw e;
        }
        PolicyDocument target = restored(current, intents);
        if (target.sameAs(current)) {
            return AwsResource.keyPolicy(
                    key.value(), key.region().id(), Change.Action.UNCHANGED, "grant already in place");
        }
        keys.writePolicy(key, target, intents.get(0).role().value());
        return AwsResource.keyPolicy(
                key.value(),
                key.region().id(),
                Change.Action.UPDATED,
                "grant to " + intents.get(0).role() + " put back");
    }

    private Change restoreTrust(ResourceNames names, List<RevocationRecord.Intent> intents, RestoreRequest req) {
        CrossAccountRole role = new CrossAccountRole(clients.iam(), names, req.propagationBound());
        CrossAccountRole.Live live = role.find()
                .orElseThrow(() -> new AwsCmekException("role " + names.roleName() + " no longer exists, so its trust"
                        + " cannot be put back: run `cmek provision --cluster " + names.clusterId()
                        + "` to make it again, then ask CockroachDB support to restore access"));
        if (!names.isOurs(live.tags())) {
            throw new AwsCmekException("role " + names.roleName() + " is no longer tagged " + ResourceNames.CLUSTER_TAG
                    + "=" + names.clusterId() + ", so it was left untouched");
        }
        PolicyDocument target = restored(live.trust(), intents);
        if (target.sameAs(live.trust())) {
            return AwsResource.role(names.roleName(), Change.Action.UNCHANGED, "trust already in place");
        }
        role.writeTrust(target);
        return AwsResource.role(names.roleName(), Change.Action.UPDATED, "trust put back");
    }

    private Change removeSessionDeny(
            ResourceNames names, List<RevocationRecord.Intent> intents, RestoreRequest req, List<String> warnings) {
        CrossAccountRole role = new CrossAccountRole(clients.iam(), names, req.propagationBound());
        Optional<PolicyDocument> deny = role.inlinePolicy(ResourceNames.REVOKE_SESSIONS_POLICY);
        if (deny.isEmpty()) {
            return AwsResource.role(names.roleName(), Change.Action.UNCHANGED, "no session deny to remove");
        }
        boolean ours =
                intents.stream().anyMatch(i -> PolicyDocument.parse(i.after()).sameAs(deny.get()));
        if (!ours) {
            warnings.add("the inline policy " + ResourceNames.REVOKE_SESSIONS_POLICY + " of role " + names.roleName()
                    + " was changed since the revocation: left in place");
            return AwsResource.role(names.roleName(), Change.Action.UNCHANGED, "changed session deny left in place");
        }
        role.deleteRevocationPolicy();
        return AwsResource.role(names.roleName(), Change.Action.UPDATED, "session deny removed");
    }

    /**
     * {@code current} with every statement the intents added dropped and every statement they removed put back (one
     * with the same Sid is replaced), every other statement kept as it is now.
     */
    static PolicyDocument restored(PolicyDocument current, List<RevocationRecord.Intent> intents) {
        List<ObjectNode> added = new ArrayList<>();
        List<ObjectNode> removed = new ArrayList<>();
        for (RevocationRecord.Intent i : intents) {
            added.addAll(RecordCheck.statements("", i.added()));
            removed.addAll(RecordCheck.statements("", i.removed()));
        }
        PolicyDocument out =
                current.withoutStatements(s -> added.stream().anyMatch(a -> PolicyDocument.sameStatement(a, s)));
        for (ObjectNode s : removed) {
            if (out.statements().stream().noneMatch(x -> PolicyDocument.sameStatement(x, s))) {
                out = s.hasNonNull("Sid") ? out.withStatement(s) : appended(out, s);
            }
        }
        return out;
    }

    private static PolicyDocument appended(PolicyDocument doc, ObjectNode statement) {
        List<ObjectNode> all = new ArrayList<>(doc.statements());
        all.add(statement);
        return doc.withStatements(all);
    }

    private static String describe(RevocationRecord.Intent i) {
        return switch (i.document()) {
            case TRUST -> "the trust of role " + i.resource();
            case KEY_POLICY -> "the grant on key " + i.resource() + " (" + i.region() + ")";
            case SESSION_DENY -> "the session deny of role " + i.resource();
        };
    }
}
