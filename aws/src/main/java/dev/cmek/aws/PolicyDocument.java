package dev.cmek.aws;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Predicate;

/** An IAM/KMS policy document, immutable, compared structurally (string-or-list and ordering differences ignored). */
public final class PolicyDocument {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> LIST_FIELDS = List.of("Action", "NotAction", "Resource", "NotResource");

    private final ObjectNode root;

    private PolicyDocument(ObjectNode root) {
        this.root = root;
    }

    /** Parses a document; IAM returns trust policies URL-encoded, so those are decoded first. */
    public static PolicyDocument parse(String json) {
        String text = json.strip();
        if (!text.startsWith("{")) {
            text = URLDecoder.decode(text, StandardCharsets.UTF_8);
        }
        try {
            JsonNode node = JSON.readTree(text);
            if (!(node instanceof ObjectNode object)) {
                throw new InvalidInputException("policy document", json, "a JSON object");
            }
            return new PolicyDocument(object);
        } catch (JsonProcessingException e) {
            throw new InvalidInputException("policy document", json, "valid JSON (" + e.getOriginalMessage() + ")");
        }
    }

    static PolicyDocument of(String id, List<ObjectNode> statements) {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.put("Version", "2012-10-17");
        if (id != null) {
            root.put("Id", id);
        }
        ArrayNode array = root.putArray("Statement");
        statements.forEach(s -> array.add(s.deepCopy()));
        return new PolicyDocument(root);
    }

    /** The statements, as copies; a single statement object counts as a list of one. */
    public List<ObjectNode> statements() {
        JsonNode s = root.get("Statement");
        List<ObjectNode> out = new ArrayList<>();
        if (s instanceof ObjectNode one) {
            out.add(one.deepCopy());
        } else if (s instanceof ArrayNode many) {
            many.forEach(n -> {
                if (n instanceof ObjectNode o) {
                    out.add(o.deepCopy());
                }
            });
        }
        return out;
    }

    public Optional<ObjectNode> statement(String sid) {
        return statements().stream()
                .filter(s -> sid.equals(s.path("Sid").asText(null)))
                .findFirst();
    }

    /** A copy with the statements replaced, everything else (Version, Id, ...) kept. */
    public PolicyDocument withStatements(List<ObjectNode> statements) {
        ObjectNode copy = root.deepCopy();
        ArrayNode array = copy.putArray("Statement");
        statements.forEach(s -> array.add(s.deepCopy()));
        return new PolicyDocument(copy);
    }

    public PolicyDocument withoutStatements(Predicate<ObjectNode> remove) {
        return withStatements(statements().stream().filter(remove.negate()).toList());
    }

    /** A copy where the statement with this Sid is replaced, or appended when absent. */
    public PolicyDocument withStatement(ObjectNode statement) {
        String sid = statement.path("Sid").asText();
        List<ObjectNode> out = new ArrayList<>();
        boolean replaced = false;
        for (ObjectNode s : statements()) {
            if (sid.equals(s.path("Sid").asText(null))) {
                if (!replaced) {
                    out.add(statement);
                    replaced = true;
                }
            } else {
                out.add(s);
            }
        }
        if (!replaced) {
            out.add(statement);
        }
        return withStatements(out);
    }

    public String json() {
        return root.toString();
    }

    /** True when both documents mean the same, ignoring key order, string-vs-list and statement order. */
    public boolean sameAs(PolicyDocument other) {
        return normalized(root).equals(normalized(other.root));
    }

    public static boolean sameStatement(ObjectNode a, ObjectNode b) {
        return normalizeStatement(a).equals(normalizeStatement(b));
    }

    /**
     * Puts back what a revocation removed: statements in {@code before} but not in {@code after} are re-added and
     * statements the revocation added are dropped, while any unrelated change made to {@code current} since is kept.
     */
    public static PolicyDocument restore(PolicyDocument current, PolicyDocument before, PolicyDocument after) {
        List<ObjectNode> removed = difference(before.statements(), after.statements());
        List<ObjectNode> added = difference(after.statements(), before.statements());
        List<ObjectNode> result = new ArrayList<>(difference(current.statements(), added));
        for (ObjectNode s : removed) {
            if (result.stream().noneMatch(r -> sameStatement(r, s))) {
                result.add(s);
            }
        }
        // Keep the original order where possible: statements of `before` first, in their order.
        List<ObjectNode> ordered = new ArrayList<>();
        for (ObjectNode b : before.statements()) {
            result.stream().filter(r -> sameStatement(r, b)).findFirst().ifPresent(r -> {
                ordered.add(r);
                result.remove(r);
            });
        }
        ordered.addAll(result);
        return current.withStatements(ordered);
    }

    /** The statements of {@code from} that {@code minus} does not hold, as JSON. */
    static List<String> difference(PolicyDocument from, PolicyDocument minus) {
        return difference(from.statements(), minus.statements()).stream()
                .map(Object::toString)
                .toList();
    }

    private static List<ObjectNode> difference(List<ObjectNode> from, List<ObjectNode> minus) {
        return from.stream()
                .filter(s -> minus.stream().noneMatch(m -> sameStatement(s, m)))
                .toList();
    }

    private static JsonNode normalized(ObjectNode doc) {
        ObjectNode copy = doc.deepCopy();
        List<JsonNode> statements = new ArrayList<>();
        JsonNode s = doc.get("Statement");
        if (s instanceof ObjectNode one) {
            statements.add(normalizeStatement(one));
        } else if (s instanceof ArrayNode many) {
            many.forEach(n -> statements.add(n instanceof ObjectNode o ? normalizeStatement(o) : n));
        }
        statements.sort(Comparator.comparing(PolicyDocument::canonical));
        ArrayNode array = copy.putArray("Statement");
        statements.forEach(array::add);
        return copy;
    }

    private static ObjectNode normalizeStatement(ObjectNode statement) {
        ObjectNode out = statement.deepCopy();
        for (String field : LIST_FIELDS) {
            if (out.has(field)) {
                out.set(field, sortedSet(out.get(field)));
            }
        }
        for (String field : List.of("Principal", "NotPrincipal")) {
            JsonNode p = out.get(field);
            if (p instanceof ObjectNode map) {
                ObjectNode norm = JsonNodeFactory.instance.objectNode();
                map.properties().forEach(e -> norm.set(e.getKey(), sortedSet(e.getValue())));
                out.set(field, norm);
            }
        }
        if (out.get("Condition") instanceof ObjectNode condition) {
            ObjectNode norm = JsonNodeFactory.instance.objectNode();
            for (Map.Entry<String, JsonNode> op : condition.properties()) {
                ObjectNode keys = JsonNodeFactory.instance.objectNode();
                op.getValue().properties().forEach(k -> keys.set(k.getKey(), sortedSet(k.getValue())));
                norm.set(op.getKey(), keys);
            }
            out.set("Condition", norm);
        }
        return out;
    }

    /** JSON text with object keys sorted, so equal statements sort the same whatever their key order. */
    private static String canonical(JsonNode node) {
        if (node instanceof ObjectNode object) {
            TreeSet<String> keys = new TreeSet<>();
            object.fieldNames().forEachRemaining(keys::add);
            StringBuilder b = new StringBuilder("{");
            for (String k : keys) {
                b.append(JsonNodeFactory.instance.textNode(k))
                        .append(':')
                        .append(canonical(object.get(k)))
                        .append(',');
            }
            return b.append('}').toString();
        }
        if (node instanceof ArrayNode array) {
            StringBuilder b = new StringBuilder("[");
            array.forEach(n -> b.append(canonical(n)).append(','));
            return b.append(']').toString();
        }
        return node.toString();
    }

    static ArrayNode sortedSet(JsonNode value) {
        TreeSet<String> set = new TreeSet<>();
        if (value.isArray()) {
            value.forEach(v -> set.add(v.asText()));
        } else {
            set.add(value.asText());
        }
        ArrayNode array = JsonNodeFactory.instance.arrayNode();
        set.forEach(array::add);
        return array;
    }

    /** The values of a string-or-list field, e.g. every {@code Principal.AWS} of a statement. */
    static List<String> values(JsonNode value) {
        if (value == null || value.isNull() || value.isMissingNode()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        if (value.isArray()) {
            value.forEach(v -> out.add(v.asText()));
        } else {
            out.add(value.asText());
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PolicyDocument other && sameAs(other);
    }

    @Override
    public int hashCode() {
        return normalized(root).hashCode();
    }

    @Override
    public String toString() {
        return json();
    }
}
