package dev.cmek.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import dev.cmek.AtomicFile;
import dev.cmek.CmekException;
import dev.cmek.PrettyJson;
import dev.cmek.StrictJson;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Reads and writes {@code cmek_config.json}. Reading is strict (unknown fields, wrong types, duplicate
 * regions and malformed key specs are each reported in one line naming where); writing is pretty-printed
 * in a stable order and atomic.
 */
public final class ManifestCodec {

    private static final ObjectWriter PRETTY = PrettyJson.writer(StrictJson.mapper());

    private ManifestCodec() {}

    /** Reads a manifest file; {@code source} names it in error messages. */
    public static Manifest read(Path file) {
        return parse(StrictJson.readText(file), file.toString());
    }

    /** Parses manifest JSON; every problem is a one-line {@link CmekException.InvalidInput} prefixed by {@code source}. */
    public static Manifest parse(String json, String source) {
        JsonNode root = StrictJson.parse(json, source, "malformed JSON");
        if (root == null || root.isMissingNode()) {
            throw invalid(source, "empty file (expected {\"region_specs\": [...]})");
        }
        requireType(source, "the document", root, JsonNodeType.OBJECT);
        onlyFields(source, "", root, Set.of("region_specs"));
        JsonNode specs = root.get("region_specs");
        if (specs == null) {
            throw invalid(source, "missing field region_specs");
        }
        requireType(source, "region_specs", specs, JsonNodeType.ARRAY);
        if (specs.isEmpty()) {
            throw invalid(source, "region_specs is empty (expected one entry per cluster region)");
        }
        List<RegionSpec> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < specs.size(); i++) {
            String at = "region_specs[" + i + "]";
            JsonNode item = specs.get(i);
            requireType(source, at, item, JsonNodeType.OBJECT);
            onlyFields(source, at + ".", item, Set.of("region", "key_spec"));
            String region = text(source, at + ".region", item.get("region"));
            KeySpecRules.checkRegion(region).ifPresent(problem -> {
                throw invalid(source, at + ".region: " + problem);
            });
            if (!seen.add(region)) {
                throw invalid(source, at + ".region: duplicate region \"" + region + "\" (each region appears once)");
            }
            JsonNode key = item.get("key_spec");
            if (key == null) {
                throw invalid(source, at + ": missing field key_spec");
            }
            requireType(source, at + ".key_spec", key, JsonNodeType.OBJECT);
            onlyFields(source, at + ".key_spec.", key, Set.of("type", "uri", "auth_principal"));
            String type = text(source, at + ".key_spec.type", key.get("type"));
            KeyType keyType = parseType(source, at + ".key_spec.type", type);
            KeySpec spec = new KeySpec(
                    keyType,
                    text(source, at + ".key_spec.uri", key.get("uri")),
                    text(source, at + ".key_spec.auth_principal", key.get("auth_principal")));
            KeySpecRules.check(spec).ifPresent(problem -> {
                throw invalid(source, at + ".key_spec: " + problem);
            });
            out.add(new RegionSpec(region, spec));
        }
        return new Manifest(out);
    }

    /** The manifest as pretty-printed JSON with a trailing newline, fields in the API's order. */
    public static String format(Manifest manifest) {
        // Regions sorted by name, as the Cloud API sorts a cluster's CMEK regions and every other cmek output does.
        Manifest sorted = new Manifest(manifest.regionSpecs().stream()
                .sorted(java.util.Comparator.comparing(RegionSpec::region))
                .toList());
        try {
            return PRETTY.writeValueAsString(sorted) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a manifest always serialises", e);
        }
    }

    /** Writes the manifest through a temporary file and a rename, so readers never see half a file. */
    public static void write(Path file, Manifest manifest) {
        AtomicFile.write(file, format(manifest));
    }

    private static KeyType parseType(String source, String at, String type) {
        for (KeyType known : KeyType.values()) {
            if (known != KeyType.UNRECOGNIZED && known.name().equals(type)) {
                return known;
            }
        }
        throw invalid(
                source,
                at + ": unknown key type \"" + type + "\" (expected AWS_KMS, GCP_CLOUD_KMS or" + " AZURE_KEY_VAULT)");
    }

    private static void onlyFields(String source, String prefix, JsonNode node, Set<String> allowed) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!allowed.contains(name)) {
                throw invalid(
                        source,
                        prefix + name + ": unknown field (allowed here: "
                                + String.join(", ", allowed.stream().sorted().toList()) + ")");
            }
        }
    }

    private static String text(String source, String at, JsonNode node) {
        if (node == null || node.isNull()) {
            throw invalid(source, at + ": missing");
        }
        requireType(source, at, node, JsonNodeType.STRING);
        return node.textValue();
    }

    private static void requireType(String source, String at, JsonNode node, JsonNodeType type) {
        if (node.getNodeType() != type) {
            throw invalid(source, at + ": expected " + describe(type) + ", found " + describe(node.getNodeType()));
        }
    }

    private static String describe(JsonNodeType type) {
        return switch (type) {
            case OBJECT -> "an object";
            case ARRAY -> "an array";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            default -> type.name().toLowerCase();
        };
    }

    private static CmekException.InvalidInput invalid(String source, String message) {
        return new CmekException.InvalidInput(source + ": " + message);
    }
}
