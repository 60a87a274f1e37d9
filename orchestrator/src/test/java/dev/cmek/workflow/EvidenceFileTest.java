package dev.cmek.workflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cmek.CmekException;
import dev.cmek.model.CloudProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The evidence record: owner-only, and a careless edit is caught and named; a re-indent is not an edit. */
class EvidenceFileTest {
    private static final String CLUSTER = "35c4abb2-bb66-46d7-afed-25ebef5ed2aa";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private EvidenceFile begin(Path where) {
        EvidenceFile e = EvidenceFile.begin(
                where,
                new EvidenceFile.Header(CLUSTER, CloudProvider.AWS, "210987654321", "org", List.of("us-east-1"), true),
                Clock.systemUTC());
        ObjectNode outcome = EvidenceFile.details();
        outcome.put("resource", "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab");
        outcome.put("fate", "REMOVED");
        e.step(EvidenceFile.DOCUMENT_OUTCOME, outcome);
        return e;
    }

    @Test
    void digest_ofEveryKindOfValue_isTheOneRecordsWereSealedWith() throws Exception {
        // Records on disk carry these digests: the canonical form (keys sorted, no spaces, values as Jackson writes
        // them) must not change, whatever writes it.
        JsonNode node = JSON.readTree("{\"z\": [1, -2.5, 1.5e300, 12345678901234567890, true, null, {}, []],"
                + " \"a\": \"quote \\\" backslash \\\\ tab \\t nul \\u0000 \u00e9 \u2028 \ud83d\ude00\","
                + " \"m\": {\"\u00e9\": false, \"b\": \"\", \"a\": 0}}");
        assertEquals("b7df0572c56022d3e1a12cf7569e59c4c8d347b561f0a54e89c86f28d0d008e8", EvidenceFile.digest(node));
    }

    @Test
    void stepsFromManyThreads_areEachOnDisk_whenTheirCallReturns() throws Exception {
        Path where = dir.resolve("incident");
        EvidenceFile e = begin(where);
        int threads = 12;
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        List<java.util.concurrent.Future<String>> seen = new java.util.ArrayList<>();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        try {
            for (int i = 0; i < threads; i++) {
                String region = "region-" + i;
                seen.add(pool.submit(() -> {
                    go.await();
                    ObjectNode intent = EvidenceFile.details();
                    intent.put("region", region);
                    e.step(EvidenceFile.DOCUMENT_INTENT, intent);
                    // The intent must be in the file as soon as step returns: the caller writes to the cloud next.
                    return Files.readString(e.path());
                }));
            }
            go.countDown();
            for (int i = 0; i < threads; i++) {
                String onDisk = seen.get(i).get();
                assertTrue(onDisk.contains("\"region-" + i + "\""), "region-" + i + " missing when step returned");
            }
        } finally {
            pool.shutdownNow();
        }
        EvidenceFile back = EvidenceFile.read(where, Clock.systemUTC());
        assertEquals(threads, back.steps(EvidenceFile.DOCUMENT_INTENT).size());
    }

    @Test
    void theRecordAndItsDirectory_areTheOwnersAlone() throws Exception {
        Path where = dir.resolve("incident");
        begin(where);
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(where)));
        assertEquals(
                "rw-------",
                PosixFilePermissions.toString(Files.getPosixFilePermissions(where.resolve(EvidenceFile.FILE_NAME))));
    }

    @Test
    void aCarelessEdit_isRefusedNamingTheStep_orTheHeader() throws Exception {
        Path where = dir.resolve("incident");
        Path file = begin(where).path();
        String text = Files.readString(file);

        Files.writeString(file, text.replace("\"REMOVED\"", "\"LEFT\""));
        CmekException step = assertThrows(CmekException.class, () -> EvidenceFile.read(where, Clock.systemUTC()));
        assertTrue(step.getMessage().contains("step 1 (document_outcome arn:aws:kms"), step.getMessage());

        Files.writeString(file, text.replace("210987654321", "999999999999"));
        CmekException header = assertThrows(CmekException.class, () -> EvidenceFile.read(where, Clock.systemUTC()));
        assertTrue(header.getMessage().contains("the header"), header.getMessage());
    }

    @Test
    void reindentingOrReorderingKeys_isNotAnEdit_andAResealedEditReadsAsIs() throws Exception {
        Path where = dir.resolve("incident");
        Path file = begin(where).path();
        JsonNode doc = JSON.readTree(Files.readString(file));
        Files.writeString(file, JSON.writeValueAsString(doc));
        EvidenceFile.read(where, Clock.systemUTC());

        ((ObjectNode) doc.get("steps").get(0)).put("fate", "LEFT");
        Files.writeString(file, JSON.writeValueAsString(EvidenceFile.resealed(doc)));
        assertEquals(
                "LEFT",
                EvidenceFile.read(where, Clock.systemUTC())
                        .steps(EvidenceFile.DOCUMENT_OUTCOME)
                        .get(0)
                        .path("fate")
                        .asText(),
                "the digest is no protection against a deliberate edit: restore's shape checks are");
    }

    @Test
    void anUnfinishedRecordResumes_aFinishedOneIsNeverOverwritten() {
        Path where = dir.resolve("incident");
        begin(where);
        EvidenceFile resumed = EvidenceFile.begin(
                where,
                new EvidenceFile.Header(CLUSTER, CloudProvider.AWS, "210987654321", "org", List.of("us-east-1"), true),
                Clock.systemUTC());
        assertEquals(1, resumed.steps("resumed").size());
        resumed.set("completed_at", JSON.getNodeFactory().textNode("2026-01-01T00:00:00Z"));
        // A finished record is answered "already revoked" by the caller, never begun again.
        EvidenceFile.checkUsable(where, CLUSTER, Clock.systemUTC());
        assertTrue(EvidenceFile.finished(where, CLUSTER, Clock.systemUTC()).isPresent());
        assertThrows(
                IllegalStateException.class,
                () -> EvidenceFile.begin(
                        where,
                        new EvidenceFile.Header(
                                CLUSTER, CloudProvider.AWS, "210987654321", "org", List.of("us-east-1"), true),
                        Clock.systemUTC()));
        assertThrows(
                CmekException.InvalidInput.class,
                () -> EvidenceFile.checkUsable(where, "11111111-2222-4333-8444-555555555555", Clock.systemUTC()));
    }
}
