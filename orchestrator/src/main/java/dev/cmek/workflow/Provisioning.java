package dev.cmek.workflow;

import dev.cmek.CmekException;
import dev.cmek.ExitCode;
import dev.cmek.api.CloudApi;
import dev.cmek.api.CmekClusterInfo;
import dev.cmek.core.Change;
import dev.cmek.model.CloudProvider;
import dev.cmek.model.CmekEligibility;
import dev.cmek.model.KeySpec;
import dev.cmek.model.ManifestCodec;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Reads a cluster from the Cloud API and drives the cloud adapter for every region: plan (read-only), provision
 * (idempotent) and verify. The organization id is read once and reused, as it is the same for every cluster.
 */
public final class Provisioning {
    private final CloudApi api;
    private final Function<CloudProvider, CloudKeys> keysFor;
    private volatile String organizationId;

    public Provisioning(CloudApi api, Function<CloudProvider, CloudKeys> keysFor) {
        this.api = api;
        this.keysFor = keysFor;
    }

    /**
     * The cluster's account, regions and the organization id, from the API, for making keys: a cluster that cannot
     * use CMEK (plan, state, visibility, cloud) is refused here, before anything is made in a cloud.
     */
    public ClusterTarget target(String clusterId) {
        var cluster = api.cluster(clusterId);
        CmekEligibility.require(
                cluster.id(),
                cluster.cloudProvider(),
                cluster.plan(),
                cluster.state().name(),
                cluster.networkVisibility());
        return ClusterTarget.of(cluster, organizationId());
    }

    /** As {@link #target}, for reading what exists (verify): no eligibility check, nothing will be made. */
    public ClusterTarget existingTarget(String clusterId) {
        return ClusterTarget.of(api.cluster(clusterId), organizationId());
    }

    /** As {@link #existingTarget}, for a cluster already read (from the cluster list): no request but the organization's, once. */
    public ClusterTarget listedTarget(dev.cmek.api.Cluster cluster) {
        return ClusterTarget.of(cluster, organizationId());
    }

    /** Read once even when many clusters are provisioned at once (cmek fleet). */
    private String organizationId() {
        String id = organizationId;
        if (id == null) {
            synchronized (this) {
                if (organizationId == null) {
                    organizationId = api.organization().id();
                }
                id = organizationId;
            }
        }
        return id;
    }

    public CloudKeys keys(CloudProvider cloud) {
        return keysFor.apply(cloud);
    }

    /** What provision would do; changes nothing. */
    public CloudKeys.ProvisionReport plan(ClusterTarget target) {
        return keysFor.apply(target.cloud()).plan(target);
    }

    /**
     * Ensures keys, principal and grants, then writes the manifest to {@code out} when given.
     *
     * @throws CmekException with {@link ExitCode#REJECTED} when a resource of ours is found without our mark (never
     *     adopted); no manifest is written then
     */
    public CloudKeys.ProvisionReport provision(ClusterTarget target, Optional<Path> out) {
        CloudKeys.ProvisionReport report = keysFor.apply(target.cloud()).provision(target);
        if (report.blocked()) {
            throw new CmekException(
                    ExitCode.REJECTED,
                    "provisioning cluster " + target.clusterId() + " is blocked: "
                            + report.changes().stream()
                                    .filter(c -> c.action() == Change.Action.BLOCKED)
                                    .map(c -> c.resource() + " (" + c.detail() + ")")
                                    .toList());
        }
        out.ifPresent(file -> ManifestCodec.write(
                file,
                report.manifest()
                        .orElseThrow(() -> new IllegalStateException("provisioning returned a region without a key"))));
        return report;
    }

    /**
     * Every control of every region: the cloud's (the key specs in use against the live keys and policies, orphan keys
     * judged against the keys CockroachDB used before) and CockroachDB's own status for the region.
     */
    public CloudKeys.VerifyReport verify(ClusterTarget target, CmekClusterInfo status) {
        Map<String, KeySpec> live = CmekLifecycle.currentSpecs(status);
        if (live.isEmpty()) {
            throw new dev.cmek.CmekException.InvalidInput("cluster " + target.clusterId()
                    + " has no key specs (CMEK status " + status.status() + "); nothing to verify");
        }
        return keysFor.apply(target.cloud())
                .verify(target, live, CockroachControls.formerUris(status))
                .with(CockroachControls.status(target.clusterId(), status));
    }
}
