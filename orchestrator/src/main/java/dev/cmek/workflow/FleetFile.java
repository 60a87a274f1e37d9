package dev.cmek.workflow;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cmek.CmekException;
import dev.cmek.StrictJson;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A fleet file: the clusters {@code cmek fleet} enables, each with its manifest or {@code "provision": true}.
 *
 * <pre>{"defaults": {"provision": true},
 *  "clusters": [{"id": "UUID", "manifest": "payments/cmek_config.json"}, {"id": "UUID", "provision": true}, {"id": "UUID"}]}</pre>
 *
 * Manifest paths are relative to the fleet file's directory. Every mistake is one {@link CmekException.InvalidInput}
 * line naming the entry, raised before anything is sent.
 */
public record FleetFile(Path source, List<Entry> clusters) {

    /** One cluster: its key specs come from {@code manifest}, or are provisioned when that is empty. */
    public record Entry(String clusterId, Optional<Path> manifest) {
        public boolean provision() {
            return manifest.isEmpty();
        }
    }

    private static final Pattern UUID =
            Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private static final Set<String> TOP = Set.of("clusters", "defaults");
    private static final Set<String> ENTRY = Set.of("id", "manifest", "provision");
    private static final Set<String> DEFAULTS = Set.of("provision");

    public FleetFile {
        clusters = List.copyOf(clusters);
    }

    public static FleetFile read(Path file) {
        String text = StrictJson.readText(file);
        Path dir = file.toAbsolutePath().getParent();
        return new FleetFile(file, parse(text, file.toString(), dir));
    }

    /** Parses fleet JSON; {@code source} prefixes every message, {@code dir} anchors relative manifest paths. */
    public static List<Entry> parse(String json, String source, Path dir) {
        JsonNode root = StrictJson.parse(json, source, "not valid JSON");
        if (root == null || !root.isObject()) {
            throw bad(source, "must be a JSON object {\"clusters\": [...]}");
        }
        onlyKnown(root, TOP, source, "");
        boolean provisionByDefault = false;
        JsonNode defaults = root.get("defaults");
        if (defaults != null) {
            if (!defaults.isObject()) {
                throw bad(source, "\"defaults\" must be an object");
            }
            onlyKnown(defaults, DEFAULTS, source, "defaults: ");
            provisionByDefault = bool(defaults, "provision", false, source, "defaults: ");
        }
        JsonNode clusters = root.get("clusters");
        if (clusters == null || !clusters.isArray() || clusters.isEmpty()) {
            throw bad(source, "\"clusters\" must be a non-empty array");
        }
        List<Entry> entries = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < clusters.size(); i++) {
            JsonNode c = clusters.get(i);
            String at = "clusters[" + i + "]: ";
            if (!c.isObject()) {
                throw bad(source, at + "must be an object {\"id\": ..., \"manifest\": ...}");
            }
            onlyKnown(c, ENTRY, source, at);
            JsonNode id = c.get("id");
            if (id == null || !id.isTextual() || !UUID.matcher(id.asText()).matches()) {
                throw bad(source, at + "\"id\" must be a cluster id (UUID)");
            }
            String clusterId = id.asText().toLowerCase(java.util.Locale.ROOT);
            if (!seen.add(clusterId)) {
                throw bad(source, at + "cluster " + clusterId + " is listed twice");
            }
            JsonNode manifest = c.get("manifest");
            boolean provision = bool(c, "provision", provisionByDefault && manifest == null, source, at);
            if (manifest != null && (!manifest.isTextual() || manifest.asText().isBlank())) {
                throw bad(source, at + "\"manifest\" must be a file path");
            }
            if (manifest != null && provision) {
                throw bad(source, at + "give either \"manifest\" or \"provision\": true, not both");
            }
            if (manifest == null && !provision) {
                throw bad(source, at + "needs \"manifest\": \"FILE\" or \"provision\": true");
            }
            entries.add(new Entry(
                    clusterId,
                    manifest == null
                            ? Optional.empty()
                            : Optional.of(dir.resolve(manifest.asText()).normalize())));
        }
        return entries;
    }

    private static boolean bool(JsonNode node, String field, boolean otherwise, String source, String at) {
        JsonNode value = node.get(field);
        if (value == null) {
            return otherwise;
        }
        if (!value.isBoolean()) {
            throw bad(source, at + "\"" + field + "\" must be true or false");
        }
        return value.booleanValue();
    }

    private static void onlyKnown(JsonNode node, Set<String> known, String source, String at) {
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!known.contains(name)) {
                throw bad(
                        source,
                        at + "unknown field \"" + name + "\" (allowed: "
                                + String.join(", ", new java.util.TreeSet<>(known)) + ")");
            }
        }
    }

    private static CmekException.InvalidInput bad(String source, String message) {
        return new CmekException.InvalidInput(source + ": " + message);
    }
}
