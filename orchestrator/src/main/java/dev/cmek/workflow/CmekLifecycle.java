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
     * Enables CMEK with a key spec for every region, or does nothing when it is already enabled with exactly these keys.
     *
     * @param waitFor empty to return once the API accepted the request
     */
    public Outcome enable(String clusterId, Manifest manifest, Optional<Duration> waitFor) {
        Cluster cluster = api.cluster(clusterId);
        requireCmekCapable(cluster);
        ClusterFit.check(
                manifest,
                clusterId,
                cluster.cloudProvider(),
                cluster.regionNames(),
                ClusterFit.Purpose.ENABLE,
                allowCrossRegionKeys);
        CmekClusterInfo current = statusOrDisabled(api, clusterId);
        if (current.status() == CmekStatus.ENABLED || current.status() == CmekStatus.ENABLING) {
            Map<String, KeySpec> live = currentSpecs(current);
            if (!live.equals(manifest.byRegion())) {
                throw new CmekException.InvalidInput("CMEK is already " + current.status() + " on cluster " + clusterId
                        + " with other keys; use `cmek rotate` to change keys");
            }
            if (current.status() == CmekStatus.ENABLED) {
                return new Outcome(clusterId, Action.ALREADY_ENABLED, current);
            }
            return waited(clusterId, Action.ENABLED, current, CmekStatus.ENABLED, waitFor);
        }
        if (current.status() == CmekStatus.ENABLE_FAILED || current.status() == CmekStatus.ROTATE_FAILED) {
            // CMEK exists but a key failed: the spec is replaced with PUT (POST would answer "already enabled").
            CmekClusterInfo accepted = api.rotateCmek(clusterId, manifest);
            return waited(clusterId, Action.ENABLED, accepted, CmekStatus.ENABLED, waitFor);
        }
        if (current.status() != CmekStatus.DISABLED) {
            throw new CmekException.InvalidInput(
                    "cluster " + clusterId + " CMEK status is " + current.status() + "; enable needs DISABLED");
        }
        CmekClusterInfo accepted = api.enableCmek(clusterId, manifest);
        return waited(clusterId, Action.ENABLED, accepted, CmekStatus.ENABLED, waitFor);
    }

    /**
     * Points the given regions at new key specs, or at the same ones again after a new key version was made
     * inside the KMS (CockroachDB does not notice a new version by itself).
     */
    public Outcome rotate(String clusterId, Manifest regions, Optional<Duration> waitFor) {
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
                    + "; rotate needs ENABLED (or a failed key to replace)");
        }
        CmekClusterInfo accepted = api.rotateCmek(clusterId, regions);
        return waited(clusterId, Action.ROTATED, accepted, CmekStatus.ENABLED, waitFor);
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

    /** Adds a region with its node count and key spec to a CMEK cluster; a no-op when the region is already there with this key. */
    public Outcome addRegion(String clusterId, RegionSpec newRegion, int nodes, Optional<Duration> waitFor) {
        if (nodes < 1) {
            throw new CmekException.InvalidInput("--nodes must be at least 1 (got " + nodes + ")");
        }
        Cluster cluster = api.cluster(clusterId);
        CmekClusterInfo current = statusOrDisabled(api, clusterId);
        if (cluster.regionNames().contains(newRegion.region())) {
            Optional<KeySpec> live =
                    current.region(newRegion.region()).flatMap(CmekClusterInfo.RegionInfo::currentSpec);
            if (live.isPresent() && live.get().equals(newRegion.keySpec())) {
                return new Outcome(clusterId, Action.REGION_ALREADY_PRESENT, current);
            }
        }
        ClusterFit.check(
                new Manifest(List.of(newRegion)),
                clusterId,
                cluster.cloudProvider(),
                cluster.regionNames(),
                ClusterFit.Purpose.ADD_REGION,
                allowCrossRegionKeys);
        if (current.status() != CmekStatus.ENABLED) {
            throw new CmekException.InvalidInput("cluster " + clusterId + " CMEK status is " + current.status()
                    + "; add-region with a key needs ENABLED (enable CMEK first)");
        }
        Map<String, Integer> regionNodes = new LinkedHashMap<>(cluster.regionNodes());
        regionNodes.put(newRegion.region(), nodes);
        api.addRegions(clusterId, regionNodes, List.of(newRegion));
        return waited(clusterId, Action.REGION_ADDED, api.cmekStatus(clusterId), CmekStatus.ENABLED, waitFor);
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
