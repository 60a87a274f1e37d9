package dev.cmek.aws;

import dev.cmek.core.Change;
import dev.cmek.core.Control;
import dev.cmek.core.ControlResult;
import dev.cmek.core.Verdict;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import software.amazon.awssdk.services.kms.model.KeyState;

/**
 * Keys tagged for the cluster in one region that still grant its role although CockroachDB does not use them: an
 * orphan (left by a concurrent or interrupted provision, never used by CockroachDB) is extra access and fails
 * {@link Control#NO_ORPHAN_GRANTS}; a key CockroachDB used before (a generation rotated away with {@code rotate
 * --new-key}, which keeps its grant on purpose until the KMS logs show no more use) is only listed. Found through the
 * Resource Groups Tagging API (one call per page of the cluster's own keys); without it, through our aliases.
 */
final class OrphanKeys {
    private static final Set<KeyState> GONE = Set.of(KeyState.PENDING_DELETION, KeyState.PENDING_REPLICA_DELETION);

    private final AwsClients clients;

    OrphanKeys(AwsClients clients) {
        this.clients = clients;
    }

    /**
     * For a plan: keys tagged for the cluster in this region that no alias of ours names and that provision would not
     * use, still granting the role (left by a concurrent or interrupted provision). Reported, never changed; without
     * the Tagging API nothing is looked for (a plan stays cheap).
     *
     * @param used the key provision would use here (null when it would create one)
     */
    List<Change> inPlan(RegionalKeys keys, ResourceNames names, KeyArn used) {
        Optional<Map<KeyArn, Map<String, String>>> tagged = clients.tagging(keys.region())
                .flatMap(
                        t -> t.find(ResourceNames.CLUSTER_TAG, names.clusterId().value()));
        if (tagged.isEmpty()) {
            return List.of();
        }
        List<Change> out = new ArrayList<>();
        tagged.get().forEach((arn, tags) -> {
            if (!names.isOurs(tags) || (used != null && used.equals(arn))) {
                return;
            }
            // The Tagging API may still list a key KMS no longer finds: described before its aliases are asked.
            Optional<RegionalKeys.Live> live = keys.describe(arn.value());
            if (live.isEmpty() || GONE.contains(live.get().metadata().keyState()) || keys.hasOurAlias(arn)) {
                return;
            }
            if (keys.policy(arn).statement(names.grantSid()).isPresent()) {
                out.add(AwsResource.key(
                        arn.value(),
                        keys.region().id(),
                        Change.Action.DRIFTED,
                        "orphan key: tagged for the cluster, no alias of ours, still grants the role; provision does"
                                + " not use it (`cmek verify` fails no_orphan_grants unless CockroachDB used it before;"
                                + " `cmek revoke` removes its grant)"));
            }
        });
        return out;
    }

    ControlResult check(RegionalKeys keys, ResourceNames names, KeyArn inUse, Set<KeyArn> former) {
        Optional<Map<KeyArn, Map<String, String>>> tagged = clients.tagging(keys.region())
                .flatMap(
                        t -> t.find(ResourceNames.CLUSTER_TAG, names.clusterId().value()));
        Set<KeyArn> candidates = new LinkedHashSet<>();
        String looked;
        if (tagged.isPresent()) {
            tagged.get().forEach((arn, tags) -> {
                if (names.isOurs(tags)) {
                    candidates.add(arn);
                }
            });
            looked = "keys tagged " + ResourceNames.CLUSTER_TAG + "=" + names.clusterId() + " in " + keys.region();
        } else {
            candidates.addAll(keys.ourAliases().values());
            looked = "keys with our aliases in " + keys.region()
                    + " (the Resource Groups Tagging API did not answer: tag:GetResources allowed?)";
        }
        candidates.removeIf(k -> k.keyId().equals(inUse.keyId()) && k.region().equals(inUse.region()));
        List<String> orphans = new ArrayList<>();
        List<String> previous = new ArrayList<>();
        for (KeyArn key : candidates) {
            Optional<RegionalKeys.Live> live = keys.describe(key.value());
            if (live.isEmpty() || GONE.contains(live.get().metadata().keyState())) {
                continue;
            }
            boolean granted;
            try {
                granted = keys.policy(key).statement(names.grantSid()).isPresent();
            } catch (CallFailedException e) {
                orphans.add(key + " (its policy cannot be read: " + e.failure() + ")");
                continue;
            }
            if (!granted) {
                continue;
            }
            if (former.contains(key)) {
                previous.add("previous key " + key + " still grants the role (as rotate --new-key leaves it; remove"
                        + " statement " + names.grantSid() + " once the KMS logs show no more use)");
            } else {
                orphans.add("key " + key + " is tagged for the cluster, was never used by CockroachDB, and still"
                        + " grants the role (statement " + names.grantSid() + ")");
            }
        }
        if (!orphans.isEmpty()) {
            List<String> evidence = new ArrayList<>(orphans);
            evidence.addAll(previous);
            return ControlResult.fail(
                    Control.NO_ORPHAN_GRANTS,
                    evidence,
                    "remove statement " + names.grantSid() + " from each orphan's key policy (aws kms get-key-policy,"
                            + " then put-key-policy without it); `cmek revoke` removes it from every key of the cluster");
        }
        List<String> evidence =
                new ArrayList<>(List.of("no key CockroachDB never used grants the role (looked at " + looked + ")"));
        evidence.addAll(previous);
        return new ControlResult(Control.NO_ORPHAN_GRANTS, Verdict.PASS, evidence, null);
    }
}
