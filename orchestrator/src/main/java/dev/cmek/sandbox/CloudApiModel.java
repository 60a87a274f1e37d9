package dev.cmek.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The sandbox's organization and clusters, answering each operation in the API's order: the cluster must exist and be
 * ready, the request must pass {@link RequestRules}, the CMEK state must allow the transition ({@link ClusterCmek}),
 * and CockroachDB must be able to use the key ({@link KeySpecCheck}), which decides how the transition ends.
 * Transitions are computed lazily from timestamps on every access (no background threads). All methods lock the model.
 */
final class CloudApiModel {

    private final Clock clock;
    private final ObjectNode organization;
    private final Map<String, SandboxCluster> clusters = new LinkedHashMap<>();
    private final Map<String, String> failNextCmekOperation = new HashMap<>();
    private volatile Duration transitionDelay;
    private volatile KeySpecCheck keySpecCheck;
    /** When set, a key the check cannot use is refused with 400 at once, as the real API does when it cannot reach a key. */
    private volatile boolean rejectInaccessibleKeys;

    private volatile ClusterListing.PageSizes pageSizes = ClusterListing.PageSizes.ASSUMED;

    CloudApiModel(SandboxConfig config, Clock clock, Duration transitionDelay, KeySpecCheck keySpecCheck) {
        this.clock = clock;
        this.organization = config.organization();
        this.transitionDelay = transitionDelay;
        this.keySpecCheck = keySpecCheck;
        for (ObjectNode c : config.clusters()) {
            clusters.put(c.get("id").asText(), new SandboxCluster(c));
        }
    }

    void transitionDelay(Duration delay) {
        this.transitionDelay = delay;
    }

    void keySpecCheck(KeySpecCheck check) {
        this.keySpecCheck = check;
    }

    void rejectInaccessibleKeys(boolean reject) {
        this.rejectInaccessibleKeys = reject;
    }

    void pageSizes(ClusterListing.PageSizes sizes) {
        this.pageSizes = sizes;
    }

    synchronized void holdCreating(String clusterId, Duration duration) {
        find(clusterId).holdCreating(clock.instant().plus(duration));
    }

    synchronized void failNextCmekOperation(String clusterId, String region, String userMessage) {
        find(clusterId);
        failNextCmekOperation.put(clusterId + "/" + region, userMessage);
    }

    // ---- operations -----------------------------------------------------------------------------

    synchronized ObjectNode organization() {
        return organization.deepCopy();
    }

    synchronized ObjectNode listClusters(ClusterListing.Query query) {
        Instant now = clock.instant();
        clusters.values().forEach(c -> c.advance(now));
        return ClusterListing.page(List.copyOf(clusters.values()), query, pageSizes);
    }

    synchronized ObjectNode getCluster(String id) {
        return find(id).render();
    }

    synchronized ObjectNode getCmek(String id) {
        SandboxCluster c = find(id);
        if (!c.cmek.configured()) {
            throw ApiError.notFound("CMEK is not configured for cluster " + id);
        }
        return c.cmek.render();
    }

    synchronized ObjectNode enable(String id, JsonNode body) {
        SandboxCluster c = find(id);
        c.requireReady();
        c.requireAdvanced();
        c.cmek.requireEnableAllowed();
        Map<String, KeySpecCheck.RegionKey> specs =
                RequestRules.regionSpecs(id, c.provider(), body.get("region_specs"), "region_specs");
        RequestRules.requireEveryRegion(id, c.regions(), specs.keySet());
        refuseInaccessible(c, specs);
        c.cmek.enable(specs.values(), start(c));
        return c.cmek.render();
    }

    synchronized ObjectNode rotate(String id, JsonNode body) {
        SandboxCluster c = find(id);
        c.requireReady();
        c.cmek.requireRotateAllowed();
        Map<String, KeySpecCheck.RegionKey> specs =
                RequestRules.regionSpecs(id, c.provider(), body.get("region_specs"), "region_specs");
        RequestRules.requireSomeRegion(specs);
        c.cmek.requireCmekRegions(specs.keySet());
        refuseInaccessible(c, specs);
        c.cmek.rotate(specs.values(), start(c));
        return c.cmek.render();
    }

    synchronized ObjectNode revoke(String id, JsonNode body) {
        SandboxCluster c = find(id);
        c.requireReady();
        RequestRules.requireRevokeAction(body);
        Instant now = clock.instant();
        c.cmek.revoke(now, now.plus(transitionDelay));
        return c.cmek.render();
    }

    synchronized ObjectNode updateCluster(String id, JsonNode body) {
        SandboxCluster c = find(id);
        c.requireReady();
        RequestRules.ClusterUpdate update = RequestRules.clusterUpdate(body);
        c.cmek.requireUnlocked();
        Map<String, Integer> requested = RequestRules.nodeCounts(id, c.regions(), update.regionNodes());
        Set<String> added = new LinkedHashSet<>(requested.keySet());
        added.removeAll(c.regions());
        Map<String, KeySpecCheck.RegionKey> specs = update.cmekRegionSpecs() == null
                ? Map.of()
                : RequestRules.regionSpecs(id, c.provider(), update.cmekRegionSpecs(), "dedicated.cmek_region_specs");
        RequestRules.requireSpecsForAddedRegions(id, c.cmek.configured(), c.regions(), added, specs);
        if (c.cmek.configured() && !added.isEmpty()) {
            c.cmek.requireRegionsMayBeAdded();
        }
        refuseInaccessible(c, specs);
        ClusterCmek.Start start = start(c);
        c.setNodes(requested, start.now());
        c.cmek.enable(specs.values(), start);
        return c.render();
    }

    // ---- key access -----------------------------------------------------------------------------

    /** A transition starting now; each key ends failed with an injected failure or, unless refused up front, the check's. */
    private ClusterCmek.Start start(SandboxCluster c) {
        Instant now = clock.instant();
        return new ClusterCmek.Start(
                now,
                now.plus(transitionDelay),
                key -> {
                    String failure = failNextCmekOperation.remove(c.id + "/" + key.region());
                    if (failure == null && !rejectInaccessibleKeys) {
                        failure = runCheck(c, key).orElse(null);
                    }
                    return failure;
                },
                key -> newestVersion(c, key));
    }

    /** The KMS version CockroachDB would wrap with now, where the key check can see the KMS. */
    private Optional<String> newestVersion(SandboxCluster c, KeySpecCheck.RegionKey key) {
        try {
            return keySpecCheck.newestVersion(facts(c), key);
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    synchronized List<KeyVersionTaken> keyVersionsTaken(String clusterId, String region) {
        return find(clusterId).cmek.taken(region);
    }

    private void refuseInaccessible(SandboxCluster c, Map<String, KeySpecCheck.RegionKey> specs) {
        if (!rejectInaccessibleKeys) {
            return;
        }
        for (KeySpecCheck.RegionKey key : specs.values()) {
            runCheck(c, key).ifPresent(problem -> {
                throw ApiError.failedPrecondition("unable to access key " + key.uri() + " for region " + key.region()
                        + " as " + key.authPrincipal() + ": " + problem);
            });
        }
    }

    private KeySpecCheck.ClusterFacts facts(SandboxCluster c) {
        return new KeySpecCheck.ClusterFacts(
                c.id, c.provider(), c.accountId(), organization.get("id").asText(), c.azureClusterIdentityClientId());
    }

    private Optional<String> runCheck(SandboxCluster c, KeySpecCheck.RegionKey key) {
        KeySpecCheck.ClusterFacts facts = facts(c);
        try {
            return keySpecCheck.check(facts, key);
        } catch (RuntimeException e) {
            return Optional.of("key check failed: " + e.getMessage());
        }
    }

    private SandboxCluster find(String id) {
        SandboxCluster c = clusters.get(id);
        if (c == null) {
            throw ApiError.notFound("cluster " + id + " not found");
        }
        c.advance(clock.instant());
        return c;
    }
}
