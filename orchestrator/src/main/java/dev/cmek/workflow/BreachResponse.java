package dev.cmek.workflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cmek.CmekException;
import dev.cmek.Parallel;
import dev.cmek.api.CloudApi;
import dev.cmek.api.Cluster;
import dev.cmek.api.CmekClusterInfo;
import dev.cmek.api.CmekStatus;
import dev.cmek.api.CmekWaiter;
import dev.cmek.model.CloudProvider;
import dev.cmek.model.KeySpec;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Revocation and restore, for responders. Revocation removes CockroachDB's grants in the cloud first (every region
 * at once), then sends REVOKE and waits; an evidence record is written before anything changes and completed after
 * each step. Restore puts back exactly what that record says was removed. No path deletes or disables a key.
 */
public final class BreachResponse {

    /** Which of the two steps to run; both by default. */
    public enum Steps {
        BOTH,
        CLOUD_ONLY,
        API_ONLY
    }

    public record RevokeOutcome(String clusterId, Path evidence, List<String> removed, CmekClusterInfo status) {}

    public record RestoreOutcome(
            String clusterId,
            String organizationId,
            String revokedAt,
            List<String> restored,
            List<String> warnings,
            CloudKeys.VerifyReport verify,
            String supportNote) {}

    private final CloudApi api;
    private final CmekWaiter waiter;
    private final Function<CloudProvider, CloudKeys> keysFor;
    private final Clock clock;
    private final Consumer<String> progress;

    public BreachResponse(
            CloudApi api,
            CmekWaiter waiter,
            Function<CloudProvider, CloudKeys> keysFor,
            Clock clock,
            Consumer<String> progress) {
        this.api = api;
        this.waiter = waiter;
        this.keysFor = keysFor;
        this.clock = clock;
        this.progress = progress;
    }

    public RevokeOutcome revoke(
            String clusterId, Path evidenceDir, Steps steps, boolean immediate, Optional<Duration> waitFor) {
        // In a breach every round trip before the grants go counts: the three reads go out together.
        Parallel.Call<Cluster> clusterRead = Parallel.start(() -> api.cluster(clusterId));
        Parallel.Call<String> organizationRead =
                Parallel.start(() -> api.organization().id());
        Parallel.Call<CmekClusterInfo> statusRead =
                Parallel.start(() -> CmekLifecycle.statusOrDisabled(api, clusterId));
        Cluster cluster = clusterRead.join(); // first: an unknown cluster must be reported as such, not as "no CMEK"
        ClusterTarget target = ClusterTarget.of(cluster, organizationRead.join());
        CmekClusterInfo before = statusRead.join();
        Map<String, KeySpec> live = CmekLifecycle.currentSpecs(before);
        if (before.status() == CmekStatus.DISABLED || live.isEmpty()) {
            throw new CmekException.InvalidInput(
                    "cluster " + clusterId + " does not use CMEK (status " + before.status() + "); nothing to revoke");
        }
        EvidenceFile evidence = EvidenceFile.begin(evidenceDir, target, clock);
        ObjectNode intent = EvidenceFile.details();
        intent.put("steps_planned", steps.name());
        intent.put("immediate", immediate);
        intent.set("live_key_specs", EvidenceFile.JSON.valueToTree(live));
        intent.set("cmek_status_before", EvidenceFile.JSON.valueToTree(before));
        evidence.step("intent", intent);
        progress.accept("evidence: " + evidence.path());

        List<String> removed = new ArrayList<>();
        if (steps != Steps.API_ONLY) {
            progress.accept("removing CockroachDB's grants in " + cluster.cloudProvider() + " for " + live.size()
                    + " region(s)...");
            CloudKeys.Revocation revocation = keysFor.apply(cluster.cloudProvider())
                    .revoke(target, live, immediate, record -> {
                        ObjectNode planned = EvidenceFile.details();
                        planned.set("record", record);
                        evidence.step("cloud_revocation_planned", planned);
                    });
            removed.addAll(revocation.removed());
            ObjectNode done = EvidenceFile.details();
            done.set("removed", EvidenceFile.JSON.valueToTree(revocation.removed()));
            done.set("record", revocation.record());
            evidence.step("cloud_grants_removed", done);
            revocation.removed().forEach(r -> progress.accept("  removed " + r));
        }
        CmekClusterInfo status = before;
        if (steps != Steps.CLOUD_ONLY) {
            if (before.status() != CmekStatus.REVOKED) {
                status = before.status() == CmekStatus.REVOKING ? before : api.revokeCmek(clusterId);
                ObjectNode sent = EvidenceFile.details();
                sent.set("answer", EvidenceFile.JSON.valueToTree(status));
                evidence.step("api_revoke_sent", sent);
            }
            if (waitFor.isPresent()) {
                status = waiter.await(clusterId, CmekStatus.REVOKED, waitFor.get());
                ObjectNode settled = EvidenceFile.details();
                settled.set("status", EvidenceFile.JSON.valueToTree(status));
                evidence.step("api_revoked", settled);
            }
        }
        evidence.set(
                "completed_at",
                EvidenceFile.JSON.getNodeFactory().textNode(clock.instant().toString()));
        return new RevokeOutcome(clusterId, evidence.path(), removed, status);
    }

    public RestoreOutcome restore(Path evidenceDir) {
        EvidenceFile evidence = EvidenceFile.read(evidenceDir, clock);
        CloudProvider cloud = cloudOf(evidence);
        // The first record written before any change holds every policy as it was; a resumed run's later record may
        // not.
        JsonNode cloudStep = evidence.findStep("cloud_revocation_planned")
                .or(() -> evidence.findStep("cloud_grants_removed"))
                .orElseThrow(
                        () -> new CmekException.InvalidInput(
                                evidence.path() + ": no cloud revocation record in it (the run was --api-only,"
                                        + " or was cut short before its record was written: run the same revoke again to finish it)"));
        CloudKeys keys = keysFor.apply(cloud);
        CloudKeys.RestoreReport restored = keys.restore(cloudStep.path("record"));
        ClusterTarget target = new ClusterTarget(
                evidence.text("cluster_id"),
                cloud,
                evidence.text("account_id"),
                evidence.text("organization_id"),
                regions(evidence));
        Map<String, KeySpec> live = liveSpecs(evidence);
        CloudKeys.VerifyReport verify = keys.verify(target, live);
        String revokedAt = evidence.findStep("api_revoke_sent")
                .map(s -> s.path("at").asText())
                .orElse("(REVOKE was not sent by this run)");
        String note = "Tell CockroachDB support: CMEK access for cluster " + target.clusterId() + " (organization "
                + target.organizationId()
                + ") was revoked at " + revokedAt + " and the key grants were restored at " + clock.instant()
                + "; please restore the cluster's access to its keys.";
        ObjectNode step = EvidenceFile.details();
        step.set("restored", EvidenceFile.JSON.valueToTree(restored.restored()));
        step.set("warnings", EvidenceFile.JSON.valueToTree(restored.warnings()));
        step.put("verified", verify.ok());
        evidence.step("restored", step);
        return new RestoreOutcome(
                target.clusterId(),
                target.organizationId(),
                revokedAt,
                restored.restored(),
                restored.warnings(),
                verify,
                note);
    }

    private static CloudProvider cloudOf(EvidenceFile evidence) {
        try {
            return CloudProvider.valueOf(evidence.text("cloud"));
        } catch (IllegalArgumentException e) {
            throw new CmekException.InvalidInput(
                    evidence.path() + ": unknown cloud \"" + evidence.text("cloud") + "\"");
        }
    }

    private static List<String> regions(EvidenceFile evidence) {
        List<String> regions = new ArrayList<>();
        evidence.document().path("regions").forEach(r -> regions.add(r.asText()));
        return regions;
    }

    private static Map<String, KeySpec> liveSpecs(EvidenceFile evidence) {
        JsonNode specs = evidence.findStep("intent")
                .map(s -> s.path("live_key_specs"))
                .orElseThrow(() -> new CmekException.InvalidInput(
                        evidence.path() + ": record lacks the intent step with the key specs"));
        Map<String, KeySpec> live = new LinkedHashMap<>();
        specs.fields().forEachRemaining(e -> {
            try {
                live.put(e.getKey(), EvidenceFile.JSON.treeToValue(e.getValue(), KeySpec.class));
            } catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
                throw new CmekException.InvalidInput(
                        evidence.path() + ": unreadable key spec for region " + e.getKey());
            }
        });
        return live;
    }
}
