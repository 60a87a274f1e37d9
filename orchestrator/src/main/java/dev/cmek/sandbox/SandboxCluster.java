package dev.cmek.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A cluster as the sandbox serves it: the configured {@code Cluster}, its lifecycle state (CREATING until a held time
 * passes), the node count of each region, and its {@link ClusterCmek}.
 */
final class SandboxCluster {
    final String id;
    final ClusterCmek cmek;
    private final ObjectNode template;
    private final Map<String, Integer> regionNodes = new LinkedHashMap<>();
    private final Map<String, ObjectNode> regionTemplates = new LinkedHashMap<>();
    private String state;
    private Instant creatingUntil;
    private Instant updatedAt;

    /** @param template a completed cluster of {@link SandboxConfig}; its {@code cmek} seed, if any, starts ENABLED */
    SandboxCluster(ObjectNode template) {
        this.template = template.deepCopy();
        this.id = template.get("id").asText();
        this.state = template.get("state").asText();
        this.updatedAt = Instant.parse(template.get("updated_at").asText());
        for (JsonNode r : template.get("regions")) {
            regionNodes.put(r.get("name").asText(), r.get("node_count").asInt());
            regionTemplates.put(r.get("name").asText(), (ObjectNode) r.deepCopy());
        }
        this.cmek = new ClusterCmek(id);
        JsonNode seed = this.template.remove(SandboxConfig.CMEK_SEED);
        if (seed != null) {
            cmek.seedEnabled(
                    RequestRules.regionSpecs(id, provider(), seed.get("region_specs"), "region_specs")
                            .values(),
                    updatedAt);
        }
    }

    String provider() {
        return template.get("cloud_provider").asText();
    }

    String plan() {
        return template.get("plan").asText();
    }

    String name() {
        return template.get("name").asText();
    }

    String accountId() {
        return template.path("account_id").asText();
    }

    /** CockroachDB's app for an Azure cluster; null on the other clouds. */
    String azureClusterIdentityClientId() {
        return template.path(SandboxConfig.AZURE_CLIENT_ID).asText(null);
    }

    Instant createdAt() {
        return Instant.parse(template.get("created_at").asText());
    }

    /** When the cluster was deleted, for DELETED clusters whose config says so. */
    Optional<Instant> deletedAt() {
        JsonNode deleted = template.get("deleted_at");
        return deleted == null || !deleted.isTextual()
                ? Optional.empty()
                : Optional.of(Instant.parse(deleted.asText()));
    }

    /** Not DELETED and not CREATION_FAILED: what the cluster list shows without {@code show_inactive}. */
    boolean active() {
        return !state.equals("DELETED") && !state.equals("CREATION_FAILED");
    }

    Set<String> regions() {
        return regionNodes.keySet();
    }

    /** Brings state and CMEK transitions up to {@code now}. */
    void advance(Instant now) {
        if (creatingUntil != null && !now.isBefore(creatingUntil)) {
            state = "CREATED";
            updatedAt = creatingUntil;
            creatingUntil = null;
        }
        cmek.advance(now).ifPresent(completed -> updatedAt = completed);
    }

    void holdCreating(Instant until) {
        state = "CREATING";
        creatingUntil = until;
    }

    /** Mutations need a CREATED cluster; a CREATING one answers 503 "not ready", as the real API does. */
    void requireReady() {
        if (state.equals("CREATING")) {
            throw ApiError.unavailable("cluster not ready: cluster " + id + " is still CREATING");
        }
        if (!state.equals("CREATED")) {
            throw ApiError.failedPrecondition("cluster " + id + " is " + state + "; it must be CREATED");
        }
    }

    void requireAdvanced() {
        if (!plan().equals("ADVANCED")) {
            throw ApiError.failedPrecondition("CMEK requires the ADVANCED plan; cluster " + id + " is on " + plan());
        }
    }

    /** Sets every listed region's node count, adding regions not there yet. */
    void setNodes(Map<String, Integer> nodes, Instant now) {
        nodes.forEach((region, count) -> {
            regionTemplates.computeIfAbsent(
                    region,
                    r -> SandboxConfig.completeRegion(
                            SandboxConfig.JSON.createObjectNode().put("name", r), name(), id, provider()));
            regionNodes.put(region, count);
        });
        updatedAt = now;
    }

    /** The {@code Cluster} answer: the template with live state, operation status and regions. */
    ObjectNode render() {
        ObjectNode out = template.deepCopy();
        out.put("state", state);
        out.put("updated_at", updatedAt.toString());
        String cmekStatus = cmek.status();
        out.put(
                "operation_status",
                cmek.inProgress()
                        ? "CRDB_CMEK_OPERATION_RUNNING"
                        : cmekStatus.endsWith("_FAILED")
                                ? "CRDB_CMEK_OPERATION_FAILED"
                                : template.get("operation_status").asText());
        ArrayNode regions = out.putArray("regions");
        regionNodes.forEach((name, nodes) ->
                regions.add(regionTemplates.get(name).deepCopy().put("node_count", nodes)));
        return out;
    }
}
