package dev.cmek.workflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cmek.core.Fate;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Where a revocation stands over its runs: "removed" only ever comes from an intent, never from a diff. */
class RevocationSummaryTest {
    private static JsonNode intent(String resource, String removing) {
        ObjectNode s = EvidenceFile.details();
        s.put("step", EvidenceFile.DOCUMENT_INTENT);
        s.put("type", "key policy");
        s.put("resource", resource);
        s.put("region", "us-east-1");
        s.putArray("removing").add(removing);
        return s;
    }

    private static JsonNode outcome(String resource, Fate fate) {
        ObjectNode s = EvidenceFile.details();
        s.put("step", EvidenceFile.DOCUMENT_OUTCOME);
        s.put("type", "key policy");
        s.put("resource", resource);
        s.put("region", "us-east-1");
        s.put("fate", fate.name());
        s.put("detail", fate.name().toLowerCase());
        return s;
    }

    @Test
    void anIntentWithItsWriteDone_isRemoved() {
        RevocationSummary s = RevocationSummary.of(List.of(intent("k1", "grant on k1"), outcome("k1", Fate.REMOVED)));
        assertEquals(List.of("grant on k1"), s.removedWords());
        assertTrue(s.complete());
    }

    @Test
    void anIntentWhoseRunWasKilledBeforeItsOutcome_isLeft_untilARerunFindsTheRemovalInPlace() {
        RevocationSummary killed = RevocationSummary.of(List.of(intent("k1", "grant on k1")));
        assertFalse(killed.complete());
        assertTrue(killed.left().get(0).detail().contains("cut short"), killed.toString());

        RevocationSummary resumed =
                RevocationSummary.of(List.of(intent("k1", "grant on k1"), outcome("k1", Fate.ALREADY_ABSENT)));
        assertTrue(resumed.complete());
        assertEquals(List.of("grant on k1"), resumed.removedWords(), "the intent says what we removed");
    }

    @Test
    void nothingFoundWithoutAnIntent_isNotClaimedAsRemoved() {
        RevocationSummary s = RevocationSummary.of(List.of(outcome("k1", Fate.ALREADY_ABSENT)));
        assertTrue(s.removedWords().isEmpty());
        assertEquals(1, s.nothingToRemove().size());
    }

    @Test
    void theLatestOutcomeDecides_overEveryRun() {
        RevocationSummary fixed = RevocationSummary.of(List.of(
                outcome("k1", Fate.LEFT),
                intent("k1", "grant on k1"),
                outcome("k1", Fate.REMOVED),
                outcome("k2", Fate.LEFT)));
        assertEquals(List.of("grant on k1"), fixed.removedWords());
        assertEquals(
                List.of("k2"),
                fixed.left().stream().map(RevocationSummary.Entry::resource).toList());
    }
}
