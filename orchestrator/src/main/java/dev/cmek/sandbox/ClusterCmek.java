package dev.cmek.sandbox;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * One cluster's CMEK state machine ({@code CMEKClusterInfo}): which transitions each status allows, the lock a
 * transition in progress holds on the cluster (every mutation is 409 meanwhile), and each region's keys
 * ({@link RegionCmek}). Transitions complete lazily from timestamps in {@link #advance}; the model's lock guards all.
 */
final class ClusterCmek {

    /**
     * When a transition starts and completes, the {@code *_FAILED} message each key will end with (null: none), and the
     * KMS version each key has now (empty: not known).
     */
    record Start(
            Instant now,
            Instant completesAt,
            Function<KeySpecCheck.RegionKey, String> failure,
            Function<KeySpecCheck.RegionKey, Optional<String>> kmsVersion) {}

    private final String clusterId;
    /** Empty until CMEK is first enabled. */
    private final Map<String, RegionCmek> regions = new LinkedHashMap<>();

    ClusterCmek(String clusterId) {
        this.clusterId = clusterId;
    }

    /** CMEK already ENABLED with {@code keys} since {@code since}. */
    void seedEnabled(Collection<KeySpecCheck.RegionKey> keys, Instant since) {
        keys.forEach(key -> regions.put(key.region(), RegionCmek.enabled(key, since)));
    }

    boolean configured() {
        return !regions.isEmpty();
    }

    boolean inProgress() {
        return regions.values().stream().anyMatch(RegionCmek::inProgress);
    }

    /** Cluster-level status: an operation in progress wins, then a failure, then the settled status. */
    String status() {
        if (regions.isEmpty()) {
            return "DISABLED";
        }
        List<String> statuses =
                regions.values().stream().map(RegionCmek::status).toList();
        return statuses.stream()
                .filter(s -> s.endsWith("ING"))
                .findFirst()
                .or(() -> statuses.stream().filter(s -> s.endsWith("_FAILED")).findFirst())
                .orElse(statuses.get(0));
    }

    /** Completes every due transition; answers when the last one completed. */
    Optional<Instant> advance(Instant now) {
        Optional<Instant> last = Optional.empty();
        for (RegionCmek region : regions.values()) {
            Optional<Instant> completed = region.advance(now);
            if (completed.isPresent()) {
                last = completed;
            }
        }
        return last;
    }

    void requireUnlocked() {
        if (inProgress()) {
            throw ApiError.locked("cluster " + clusterId + " is locked: a CMEK operation is in progress (status "
                    + status() + "); retry when it settles");
        }
    }

    /** POST enable: unlocked and never enabled. */
    void requireEnableAllowed() {
        requireUnlocked();
        if (configured()) {
            throw ApiError.failedPrecondition("CMEK is already enabled for cluster " + clusterId + " (status "
                    + status() + "); use PUT to rotate keys");
        }
    }

    /** PUT rotate: unlocked, enabled, and settled as ENABLED or failed in a way a new spec can repair. */
    void requireRotateAllowed() {
        requireUnlocked();
        requireConfigured();
        String status = status();
        if (!Set.of("ENABLED", "ENABLE_FAILED", "ROTATE_FAILED").contains(status)) {
            throw ApiError.failedPrecondition("cannot update keys of cluster " + clusterId + ": CMEK status is "
                    + status + " (needs ENABLED, ENABLE_FAILED or ROTATE_FAILED)");
        }
    }

    /** A rotation may name only regions CMEK already covers; new regions come through the cluster update. */
    void requireCmekRegions(Set<String> names) {
        for (String region : names) {
            if (!regions.containsKey(region)) {
                throw ApiError.invalidArgument("region " + region + " is not a CMEK region of cluster " + clusterId
                        + "; add regions with PATCH /api/v1/clusters/" + clusterId);
            }
        }
    }

    /** Adding regions to a CMEK cluster needs it ENABLED. */
    void requireRegionsMayBeAdded() {
        if (!status().equals("ENABLED")) {
            throw ApiError.failedPrecondition("cannot add regions to cluster " + clusterId
                    + " while its CMEK status is " + status() + " (needs ENABLED)");
        }
    }

    /** Enables CMEK on every region of {@code keys} (all of the cluster's, or only added ones). */
    void enable(Collection<KeySpecCheck.RegionKey> keys, Start start) {
        for (KeySpecCheck.RegionKey key : keys) {
            RegionCmek region = new RegionCmek();
            regions.put(key.region(), region);
            begin(region, key, RegionCmek.Kind.ENABLE, start);
        }
    }

    /** Rotates each region of {@code keys}; a region whose enable failed is enabled again instead. */
    void rotate(Collection<KeySpecCheck.RegionKey> keys, Start start) {
        for (KeySpecCheck.RegionKey key : keys) {
            RegionCmek region = regions.get(key.region());
            begin(
                    region,
                    key,
                    region.status().equals("ENABLE_FAILED") ? RegionCmek.Kind.ENABLE : RegionCmek.Kind.ROTATE,
                    start);
        }
    }

    /** REVOKE: needs ENABLED, ROTATE_FAILED or REVOKE_FAILED; there is no way back through the API. */
    void revoke(Instant now, Instant completesAt) {
        requireUnlocked();
        requireConfigured();
        String status = status();
        if (status.equals("REVOKED")) {
            throw ApiError.failedPrecondition("CMEK of cluster " + clusterId + " is already revoked");
        }
        if (!Set.of("ENABLED", "ROTATE_FAILED", "REVOKE_FAILED").contains(status)) {
            throw ApiError.failedPrecondition("cannot revoke CMEK of cluster " + clusterId + ": status is " + status
                    + " (needs ENABLED, ROTATE_FAILED or REVOKE_FAILED)");
        }
        regions.values().forEach(region -> region.startRevoke(now, completesAt));
    }

    /** Every submission of {@code region} whose KMS version was known, oldest first. */
    List<KeyVersionTaken> taken(String region) {
        RegionCmek r = regions.get(region);
        return r == null ? List.of() : r.taken();
    }

    /** {@code CMEKClusterInfo}; the real API sorts region_infos by region name (noted in the Terraform provider's cmek_resource.go). */
    ObjectNode render() {
        ObjectNode out = SandboxConfig.JSON.createObjectNode();
        out.put("status", status());
        ArrayNode infos = out.putArray("region_infos");
        new TreeMap<>(regions).forEach((name, region) -> infos.add(region.render(name)));
        return out;
    }

    private void requireConfigured() {
        if (!configured()) {
            throw ApiError.failedPrecondition(
                    "CMEK is not enabled for cluster " + clusterId + "; enable it with POST first");
        }
    }

    private static void begin(RegionCmek region, KeySpecCheck.RegionKey key, RegionCmek.Kind kind, Start start) {
        region.start(
                key,
                kind,
                start.now(),
                start.completesAt(),
                start.failure().apply(key),
                start.kmsVersion().apply(key));
    }
}
