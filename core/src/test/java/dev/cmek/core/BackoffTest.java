package dev.cmek.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Pause schedules, the retry that gives up within its bound, and the poll that answers its last read. */
class BackoffTest {
    private static final Backoff GROWING_BY_HALF = Backoff.growing(Duration.ofMillis(50), 1.5, Duration.ofSeconds(2));

    @Test
    void pauses_growByTheFactor_upToTheCap() {
        assertEquals(Duration.ofMillis(75), GROWING_BY_HALF.next(Duration.ofMillis(50)));
        assertEquals(Duration.ofMillis(50), GROWING_BY_HALF.before(2));
        assertEquals(Duration.ofMillis(75), GROWING_BY_HALF.before(3));
        assertEquals(Duration.ofNanos(112_500_000), GROWING_BY_HALF.before(4));
        assertEquals(Duration.ofSeconds(2), GROWING_BY_HALF.before(40));
        assertEquals(
                Duration.ofMillis(500), Backoff.fixed(Duration.ofMillis(500)).before(7));
    }

    @Test
    void jitteredPauses_stayInTheUpperHalfOfEachStep() {
        Backoff jittered =
                Backoff.growing(Duration.ofMillis(50), 2, Duration.ofSeconds(2)).withJitter();
        for (int i = 0; i < 200; i++) {
            long ms = jittered.before(3).toMillis();
            assertTrue(ms >= 50 && ms <= 100, ms + " ms outside [50, 100]");
        }
    }

    @Test
    void retry_retriesOnlyWhatItIsTold_andAnswersTheFirstSuccess() {
        AtomicInteger calls = new AtomicInteger();
        String result = Backoff.fixed(Duration.ofMillis(1))
                .retry(
                        Duration.ofSeconds(5),
                        () -> {
                            if (calls.incrementAndGet() < 3) {
                                throw new IllegalStateException("not yet");
                            }
                            return "done";
                        },
                        e -> e instanceof IllegalStateException);

        assertEquals("done", result);
        assertEquals(3, calls.get());

        IllegalArgumentException other = new IllegalArgumentException("a real error");
        assertSame(
                other,
                assertThrows(
                        IllegalArgumentException.class,
                        () -> Backoff.fixed(Duration.ofMillis(1))
                                .retry(
                                        Duration.ofSeconds(5),
                                        () -> {
                                            throw other;
                                        },
                                        e -> e instanceof IllegalStateException)));
    }

    @Test
    void retry_givesUpBeforeAnAttemptWouldStartPastTheBound_withWhatGivenUpMakesOfTheLastFailure() {
        AtomicInteger calls = new AtomicInteger();
        long start = System.nanoTime();
        UnsupportedOperationException given = assertThrows(
                UnsupportedOperationException.class,
                () -> Backoff.fixed(Duration.ofMillis(40))
                        .retry(
                                Duration.ofMillis(100),
                                () -> {
                                    calls.incrementAndGet();
                                    throw new IllegalStateException("never");
                                },
                                e -> true,
                                e -> new UnsupportedOperationException("gave up: " + e.getMessage())));
        long tookMs = (System.nanoTime() - start) / 1_000_000;

        assertEquals("gave up: never", given.getMessage());
        assertEquals(3, calls.get(), "at 0, 40 and 80 ms; the fourth would start at 120 ms");
        assertTrue(tookMs < 1_000, tookMs + " ms");
    }

    @Test
    void until_answersTheFirstWantedRead_orTheLastReadOnceTheBoundIsSpent() {
        AtomicInteger reads = new AtomicInteger();
        assertEquals(
                3,
                Backoff.fixed(Duration.ofMillis(1))
                        .until(Duration.ofSeconds(5), reads::incrementAndGet, n -> n >= 3)
                        .intValue());

        AtomicInteger never = new AtomicInteger();
        int last =
                Backoff.fixed(Duration.ofMillis(30)).until(Duration.ofMillis(100), never::incrementAndGet, n -> false);
        assertEquals(never.get(), last, "the last read is answered");
        assertTrue(last >= 2 && last <= 4, last + " reads");
    }
}
