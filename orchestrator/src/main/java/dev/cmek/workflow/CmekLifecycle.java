package dev.cmek.workflow;

import dev.cmek.CmekException;
import dev.cmek.api.ApiException;
import dev.cmek.api.CloudApi;
import dev.cmek.api.Cluster;
import dev.cmek.api.ClusterState;
import dev.cmek.api.CmekClusterInfo;
import dev.cmek.api.CmekStatus;
import dev.cmek.api.CmekWaiter;
import dev.cmek.model.ClusterFit;
import dev.cmek.model.KeySpec;
import dev.cmek.model.Manifest;
import dev.cmek.model.RegionSpec;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The Cloud API side of CMEK: enable, rotate, add a region, revoke. Each step checks the request against the
 * live cluster before sending anything, is a no-op when the cluster is already as asked (so re-runs are
 * safe), and then waits for the result.
 */
public final class CmekLifecycle {

    /** What a step did and the status it left. */
    public record Outcome(String clusterId, Action action, CmekClusterInfo status) {}

    /** What a step did; scripts read this from the JSON output. */
    public enum Action {
        ENABLED,
        ALREADY_ENABLED,
        ROTATED,
        REGION_ADDED,
        REGION_ALREADY_PRESENT,
        REVOKED,
        ALREADY_REVOKED,
        SUBMITTED
    }

    private final CloudApi api;
    private final CmekWaiter waiter;
    private final boolean allowCrossRegionKeys;

    public CmekLifecycle(CloudApi api, CmekWaiter waiter) {
        this(api, waiter, false);
    }

    /** @param allowCrossRegionKeys whether an AWS key of another region may serve a region ({@link ClusterFit}) */
    public CmekLifecycle(CloudApi api, CmekWaiter waiter, boolean allowCrossRegionKeys) {
        this.api = Objects.requireNonNull(api);
        this.waiter = Objects.requireNonNull(waiter);
        this.allowCrossRegionKeys = allowCrossRegionKeys;
    }

    /**
     * What a step would send, found with exactly the reads and checks the step makes before sending: a dry run shows it,
     * {@code manifest validate --cluster} checks it, and the step itself acts on it, so that the three cannot disagree.
     *
     * @param step what is to be sent, or {@link Step#NOTHING}
     * @param specs the key specs the step is about
     * @param current the CMEK status read when deciding
     * @param regionNodes every region's node count, the new one included ({@link Step#ADD_REGION} only, else empty)
     */
    public record Decision(
            String clusterId, Step step, Manifest specs, CmekClusterInfo current, Map<String, Integer> regionNodes) {
        public Decision {
            regionNodes = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(regionNodes));
        }

        /** In words, for a dry run: {@code would enable cluster X with key specs for us-east-1, us-west-2}. */
        public String words() {
            String regions = String.join(", ", specs.regions());
            return switch (step) {
                case ENABLE -> "would enable CMEK on cluster " + clusterId + " with key specs for " + regions;
                case REPLACE_FAILED ->
                    "would replace the failed key specs of cluster " + clusterId + " (CMEK " + current.status()
                            + ") with those for " + regions;
                case AWAIT_ENABLING -> "would wait: cluster " + clusterId + " is ENABLING with these very key specs";
                case ROTATE -> "would rotate cluster " + clusterId + " to the key specs for " + regions;
                case ADD_REGION -> "would add region " + regions + " to cluster " + clusterId + " with its key spec";
                case NOTHING ->
                    "nothing to do: cluster " + clusterId + " already uses these key specs for " + regions + " (CMEK "
                            + current.status() + ")";
            };
        }
    }

    /** What a step sends. */
    public enum Step {
        /** POST the key specs: CMEK is DISABLED. */
        ENABLE,
        /** PUT the key specs over a failed enable or rotation (POST would answer "already enabled"). */
        REPLACE_FAILED,
        /** Nothing to send, but an ENABLING with these very keys to wait for. */
        AWAIT_ENABLING,
        /** PUT the key specs of the regions rotated. */
        ROTATE,
        /** PATCH the cluster with the new region's nodes and key spec. */
        ADD_REGION,
        /** Nothing: the cluster is already as asked. */
        NOTHING
    }

    /**
     * What {@link #enable} would do with {@code manifest}; throws what enable would throw (a manifest that does not fit
     * the cluster, CMEK already on with other keys, a status enable cannot start from), having sent nothing.
     */
    public Decision decideEnable(String clusterId, Manifest manifest) {
        Cluster cluster = api.cluster(clusterId);
        requireCmekCapable(cluster);
        ClusterFit.check(
                manifest,
                clusterId,
                cluster.cloudProvider(),
                cluster.regionNames(),
                ClusterFit.Purpose.ENABLE,
                allowCrossRegionKeys);
        return enableStep(clusterId, manifest, statusOrDisabled(api, clusterId));
    }

    /**
     * As {@link #decideEnable}, for the key specs provisioning made or would make for this very cluster: they fit it by
     * construction, and a key a plan has yet to make has no URI (so it never equals a key in use).
     */
    public Decision decideEnableProvisioned(String clusterId, Manifest specs) {
        Cluster cluster = api.cluster(clusterId);
        requireCmekCapable(cluster);
        return enableStep(clusterId, specs, statusOrDisabled(api, clusterId));
    }

    private static Decision enableStep(String clusterId, Manifest manifest, CmekClusterInfo current) {
        CmekStatus status = current.status();
        if (status == CmekStatus.ENABLED || status == CmekStatus.ENABLING) {
            if (!currentSpecs(current).equals(manifest.byRegion())) {
                throw new CmekException.InvalidInput("CMEK is already " + status + " on cluster " + clusterId
                        + " with other keys; to move it to these keys: `cmek rotate --cluster " + clusterId
                        + " --manifest FILE` (or `--new-key`); `cmek status --cluster " + clusterId
                        + "` shows the keys in use");
            }
            return new Decision(
                    clusterId,
                    status == CmekStatus.ENABLED ? Step.NOTHING : Step.AWAIT_ENABLING,
                    manifest,
                    current,
                    Map.of());
        }
        if (status == CmekStatus.ENABLE_FAILED || status == CmekStatus.ROTATE_FAILED) {
            return new Decision(clusterId, Step.REPLACE_FAILED, manifest, current, Map.of());
        }
        if (status != CmekStatus.DISABLED) {
            throw new CmekException.InvalidInput(
                    "cluster " + clusterId + " CMEK status is " + status + "; enable needs DISABLED");
        }
        return new Decision(clusterId, Step.ENABLE, manifest, current, Map.of());
    }

    /**
     * Enables CMEK with a key spec for every region, or does nothing when it is already enabled with exactly these keys.
     *
     * @param waitFor empty to return once the API accepted the request
     */
    public Outcome enable(String clusterId, Manifest manifest, Optional<Duration> waitFor) {
        return enable(decideEnable(clusterId, manifest), waitFor);
    }

    /** Acts on what {@link #decideEnable} found. */
    public Outcome enable(Decision decision, Optional<Duration> waitFor) {
        String clusterId = decision.clusterId();
        return switch (decision.step()) {
            case NOTHING -> new Outcome(clusterId, Action.ALREADY_ENABLED, decision.current());
            case AWAIT_ENABLING -> waited(clusterId, Action.ENABLED, decision.current(), CmekStatus.ENABLED, waitFor);
            case REPLACE_FAILED ->
                waited(
                        clusterId,
                        Action.ENABLED,
                        api.rotateCmek(clusterId, decision.specs()),
                        CmekStatus.ENABLED,
                        waitFor);
            case ENABLE ->
                waited(
                        clusterId,
                        Action.ENABLED,
                        api.enableCmek(clusterId, decision.specs()),
                        CmekStatus.ENABLED,
                        waitFor);
            default -> throw new IllegalArgumentException("not an enable: " + decision.step());
        };
    }

    /** What {@link #rotate} would do with {@code regions}; throws what rotate would throw, having sent nothing. */
    public Decision decideRotate(String clusterId, Manifest regions) {
        Cluster cluster = api.cluster(clusterId);
        ClusterFit.check(
                regions,
                clusterId,
                cluster.cloudProvider(),
                cluster.regionNames(),
                ClusterFit.Purpose.ROTATE,
                allowCrossRegionKeys);
        CmekClusterInfo current = statusOrDisabled(api, clusterId);
        if (current.status() != CmekStatus.ENABLED
                && current.status() != CmekStatus.ENABLE_FAILED
                && current.status() != CmekStatus.ROTATE_FAILED) {
            throw new CmekException.InvalidInput("cluster " + clusterId + " CMEK status is " + current.status()
                    + "; rotate needs ENABLED (or a failed key to replace)"
                    + (current.status() == CmekStatus.DISABLED
                            ? ": enable it first (`cmek enable --cluster " + clusterId + " --manifest FILE`)"
                            : ""));
        }
        return new Decision(clusterId, Step.ROTATE, regions, current, Map.of());
    }

    /**
     * Points the given regions at new key specs, or at the same ones again after a new key version was made
     * inside the KMS (CockroachDB does not notice a new version by itself).
     */
    public Outcome rotate(String clusterId, Manifest regions, Optional<Duration> waitFor) {
        return rotate(decideRotate(clusterId, regions), waitFor);
    }

    /** Acts on what {@link #decideRotate} found. */
    public Outcome rotate(Decision decision, Optional<Duration> waitFor) {
        CmekClusterInfo accepted = api.rotateCmek(decision.clusterId(), decision.specs());
        return waited(decision.clusterId(), Action.ROTATED, accepted, CmekStatus.ENABLED, waitFor);
    }

    /**
     * Submits the key specs the regions already use, unchanged, so that CockroachDB re-wraps their store keys with each
     * key's newest version (docs/cmek-rotation-types.md), and waits. The caller has read the status (ENABLED) and
     * chosen the regions; nothing is read again here, so a fleet-wide re-wrap costs one request per cluster.
     */
    public Outcome resubmit(String clusterId, Manifest unchanged, Optional<Duration> waitFor) {
        CmekClusterInfo accepted = api.rotateCmek(clusterId, unchanged);
        return waited(clusterId, Action.ROTATED, accepted, CmekStatus.ENABLED, waitFor);
    }

    /**
     * The checks of {@link #decideAddRegion} that do not depend on the new region's key, asked before a key is made for
     * it: a new region needs CMEK ENABLED. (A region the cluster already has is judged by its key, once known.)
     */
    public void checkAddRegion(String clusterId, String region, int nodes) {
        requireNodes(nodes);
        Cluster cluster = api.cluster(clusterId);
        if (!cluster.regionNames().contains(region)) {
            requireEnabledForNewRegion(clusterId, statusOrDisabled(api, clusterId));
        }
    }

    /**
     * What {@link #addRegion} would do; throws what it would throw, having sent nothing. A region already there with
     * this very key is nothing to do (a re-run).
     */
    public Decision decideAddRegion(String clusterId, RegionSpec newRegion, int nodes) {
        requireNodes(nodes);
        Cluster cluster = api.cluster(clusterId);
        CmekClusterInfo current = statusOrDisabled(api, clusterId);
        Manifest specs = new Manifest(List.of(newRegion));
        if (cluster.regionNames().contains(newRegion.region())) {
            Optional<KeySpec> live =
                    current.region(newRegion.region()).flatMap(CmekClusterInfo.RegionInfo::currentSpec);
            if (live.isPresent() && live.get().equals(newRegion.keySpec())) {
                return new Decision(clusterId, Step.NOTHING, specs, current, Map.of());
            }
        }
        ClusterFit.check(
                specs,
                clusterId,
                cluster.cloudProvider(),
                cluster.regionNames(),
                ClusterFit.Purpose.ADD_REGION,
                allowCrossRegionKeys);
        requireEnabledForNewRegion(clusterId, current);
        Map<String, Integer> regionNodes = new LinkedHashMap<>(cluster.regionNodes());
        regionNodes.put(newRegion.region(), nodes);
        return new Decision(clusterId, Step.ADD_REGION, specs, current, regionNodes);
    }

    /** Adds a region with its node count and key spec to a CMEK cluster; a no-op when the region is already there with this key. */
    public Outcome addRegion(String clusterId, RegionSpec newRegion, int nodes, Optional<Duration> waitFor) {
        return addRegion(decideAddRegion(clusterId, newRegion, nodes), waitFor);
    }

    /** Acts on what {@link #decideAddRegion} found. */
    public Outcome addRegion(Decision decision, Optional<Duration> waitFor) {
        String clusterId = decision.clusterId();
        if (decision.step() == Step.NOTHING) {
            return new Outcome(clusterId, Action.REGION_ALREADY_PRESENT, decision.current());
        }
        api.addRegions(clusterId, decision.regionNodes(), decision.specs().regionSpecs());
        return waited(clusterId, Action.REGION_ADDED, api.cmekStatus(clusterId), CmekStatus.ENABLED, waitFor);
    }

    private static void requireNodes(int nodes) {
        if (nodes < 1) {
            throw new CmekException.InvalidInput("--nodes must be at least 1 (got " + nodes + ")");
        }
    }

    private static void requireEnabledForNewRegion(String clusterId, CmekClusterInfo current) {
        if (current.status() != CmekStatus.ENABLED) {
            throw new CmekException.InvalidInput("cluster " + clusterId + " CMEK status is " + current.status()
                    + "; add-region with a key needs ENABLED"
                    + (current.status() == CmekStatus.DISABLED
                            ? " (enable CMEK first: `cmek enable --cluster " + clusterId + " --provision`)"
                            : ""));
        }
    }

    /** Sends REVOKE (the API step of a revocation; the cloud-side grants are removed separately, first). */
    public Outcome revoke(String clusterId, Optional<Duration> waitFor) {
        api.cluster(clusterId);
        CmekClusterInfo current = statusOrDisabled(api, clusterId);
        if (current.status() == CmekStatus.REVOKED) {
            return new Outcome(clusterId, Action.ALREADY_REVOKED, current);
        }
        if (current.status() == CmekStatus.REVOKING) {
            return waited(clusterId, Action.REVOKED, current, CmekStatus.REVOKED, waitFor);
        }
        if (current.status() == CmekStatus.DISABLED) {
            throw new CmekException.InvalidInput(
                    "cluster " + clusterId + " does not use CMEK (status DISABLED); nothing to revoke");
        }
        CmekClusterInfo accepted = api.revokeCmek(clusterId);
        return waited(clusterId, Action.REVOKED, accepted, CmekStatus.REVOKED, waitFor);
    }

    private Outcome waited(
            String clusterId,
            Action action,
            CmekClusterInfo accepted,
            CmekStatus expected,
            Optional<Duration> waitFor) {
        if (waitFor.isEmpty()) {
            return new Outcome(clusterId, Action.SUBMITTED, accepted);
        }
        return new Outcome(clusterId, action, waiter.await(clusterId, expected, waitFor.get()));
    }

    /**
     * The CMEK status, where a cluster that never had CMEK answers 404 (as the Terraform provider also reads it).
     * Only call after {@code api.cluster(clusterId)} succeeded, so a 404 here cannot mean an unknown cluster.
     */
    public static CmekClusterInfo statusOrDisabled(CloudApi api, String clusterId) {
        try {
            return api.cmekStatus(clusterId);
        } catch (ApiException e) {
            if (e.httpStatus() == 404) {
                return new CmekClusterInfo(CmekStatus.DISABLED, List.of());
            }
            throw e;
        }
    }

    /** The key spec each region currently uses. */
    public static Map<String, KeySpec> currentSpecs(CmekClusterInfo info) {
        Map<String, KeySpec> specs = new LinkedHashMap<>();
        for (CmekClusterInfo.RegionInfo region : info.regionInfos()) {
            region.currentSpec().ifPresent(spec -> specs.put(region.region(), spec));
        }
        return specs;
    }

    private static void requireCmekCapable(Cluster cluster) {
        if (cluster.plan() != null && !cluster.plan().equals("ADVANCED")) {
            throw new CmekException.InvalidInput(
                    "cluster " + cluster.id() + " is on plan " + cluster.plan() + "; CMEK needs an ADVANCED cluster");
        }
        if (cluster.state() == ClusterState.CREATION_FAILED || cluster.state() == ClusterState.DELETED) {
            throw new CmekException.InvalidInput("cluster " + cluster.id() + " is " + cluster.state());
        }
    }
}
