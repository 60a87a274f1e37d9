package dev.cmek.aws;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.cmek.core.Outcome;
import dev.cmek.core.ResourceKind;
import java.io.IOException;
import java.io.StringWriter;
import java.time.Instant;
import java.util.List;

/**
 * What a revocation meant to remove and what became of each document, enough to put back exactly what was removed.
 * Each {@link Intent} is handed out (and kept by the caller) before the first write to its document; each
 * {@link Outcome} says how that document ended in this run. Keep the intents with the incident ({@link Intent#toJson}).
 *
 * @param revokedBy the caller identity ARN (STS) that made the change, or null when it was not asked
 * @param intents every document's intent, in the order they were written
 * @param outcomes what became of every document this run looked at
 * @param notes what was deliberately not touched, and why
 */
public record RevocationRecord(
        ClusterId clusterId,
        Instant startedAt,
        String revokedBy,
        List<Intent> intents,
        List<Outcome> outcomes,
        List<String> notes) {

    /** The kind of document a revocation changes. */
    public enum Document implements ResourceKind {
        /** The role's trust policy: the master switch, written first. */
        TRUST("role trust"),
        /** A key policy (every replica has its own). */
        KEY_POLICY("key policy"),
        /** The role's inline policy denying sessions issued before the revocation ({@code --immediate}). */
        SESSION_DENY("session deny");

        private final String words;

        Document(String words) {
            this.words = words;
        }

        @Override
        public String words() {
            return words;
        }
    }

    /**
     * A document as read before its first write, and what the write removes from it (and adds: the trust's deny, the
     * session deny).
     *
     * @param resource the role name (TRUST, SESSION_DENY) or the key ARN (KEY_POLICY)
     * @param region the key's region; null for IAM
     * @param role the role ARN the grant or trust belongs to (from IAM, or derived from the key's account)
     * @param before the document as read; null for a session deny that did not exist
     * @param after the document written
     * @param removed the statements the write removes, as JSON
     * @param added the statements the write adds, as JSON
     */
    public record Intent(
            Document document,
            String resource,
            String region,
            RoleArn role,
            String before,
            String after,
            List<String> removed,
            List<String> added,
            Instant at) {
        public Intent {
            removed = List.copyOf(removed);
            added = List.copyOf(added);
        }

        /**
         * The intent as one line of JSON, as the caller keeps it: the same text Jackson's data binding writes for this
         * record (tested), written field by field. The intent is the last thing kept before a document's first write,
         * and in a cold process data binding's first use (introspecting the record, the time module) cost about 30 ms
         * there (a wall-clock profile of {@code revoke --cloud-only}).
         */
        public String toJson() {
            StringWriter out = new StringWriter();
            try (JsonGenerator g = GENERATORS.createGenerator(out)) {
                g.writeStartObject();
                g.writeStringField("document", document == null ? null : document.name());
                g.writeStringField("resource", resource);
                g.writeStringField("region", region);
                g.writeStringField("role", role == null ? null : role.value());
                g.writeStringField("before", before);
                g.writeStringField("after", after);
                strings(g, "removed", removed);
                strings(g, "added", added);
                // ISO-8601, as the time module writes an Instant (DateTimeFormatter.ISO_INSTANT, Instant.toString()).
                g.writeStringField("at", at == null ? null : at.toString());
                g.writeEndObject();
            } catch (IOException e) {
                throw new AwsCmekException("cannot serialise the revocation intent: " + e.getMessage(), e);
            }
            return out.toString();
        }

        private static void strings(JsonGenerator g, String field, List<String> values) throws IOException {
            g.writeArrayFieldStart(field);
            for (String v : values) {
                g.writeString(v);
            }
            g.writeEndArray();
        }

        public static Intent fromJson(String json) {
            return read(json, Intent.class, "revocation intent");
        }
    }

    public RevocationRecord {
        intents = List.copyOf(intents);
        outcomes = List.copyOf(outcomes);
        notes = List.copyOf(notes);
    }

    private static final JsonFactory GENERATORS = new JsonFactory();

    /** Data binding with the time module, made on first use (a revoke writes its intents without it). */
    private static final class Binding {
        static final ObjectMapper JSON = new ObjectMapper()
                .registerModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    }

    private static <T> T read(String json, Class<T> type, String what) {
        try {
            return Binding.JSON.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new InvalidInputException(
                    what,
                    json.length() > 200 ? json.substring(0, 200) + "..." : json,
                    "the JSON written by RevocationRecord (" + e.getOriginalMessage() + ")");
        }
    }
}
