package dev.cmek.workflow;

import dev.cmek.CmekException;
import dev.cmek.ExitCode;
import dev.cmek.api.CloudApi;
import dev.cmek.api.CmekClusterInfo;
import dev.cmek.api.CmekStatus;
import dev.cmek.core.Change;
import dev.cmek.model.CloudProvider;
import dev.cmek.model.CmekEligibility;
import dev.cmek.model.KeySpec;
import dev.cmek.model.Manifest;
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
     * use CMEK (plan, state, visibility, cloud) is refused here, before anything is made in a cloud. With the keys of
     * ours it uses now ({@link #following}), so that plan and provision converge on them after a key rotation.
     */
    public ClusterTarget target(String clusterId) {
        return following(eligibleTarget(clusterId), CmekLifecycle.statusOrDisabled(api, clusterId));
    }

    /** As {@link #target}, without reading the keys in use: for {@code rotate --new-key}, which makes the next ones. */
    public ClusterTarget eligibleTarget(String clusterId) {
        var cluster = api.cluster(clusterId);
        CmekEligibility.require(
                cluster.id(),
                cluster.cloudProvider(),
                cluster.plan(),
                cluster.state().name(),
                cluster.networkVisibility());
        return ClusterTarget.of(cluster, organizationId());
    }

    /**
     * {@code target} with the generation of each key of ours that {@code status} shows in use: after {@code rotate
     * --new-key} (all regions or some), a re-run of provision must land on the keys CockroachDB uses now, not make or
     * report the first generation again. A key the toolkit did not make is generation 0: its region gets the first.
     */
    public ClusterTarget following(ClusterTarget target, CmekClusterInfo status) {
        Map<String, KeySpec> live = CmekLifecycle.currentSpecs(status);
        if (live.isEmpty()) {
            return target;
        }
        CloudKeys keys = keysFor.apply(target.cloud());
        Map<String, Integer> generations = new java.util.LinkedHashMap<>();
        live.forEach((region, spec) -> {
            if (target.regions().contains(region)) {
                generations.put(region, keys.generationOf(target, spec));
            }
        });
        return target.withKeyGenerations(generations);
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
        return ReadyToRun.forCluster(keysFor.apply(target.cloud()).plan(target), target.clusterId());
    }

    /**
     * Ensures keys, principal and grants, then writes the manifest to {@code out} when given.
     *
     * @throws CmekException with {@link ExitCode#REJECTED} when a resource of ours is found without our mark (never
     *     adopted); no manifest is written then
     */
    public CloudKeys.ProvisionReport provision(ClusterTarget target, Optional<Path> out) {
        CloudKeys.ProvisionReport report =
                ReadyToRun.forCluster(keysFor.apply(target.cloud()).provision(target), target.clusterId());
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
     * What {@code enable --provision} would do, with reads only: the plan, and (unless something blocks provisioning,
     * exit 3 as {@link #provision}) what enable would then do with the key specs planned, refusing as enable would.
     */
    public PlannedEnable planEnable(ClusterTarget target, CmekLifecycle lifecycle) {
        CloudKeys.ProvisionReport plan = plan(target);
        if (plan.blocked()) {
            return new PlannedEnable(plan, Optional.empty());
        }
        return new PlannedEnable(
                plan, Optional.of(lifecycle.decideEnable(target.clusterId(), new Manifest(plan.specs()))));
    }

    /** A plan, and what enable would do with its key specs; empty when provisioning is blocked. */
    public record PlannedEnable(CloudKeys.ProvisionReport plan, Optional<CmekLifecycle.Decision> then) {}

    /**
     * Provisions for {@code enable --provision} (and a fleet's provisioned clusters), checking first what enable would
     * refuse: a cluster on keys the toolkit did not make is planned first, so that enable's refusal comes before any key
     * is made; the manifest is written to {@code out} only once enable would take its keys (never a manifest the
     * cluster does not use).
     *
     * @return what enable is to do with the keys provisioned
     */
    public CmekLifecycle.Decision provisionForEnable(
            ClusterTarget target, Optional<Path> out, CmekLifecycle lifecycle) {
        if (target.usesKeysNotMadeHere()) {
            planEnable(target, lifecycle);
        }
        Manifest manifest = provision(target, Optional.empty())
                .manifest()
                .orElseThrow(() -> new IllegalStateException("provisioning returned a region without a key"));
        CmekLifecycle.Decision decision = lifecycle.decideEnable(target.clusterId(), manifest);
        out.ifPresent(file -> ManifestCodec.write(file, manifest));
        return decision;
    }

    /**
     * Every control of every region: the cloud's (the key specs in use against the live keys and policies, orphan keys
     * judged against the keys CockroachDB used before) and CockroachDB's own status for the region.
     */
    public CloudKeys.VerifyReport verify(ClusterTarget target, CmekClusterInfo status) {
        Map<String, KeySpec> live = CmekLifecycle.currentSpecs(status);
        if (live.isEmpty()) {
            throw new dev.cmek.CmekException.InvalidInput("cluster " + target.clusterId()
                    + " has no key specs (CMEK status " + status.status() + "); nothing to verify"
                    + (status.status() == CmekStatus.DISABLED
                            ? "; to give it keys and enable CMEK: `cmek enable --cluster " + target.clusterId()
                                    + " --provision`"
                            : ""));
        }
        return ReadyToRun.forCluster(
                keysFor.apply(target.cloud())
                        .verify(target, live, CockroachControls.formerUris(status))
                        .with(CockroachControls.status(target.clusterId(), status)),
                target.clusterId());
    }
}
