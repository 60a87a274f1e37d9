package dev.cmek.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The waiting schedule of the module's own retries: bounded, and a read-back believed only when reads agree. */
class EventualConsistencyTest {

    @Test
    void reads_startAt25ms_growByAQuarter_andAreCappedAtOneSecond() {
        assertEquals(Duration.ofMillis(25), EventualConsistency.READS.before(2));
        assertEquals(Duration.ofNanos(31_250_000), EventualConsistency.READS.before(3));
        assertEquals(Duration.ofSeconds(1), EventualConsistency.READS.before(40));
    }

    @Test
    void writes_startAt50ms_growByHalf_andAreCappedAtTwoSeconds() {
        assertEquals(Duration.ofMillis(50), EventualConsistency.WRITES.before(2));
        assertEquals(Duration.ofMillis(75), EventualConsistency.WRITES.before(3));
        assertEquals(Duration.ofSeconds(2), EventualConsistency.WRITES.before(40));
    }

    @Test
    void readWhileNotFound_retriesNotFoundOnly_andGivesUpWithinTheBound() {
        AtomicInteger reads = new AtomicInteger();
        String answer = EventualConsistency.readWhileNotFound(Duration.ofSeconds(10), () -> {
            if (reads.incrementAndGet() < 4) {
                throw software.amazon.awssdk.services.kms.model.NotFoundException.builder()
                        .message("Key 'k' does not exist")
                        .build();
            }
            return "policy";
        });
        assertEquals("policy", answer);
        assertEquals(4, reads.get());

        AtomicInteger denied = new AtomicInteger();
        org.junit.jupiter.api.Assertions.assertThrows(
                software.amazon.awssdk.services.kms.model.KmsException.class,
                () -> EventualConsistency.readWhileNotFound(Duration.ofSeconds(10), () -> {
                    denied.incrementAndGet();
                    throw software.amazon.awssdk.services.kms.model.KmsException.builder()
                            .message("AccessDenied")
                            .build();
                }));
        assertEquals(1, denied.get(), "only NotFound is retried");

        long t0 = System.nanoTime();
        org.junit.jupiter.api.Assertions.assertThrows(
                software.amazon.awssdk.services.kms.model.NotFoundException.class,
                () -> EventualConsistency.readWhileNotFound(Duration.ofMillis(300), () -> {
                    throw software.amazon.awssdk.services.kms.model.NotFoundException.builder()
                            .build();
                }));
        assertTrue((System.nanoTime() - t0) / 1_000_000 < 2_000, "bounded");
    }

    @Test
    void untilConsistent_oneGoodReadBetweenStaleOnes_isNotBelieved() {
        List<Boolean> answers = List.of(false, true, false, true, true, true);
        AtomicInteger reads = new AtomicInteger();
        boolean result = EventualConsistency.untilConsistent(
                Duration.ofSeconds(10), () -> answers.get(reads.getAndIncrement()), ok -> ok);
        assertTrue(result);
        assertEquals(5, reads.get(), "two agreeing reads in a row after the stale one");
    }

    @Test
    void untilConsistent_sendsTheAgreeingReadsAtLeastTheirIntervalApart_countedFromEachStart() {
        long between = EventualConsistency.BETWEEN_CONSISTENT_READS.toMillis();
        // Instant reads: the second waits for the interval.
        List<Long> starts = new ArrayList<>();
        EventualConsistency.untilConsistent(Duration.ofSeconds(10), () -> starts.add(System.nanoTime()), ok -> true);
        long gap = (starts.get(1) - starts.get(0)) / 1_000_000;
        assertTrue(gap >= between - 10, "instant reads " + gap + " ms apart");
        // Reads slower than the interval: the next goes as soon as the last is answered, not an interval later.
        long slow = between * 3 / 2;
        List<Long> slowStarts = new ArrayList<>();
        EventualConsistency.untilConsistent(
                Duration.ofSeconds(10),
                () -> {
                    slowStarts.add(System.nanoTime());
                    Pause.millis(slow);
                    return true;
                },
                ok -> ok);
        long slowGap = (slowStarts.get(1) - slowStarts.get(0)) / 1_000_000;
        assertTrue(
                // The old wait, from the answer, put them at least slow + between apart.
                slowGap >= slow - 10 && slowGap < slow + between,
                "reads of " + slow + " ms sent " + slowGap + " ms apart");
    }

    @Test
    void until_neverTrue_givesUpWithinTheBound_andAnswersTheLastRead() {
        AtomicInteger reads = new AtomicInteger();
        long t0 = System.nanoTime();
        boolean result = EventualConsistency.until(
                Duration.ofMillis(300),
                () -> {
                    reads.incrementAndGet();
                    return false;
                },
                ok -> ok);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertFalse(result);
        assertTrue(reads.get() >= 3, "polled more than once: " + reads.get());
        assertTrue(ms < 2_000, "bounded: " + ms + " ms");
    }
}
