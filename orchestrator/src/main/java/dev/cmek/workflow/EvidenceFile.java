package dev.cmek.workflow;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cmek.AtomicFile;
import dev.cmek.CmekException;
import dev.cmek.FileProblem;
import dev.cmek.OutputPath;
import dev.cmek.PrettyJson;
import dev.cmek.StrictJson;
import dev.cmek.model.CloudProvider;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The record a revocation leaves in its evidence directory ({@value #FILE_NAME}): begun before anything is changed,
 * then rewritten atomically (mode 0600) after every step, above all with each document's intent before that document's
 * first write, so that a responder always has exactly what was removed, when and by whom, however the run ended. A
 * re-run with the same directory resumes it and adds to it. It holds no secrets.
 *
 * <p>Each step carries the SHA-256 of its content, the header its own, and the whole file one over everything: a
 * careless edit is caught and named when the file is read. The digest is no protection against a deliberate edit (it
 * can be recomputed); restore's check of every entry's shape is.
 */
public final class EvidenceFile {
    public static final String FILE_NAME = "revocation.json";
    public static final String FORMAT = "cmek-revocation-evidence/2";
    /** The step each run begins with. */
    public static final String RUN_STEP = "intent";

    public static final String DOCUMENT_INTENT = "document_intent";
    public static final String DOCUMENT_OUTCOME = "document_outcome";

    static final ObjectMapper JSON = JsonMapper.builder().build();
    private static final String DIGEST = "sha256";
    private static final String HEADER_DIGEST = "header_sha256";

    private final Path file;
    private final ObjectNode doc;
    private final Clock clock;
    /** Changes made to {@link #doc} (under this object's lock), and how many of them the file holds. */
    private long changes;

    private long saved;
    /** Held while the file is written; never while waiting for this object's lock the other way round. */
    private final Object saving = new Object();

    /**
     * What a record is about.
     *
     * @param accountId the cluster's cloud account; null when the Cloud API was not read
     * @param organizationId null when the Cloud API was not read
     */
    public record Header(
            String clusterId,
            CloudProvider cloud,
            String accountId,
            String organizationId,
            List<String> regions,
            boolean apiRead) {
        public Header {
            regions = List.copyOf(regions);
        }

        public static Header of(ClusterTarget target) {
            return new Header(
                    target.clusterId(),
                    target.cloud(),
                    target.accountId(),
                    target.organizationId(),
                    target.regions(),
                    true);
        }
    }

    private EvidenceFile(Path file, ObjectNode doc, Clock clock) {
        this.file = file;
        this.doc = doc;
        this.clock = clock;
    }

    /**
     * Starts a new record in {@code dir}, or resumes the unfinished record of a run of the same cluster that was cut
     * short or left grants behind; refuses a finished record or another cluster's, so no evidence is ever overwritten.
     */
    public static EvidenceFile begin(Path dir, Header header, Clock clock) {
        checkUsable(dir, header.clusterId(), clock);
        Path file = dir.resolve(FILE_NAME);
        if (Files.exists(file)) {
            EvidenceFile earlier = read(dir, clock);
            checkResumable(earlier, header.clusterId());
            if (earlier.doc.hasNonNull("completed_at")) {
                throw new IllegalStateException(
                        earlier.path() + " holds a finished revocation: it is never written again");
            }
            if (!earlier.text("cloud").equals(header.cloud().name())) {
                throw new CmekException.InvalidInput(earlier.path() + " holds a revocation on " + earlier.text("cloud")
                        + ", not " + header.cloud() + "; choose a new --evidence directory");
            }
            if (header.apiRead() && !earlier.doc.path("api_read").asBoolean(true)) {
                // A later run that read the API knows what the first one could not: keep it for restore's checks.
                earlier.doc.put("account_id", header.accountId());
                earlier.doc.put("organization_id", header.organizationId());
                earlier.doc.put("api_read", true);
                earlier.sealHeader();
            }
            earlier.step("resumed", details());
            return earlier;
        }
        createOwnerOnly(dir);
        ObjectNode doc = JSON.createObjectNode();
        doc.put("format", FORMAT);
        doc.put("cluster_id", header.clusterId());
        doc.put("cloud", header.cloud().name());
        doc.put("account_id", header.accountId());
        doc.put("organization_id", header.organizationId());
        doc.put("api_read", header.apiRead());
        doc.set("regions", JSON.valueToTree(header.regions()));
        ObjectNode actor = doc.putObject("actor");
        actor.put("os_user", System.getProperty("user.name"));
        actor.put("host", hostName());
        doc.put("started_at", clock.instant().toString());
        doc.putArray("steps");
        EvidenceFile evidence = new EvidenceFile(file, doc, clock);
        evidence.sealHeader();
        evidence.save();
        return evidence;
    }

    /** The record in {@code dir} if it is this cluster's and finished (every grant gone, CockroachDB told). */
    public static Optional<EvidenceFile> finished(Path dir, String clusterId, Clock clock) {
        if (!Files.exists(dir.resolve(FILE_NAME))) {
            return Optional.empty();
        }
        EvidenceFile earlier = read(dir, clock);
        return earlier.text("cluster_id").equals(clusterId) && earlier.doc.hasNonNull("completed_at")
                ? Optional.of(earlier)
                : Optional.empty();
    }

    /** The cloud an earlier run of this cluster's revocation in {@code dir} worked in, if there is one. */
    public static Optional<String> cloudOf(Path dir, String clusterId, Clock clock) {
        if (!Files.exists(dir.resolve(FILE_NAME))) {
            return Optional.empty();
        }
        EvidenceFile earlier = read(dir, clock);
        return earlier.text("cluster_id").equals(clusterId) ? Optional.of(earlier.text("cloud")) : Optional.empty();
    }

    /** Where a revocation of {@code what} (a cluster id, an account) writes when no --evidence is given. */
    public static Path defaultDirectory(String what, Clock clock) {
        return Path.of("cmek-revocation-" + what + "-"
                + java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
                        .withZone(java.time.ZoneOffset.UTC)
                        .format(clock.instant()));
    }

    /**
     * Throws a one-line bad-input error unless {@code dir} can be written (an existing directory that takes files, or
     * a new one in an existing directory) and is empty or holds this cluster's record (a finished one is answered as
     * such by the caller, never written again).
     */
    public static void checkUsable(Path dir, String clusterId, Clock clock) {
        OutputPath.checkDirectory(dir, "--evidence");
        if (Files.exists(dir.resolve(FILE_NAME))) {
            checkResumable(read(dir, clock), clusterId);
        }
    }

    private static void checkResumable(EvidenceFile earlier, String clusterId) {
        if (!earlier.text("cluster_id").equals(clusterId)) {
            throw new CmekException.InvalidInput(earlier.path() + " holds the record of cluster "
                    + earlier.text("cluster_id") + "; choose a new --evidence directory");
        }
    }

    /** Reads a record; every problem, a careless edit included, is a one-line bad-input error. */
    public static EvidenceFile read(Path dir, Clock clock) {
        Path file = Files.isDirectory(dir) ? dir.resolve(FILE_NAME) : dir;
        JsonNode node;
        try {
            node = JSON.readTree(StrictJson.withoutByteOrderMark(Files.readString(file, StandardCharsets.UTF_8)));
        } catch (NoSuchFileException e) {
            throw new CmekException.InvalidInput(
                    file + ": no such file (expected the evidence directory a revoke wrote)");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new CmekException.InvalidInput(file + ": not a revocation record (not valid JSON)");
        } catch (IOException e) {
            throw new CmekException.InvalidInput(file + ": cannot read the evidence: " + FileProblem.describe(e));
        }
        if (node == null || !node.isObject()) {
            throw new CmekException.InvalidInput(file + ": not a revocation record (format must be " + FORMAT + ")");
        }
        if ("cmek-revocation-evidence/1".equals(node.path("format").asText())) {
            throw new CmekException.InvalidInput(file + " was written by an earlier cmek (format 1, no record of"
                    + " intent): restore it with the cmek that wrote it");
        }
        if (!FORMAT.equals(node.path("format").asText())) {
            throw new CmekException.InvalidInput(file + ": not a revocation record (format must be " + FORMAT + ")");
        }
        for (String field : new String[] {"cluster_id", "cloud"}) {
            if (!node.path(field).isTextual()) {
                throw new CmekException.InvalidInput(file + ": revocation record lacks " + field);
            }
        }
        if (!node.path("steps").isArray()) {
            throw new CmekException.InvalidInput(file + ": revocation record lacks its steps");
        }
        EvidenceFile evidence = new EvidenceFile(file, (ObjectNode) node, clock);
        evidence.checkDigests();
        return evidence;
    }

    /** Names what changed since cmek wrote the file, or returns quietly. */
    private void checkDigests() {
        String whole = doc.path(DIGEST).asText("");
        if (whole.equals(digest(withoutDigest(doc)))) {
            return;
        }
        List<String> edited = new ArrayList<>();
        if (!doc.path(HEADER_DIGEST).asText("").equals(digest(header(doc)))) {
            edited.add("the header (cluster, cloud, accounts, regions, actor)");
        }
        int i = 0;
        for (JsonNode step : doc.path("steps")) {
            i++;
            if (!step.isObject() || !step.path(DIGEST).asText("").equals(digest(withoutDigest((ObjectNode) step)))) {
                edited.add("step " + i + " (" + step.path("step").asText("?") + " "
                        + step.path("resource").asText("") + ")");
            }
        }
        if (edited.isEmpty()) {
            edited.add("steps were added, removed or reordered, or a field was added outside them");
        }
        throw new CmekException.InvalidInput(file + " was changed after cmek wrote it (its SHA-256 no longer matches):"
                + " " + String.join("; ", edited) + ". Use the file as the revocation left it (a copy from"
                + " your incident records)");
    }

    /** Appends a step with its time, details and digest, and returns once the file on disk holds it. */
    public void step(String name, ObjectNode details) {
        ObjectNode step = JSON.createObjectNode();
        step.put("step", name);
        step.put("at", clock.instant().toString());
        step.setAll(details);
        step.remove(DIGEST);
        step.put(DIGEST, digest(step));
        change(() -> ((ArrayNode) doc.get("steps")).add(step));
    }

    /** Sets a top-level field, and returns once the file on disk holds it. */
    public void set(String field, JsonNode value) {
        change(() -> doc.set(field, value));
    }

    /** Makes one change to the record under its lock, then returns once the file on disk holds it. */
    private void change(Runnable edit) {
        long mine;
        synchronized (this) {
            edit.run();
            mine = ++changes;
        }
        saveThrough(mine);
    }

    /**
     * Group commit: writes the whole record unless a write that began after change {@code mine} already did. Every
     * Region's thread records its intent right before its first write; written one at a time, each rewriting the whole
     * file, they would hold each other's writes back, so the threads that arrive while a write is on disk are covered
     * by the next one.
     */
    private void saveThrough(long mine) {
        synchronized (saving) {
            if (saved >= mine) {
                return;
            }
            long upTo;
            String text;
            synchronized (this) {
                upTo = changes;
                doc.remove(DIGEST);
                doc.put(DIGEST, digest(doc));
                text = PrettyJson.write(JSON, doc) + "\n";
            }
            AtomicFile.write(file, text);
            restrict(AtomicFile.resolveLinks(file), "rw-------");
            saved = upTo;
        }
    }

    /**
     * How far a record's runs got, for a responder who interrupted one: where each document stands, and whether REVOKE
     * was sent.
     */
    public record Progress(RevocationSummary summary, boolean revokeSent) {
        /** Nothing removed, nothing in progress, nothing sent. */
        public boolean nothingChanged() {
            return summary.removed().isEmpty() && summary.left().isEmpty() && !revokeSent;
        }
    }

    /** The progress of this record's runs. */
    public Progress progress() {
        return new Progress(
                RevocationSummary.of(steps(DOCUMENT_INTENT, DOCUMENT_OUTCOME)),
                !steps(BreachResponse.API_REVOKE_SENT).isEmpty());
    }

    /** The first step of this name, if the run got that far. */
    public synchronized Optional<JsonNode> findStep(String name) {
        for (JsonNode step : doc.path("steps")) {
            if (name.equals(step.path("step").asText())) {
                return Optional.of(step);
            }
        }
        return Optional.empty();
    }

    /** Every step of these names, in order, across every run. */
    public synchronized List<JsonNode> steps(String... names) {
        List<String> wanted = List.of(names);
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode step : doc.path("steps")) {
            if (wanted.contains(step.path("step").asText())) {
                out.add(step.deepCopy());
            }
        }
        return out;
    }

    public String text(String field) {
        return doc.path(field).asText();
    }

    /** A header field that may be null (the cluster account when the Cloud API was not read). */
    public Optional<String> optionalText(String field) {
        JsonNode n = doc.get(field);
        return n == null || n.isNull() || n.asText().isEmpty() ? Optional.empty() : Optional.of(n.asText());
    }

    public synchronized JsonNode document() {
        return doc.deepCopy();
    }

    public Path path() {
        return file;
    }

    public static ObjectNode details() {
        return JSON.createObjectNode();
    }

    private void sealHeader() {
        doc.put(HEADER_DIGEST, digest(header(doc)));
    }

    private void save() {
        change(() -> {});
    }

    /**
     * Creates an evidence directory, and each missing parent, as the responder's alone (0700) whatever the umask, where
     * the file system has modes; an existing directory is made owner-only too. Bad input when it cannot be made.
     */
    public static Path createOwnerOnly(Path dir) {
        try {
            Path target = AtomicFile.resolveLinks(dir);
            try {
                // The mode is given at creation, so no directory is ever open to others, even for an instant.
                Files.createDirectories(
                        target, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (UnsupportedOperationException noPosixModes) {
                Files.createDirectories(target);
            }
            restrict(target, "rwx------");
            return target;
        } catch (IOException e) {
            throw new CmekException.InvalidInput(
                    "cannot create the evidence directory " + dir + ": " + FileProblem.describe(e));
        }
    }

    /** Evidence is for the responder's eyes: owner only, where the file system has POSIX modes. */
    private static void restrict(Path path, String mode) {
        try {
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(mode));
        } catch (UnsupportedOperationException | IOException e) {
            // No POSIX modes here (the temporary file AtomicFile renames in place is created owner-only anyway).
        }
    }

    /**
     * The SHA-256 of a node's canonical form (object keys sorted, no spaces), so that re-indenting or reordering keys
     * is not taken for an edit.
     */
    public static String digest(JsonNode node) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(sha.digest(canonical(node).getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    /** Recomputes every digest of an edited record, as a deliberate editor would (for tests of restore's checks). */
    public static ObjectNode resealed(JsonNode record) {
        ObjectNode doc = record.deepCopy();
        for (JsonNode step : doc.path("steps")) {
            ObjectNode s = (ObjectNode) step;
            s.remove(DIGEST);
            s.put(DIGEST, digest(s));
        }
        doc.put(HEADER_DIGEST, digest(header(doc)));
        doc.remove(DIGEST);
        doc.put(DIGEST, digest(doc));
        return doc;
    }

    private static ObjectNode header(ObjectNode doc) {
        ObjectNode h = doc.deepCopy();
        for (String f : List.of("steps", DIGEST, HEADER_DIGEST, "completed_at", "outcome")) {
            h.remove(f);
        }
        return h;
    }

    private static ObjectNode withoutDigest(ObjectNode node) {
        ObjectNode copy = node.deepCopy();
        copy.remove(DIGEST);
        return copy;
    }

    private static String canonical(JsonNode node) {
        if (node.isObject()) {
            Map<String, JsonNode> sorted = new TreeMap<>();
            Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
            fields.forEachRemaining(e -> sorted.put(e.getKey(), e.getValue()));
            StringBuilder b = new StringBuilder("{");
            sorted.forEach((k, v) -> b.append(value(JSON.getNodeFactory().textNode(k)))
                    .append(':')
                    .append(canonical(v))
                    .append(','));
            return b.append('}').toString();
        }
        if (node.isArray()) {
            StringBuilder b = new StringBuilder("[");
            node.forEach(n -> b.append(canonical(n)).append(','));
            return b.append(']').toString();
        }
        return value(node);
    }

    /**
     * A value as {@link JsonNode#toString} writes it, through this class's mapper: toString builds a mapper of its own
     * on first use (Jackson's InternalNodeMapper), about 30 ms of a cold revoke's main thread.
     */
    private static String value(JsonNode node) {
        try {
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON value that Jackson cannot write: " + node.getNodeType(), e);
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown";
        }
    }
}
