package dev.cmek.workflow;

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
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;

/**
 * The record a revocation leaves in its evidence directory ({@value #FILE_NAME}): written before anything is
 * changed, and rewritten atomically after every step, so that a responder always has exactly what was removed,
 * when, and by whom, even when the run is cut short. It holds no secrets.
 */
public final class EvidenceFile {
    public static final String FILE_NAME = "revocation.json";
    public static final String FORMAT = "cmek-revocation-evidence/1";

    static final ObjectMapper JSON = JsonMapper.builder().build();

    private final Path file;
    private final ObjectNode doc;
    private final Clock clock;

    private EvidenceFile(Path file, ObjectNode doc, Clock clock) {
        this.file = file;
        this.doc = doc;
        this.clock = clock;
    }

    /**
     * Starts a new record in {@code dir}, or resumes the unfinished record of a run of the same cluster that was cut
     * short; refuses a finished record or another cluster's, so no evidence is ever overwritten.
     */
    public static EvidenceFile begin(Path dir, ClusterTarget cluster, Clock clock) {
        checkUsable(dir, cluster.clusterId(), clock);
        Path file = dir.resolve(FILE_NAME);
        if (Files.exists(file)) {
            EvidenceFile earlier = read(dir, clock);
            checkResumable(earlier, cluster.clusterId());
            earlier.step("resumed", details());
            return earlier;
        }
        try {
            Files.createDirectories(AtomicFile.resolveLinks(dir));
        } catch (IOException e) {
            throw new CmekException.InvalidInput(
                    "cannot create the evidence directory " + dir + ": " + FileProblem.describe(e));
        }
        ObjectNode doc = JSON.createObjectNode();
        doc.put("format", FORMAT);
        doc.put("cluster_id", cluster.clusterId());
        doc.put("cloud", cluster.cloud().name());
        doc.put("account_id", cluster.accountId());
        doc.put("organization_id", cluster.organizationId());
        doc.set("regions", JSON.valueToTree(cluster.regions()));
        ObjectNode actor = doc.putObject("actor");
        actor.put("os_user", System.getProperty("user.name"));
        actor.put("host", hostName());
        doc.put("started_at", clock.instant().toString());
        doc.putArray("steps");
        EvidenceFile evidence = new EvidenceFile(file, doc, clock);
        evidence.save();
        return evidence;
    }

    /**
     * Throws a one-line bad-input error unless {@code dir} can be written (an existing directory that takes files, or
     * a new one in an existing directory) and is empty or holds this cluster's unfinished record.
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
        if (earlier.doc.hasNonNull("completed_at")) {
            throw new CmekException.InvalidInput(
                    earlier.path() + " holds a finished revocation; choose a new --evidence directory");
        }
    }

    /** Reads a record for restore; every problem is a one-line bad-input error. */
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
        if (node == null
                || !node.isObject()
                || !FORMAT.equals(node.path("format").asText())) {
            throw new CmekException.InvalidInput(file + ": not a revocation record (format must be " + FORMAT + ")");
        }
        for (String field : new String[] {"cluster_id", "cloud", "account_id", "organization_id"}) {
            if (!node.path(field).isTextual()) {
                throw new CmekException.InvalidInput(file + ": revocation record lacks " + field);
            }
        }
        return new EvidenceFile(file, (ObjectNode) node, clock);
    }

    /** Appends a step with its time and details, and saves. */
    public synchronized void step(String name, ObjectNode details) {
        ObjectNode step = JSON.createObjectNode();
        step.put("step", name);
        step.put("at", clock.instant().toString());
        step.setAll(details);
        ((ArrayNode) doc.get("steps")).add(step);
        save();
    }

    public synchronized void set(String field, JsonNode value) {
        doc.set(field, value);
        save();
    }

    /** The first step of this name, if the run got that far. */
    public synchronized java.util.Optional<JsonNode> findStep(String name) {
        for (JsonNode step : doc.path("steps")) {
            if (name.equals(step.path("step").asText())) {
                return java.util.Optional.of(step);
            }
        }
        return java.util.Optional.empty();
    }

    public String text(String field) {
        return doc.path(field).asText();
    }

    public JsonNode document() {
        return doc.deepCopy();
    }

    public Path path() {
        return file;
    }

    public static ObjectNode details() {
        return JSON.createObjectNode();
    }

    private void save() {
        AtomicFile.write(file, PrettyJson.write(JSON, doc) + "\n");
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown";
        }
    }
}
