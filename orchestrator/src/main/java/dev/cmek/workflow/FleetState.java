package dev.cmek.workflow;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cmek.AtomicFile;
import dev.cmek.CmekException;
import dev.cmek.PrettyJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The last outcome of each cluster of a fleet, kept in a file so that a re-run skips what is already done:
 * {@code {"clusters": {"ID": {"outcome": "ENABLED", "exit_code": 0, "message": "...", "finished_at": "..."}}}}.
 * Rewritten atomically after every cluster, so a run cut short loses nothing that finished.
 */
public final class FleetState {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final Clock clock;
    private final Map<String, ObjectNode> clusters;

    private FleetState(Path file, Clock clock, Map<String, ObjectNode> clusters) {
        this.file = file;
        this.clock = clock;
        this.clusters = clusters;
    }

    /** The state in {@code file}, or an empty one when it does not exist yet; a damaged file is bad input. */
    public static FleetState load(Path file, Clock clock) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return new FleetState(file, clock, new TreeMap<>());
        } catch (IOException e) {
            throw new CmekException.InvalidInput(file + ": cannot read state (" + e.getMessage() + ")");
        }
        Map<String, ObjectNode> clusters = new TreeMap<>();
        try {
            JsonNode root = JSON.readTree(text);
            JsonNode map = root == null ? null : root.get("clusters");
            if (map == null || !map.isObject()) {
                throw new CmekException.InvalidInput(
                        file + ": not a fleet state file (no \"clusters\" object); delete it or pass another --state");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getValue().isObject() || !e.getValue().path("outcome").isTextual()) {
                    throw new CmekException.InvalidInput(file + ": cluster " + e.getKey()
                            + " has no \"outcome\"; delete the file or pass another --state");
                }
                clusters.put(e.getKey(), (ObjectNode) e.getValue());
            }
        } catch (JsonProcessingException e) {
            throw new CmekException.InvalidInput(file + ": state file is not valid JSON (" + e.getOriginalMessage()
                    + "); delete it or pass another --state");
        }
        return new FleetState(file, clock, clusters);
    }

    public Path file() {
        return file;
    }

    /** Clusters whose last recorded outcome was ENABLED or ALREADY_ENABLED. */
    public synchronized Set<String> enabled() {
        return clusters.entrySet().stream()
                .filter(e -> Set.of("ENABLED", "ALREADY_ENABLED")
                        .contains(e.getValue().path("outcome").asText()))
                .map(Map.Entry::getKey)
                .collect(Collectors.toUnmodifiableSet());
    }

    /** Records a cluster's outcome and rewrites the file; a SKIPPED result keeps the earlier record. */
    public synchronized void record(Fleet.ClusterResult result) {
        if (result.outcome() == Fleet.Outcome.SKIPPED) {
            return;
        }
        ObjectNode node = JSON.createObjectNode();
        node.put("outcome", result.outcome().name());
        node.put("exit_code", result.exitCode().code());
        node.put("message", result.message());
        node.put("finished_at", clock.instant().toString());
        clusters.put(result.clusterId(), node);
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("clusters", clusters);
        AtomicFile.write(file, PrettyJson.write(JSON, root) + "\n");
    }
}
