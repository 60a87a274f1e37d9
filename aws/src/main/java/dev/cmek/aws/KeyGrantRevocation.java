package dev.cmek.aws;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cmek.core.Fate;
import dev.cmek.core.Parallel;
import dev.cmek.core.RevocationLedger;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;

/**
 * One Region of an AWS revocation, independent of the others: our grant statement leaves every key of the Region tagged
 * for the cluster (every generation, replica and orphan) and every key in use there, each key on its own. A key that
 * cannot be read or written is reported with what to do; the others go on. Key policies are changed in place only:
 * nothing is deleted, disabled or scheduled for deletion (a key pending deletion still takes a policy change:
 * https://docs.aws.amazon.com/kms/latest/developerguide/key-state.html).
 */
final class KeyGrantRevocation {
    private final AwsClients clients;
    private final Region region;
    private final RevocationRequest request;
    private final ResourceNames names;
    private final RevocationLedger<RevocationRecord.Intent> ledger;
    private final Clock clock;
    private final Parallel parallel;
    private final RegionalKeys keys;
    private final CompletableFuture<Void> switched;

    /** @param switched completes once the master switch's write has ended: no key is written before */
    KeyGrantRevocation(
            AwsClients clients,
            Region region,
            RevocationRequest request,
            RevocationLedger<RevocationRecord.Intent> ledger,
            Clock clock,
            Parallel parallel,
            CompletableFuture<Void> switched) {
        this.clients = clients;
        this.region = region;
        this.request = request;
        this.names = request.names();
        this.ledger = ledger;
        this.clock = clock;
        this.parallel = parallel;
        this.keys = new RegionalKeys(clients, region, names, request.propagationBound());
        this.switched = switched;
    }

    void run() {
        // The keys in use are known already: their grants go while the tagged keys are looked for, so that the search
        // is not one more call on the way to the first key's write. A tagged key not among them starts once found.
        Set<KeyArn> started = new LinkedHashSet<>();
        List<CompletableFuture<Void>> each = new ArrayList<>();
        request.keysInUse().stream()
                .filter(k -> k.region().equals(region))
                .filter(started::add)
                .forEach(k -> each.add(parallel.run(() -> revoke(k))));
        String tagged = taggedKeys(names);
        RuntimeException unexpected = null;
        try {
            Set<KeyArn> found = new TaggedClusterKeys(clients, region, names, keys).find();
            found.stream().filter(started::add).forEach(k -> each.add(parallel.run(() -> revoke(k))));
        } catch (AwsCmekException e) {
            ledger.outcome(
                    RevocationRecord.Document.KEY_POLICY,
                    tagged,
                    region.id(),
                    Fate.LEFT,
                    "cannot list the keys tagged for the cluster in " + region + ": " + CallFailedException.reason(e)
                            + "; their grants may remain: "
                            + CallFailedException.whatToDo(
                                    e, "tag:GetResources (or kms:ListKeys, kms:ListAliases and kms:ListResourceTags)"));
        } catch (RuntimeException e) {
            // Reported by the caller for the Region, but only once the keys already started are done.
            unexpected = e;
        }
        Parallel.joinAll(each);
        if (unexpected != null) {
            throw unexpected;
        }
    }

    /** The name under which a Region's search for tagged keys is reported (not a document of its own). */
    static String taggedKeys(ResourceNames names) {
        return "keys tagged " + ResourceNames.CLUSTER_TAG + "=" + names.clusterId();
    }

    private void revoke(KeyArn key) {
        PolicyDocument before;
        try {
            before = keys.policy(key);
        } catch (CallFailedException e) {
            if (e.failure() == CallFailedException.Failure.NOT_FOUND) {
                target(key, Fate.ALREADY_ABSENT, "key not found (deleted): no grant to remove");
            } else {
                target(
                        key,
                        Fate.LEFT,
                        "cannot read its key policy: " + CallFailedException.reason(e) + "; "
                                + CallFailedException.whatToDo(e, "kms:GetKeyPolicy"));
            }
            return;
        }
        RoleArn role = RoleArn.of(key.partition(), key.account(), names.roleName());
        KeyPolicyGrant grant = new KeyPolicyGrant(names.grantSid(), role);
        Optional<ObjectNode> ours = before.statement(grant.sid());
        List<String> alsoGranting = before.statements().stream()
                .filter(s -> TrustPolicy.isAllow(s)
                        && !grant.sid().equals(s.path("Sid").asText(null))
                        && PolicyDocument.values(s.path("Principal").get("AWS")).contains(role.value()))
                .map(s -> s.path("Sid").asText("(no Sid)"))
                .toList();
        if (ours.isEmpty()) {
            if (alsoGranting.isEmpty()) {
                target(key, Fate.ALREADY_ABSENT, "no grant to " + role);
            } else {
                target(key, Fate.LEFT, others(role, alsoGranting));
            }
            return;
        }
        if (request.dryRun()) {
            target(key, Fate.WOULD_REMOVE, "would remove the grant to " + role + " (statement " + grant.sid() + ")");
            return;
        }
        // The master switch goes first: no key is written before the trust's write has ended.
        Parallel.get(switched);
        PolicyDocument after = grant.removedFrom(before);
        ledger.intent(new RevocationRecord.Intent(
                RevocationRecord.Document.KEY_POLICY,
                key.value(),
                region.id(),
                role,
                before.json(),
                after.json(),
                PolicyDocument.difference(before, after),
                List.of(),
                clock.instant()));
        KmsClient kms = clients.kms(region);
        try {
            AwsCall.run(
                    "kms:PutKeyPolicy",
                    region.id(),
                    () -> kms.putKeyPolicy(
                            b -> b.keyId(key.keyId()).policyName("default").policy(after.json())));
        } catch (CallFailedException e) {
            if (!removedInPlace(key, grant.sid())) {
                target(
                        key,
                        Fate.LEFT,
                        "cannot write its key policy: " + CallFailedException.reason(e) + "; "
                                + CallFailedException.whatToDo(e, "kms:PutKeyPolicy"));
                return;
            }
        }
        if (!readsBackRemoved(key, grant.sid())) {
            target(
                    key,
                    Fate.LEFT,
                    "its policy was written, but still holds " + grant.sid() + " after "
                            + request.propagationBound().toSeconds() + "s: someone else is writing it; re-run with"
                            + " the same --evidence");
            return;
        }
        if (alsoGranting.isEmpty()) {
            target(key, Fate.REMOVED, "grant to " + role + " removed");
        } else {
            target(key, Fate.LEFT, "grant " + grant.sid() + " removed, but " + others(role, alsoGranting));
        }
    }

    /** After a failed write: whether a fresh read shows our statement gone (the write went through, its reply was lost). */
    private boolean removedInPlace(KeyArn key, String sid) {
        try {
            return keys.policy(key).statement(sid).isEmpty();
        } catch (CallFailedException e) {
            return false;
        }
    }

    /**
     * Reads the policy back until consecutive reads agree that our statement is gone: KMS answers stale reads for a
     * while after a write, and a verify run next must not see the grant still there. A read that fails does not undo
     * the write that succeeded.
     */
    private boolean readsBackRemoved(KeyArn key, String sid) {
        try {
            return EventualConsistency.untilConsistent(
                            request.propagationBound(),
                            () -> keys.policy(key),
                            p -> p.statement(sid).isEmpty())
                    .statement(sid)
                    .isEmpty();
        } catch (CallFailedException e) {
            return true;
        }
    }

    private static String others(RoleArn role, List<String> sids) {
        return "statement(s) " + String.join(", ", sids) + " also grant " + role
                + ", not written by cmek: left as they are; remove them from the key policy yourself if they should go";
    }

    private void target(KeyArn key, Fate fate, String detail) {
        ledger.outcome(RevocationRecord.Document.KEY_POLICY, key.value(), region.id(), fate, detail);
    }
}
