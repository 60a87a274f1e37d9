package dev.cmek.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RequestPacerTest {

    @Test
    void firstPermitsStartAtOnce() throws Exception {
        RequestPacer pacer = new RequestPacer(3, Duration.ofSeconds(5));
        long before = System.nanoTime();
        for (int i = 0; i < 3; i++) {
            pacer.acquire();
        }
        assertTrue(System.nanoTime() - before < Duration.ofMillis(500).toNanos());
        assertEquals(0, pacer.idlePermits());
    }

    @Test
    void aPermitStartsAgainOnlyAWindowAfterItsAnswer() throws Exception {
        RequestPacer pacer = new RequestPacer(1, Duration.ofMillis(300));
        pacer.acquire();
        Thread.sleep(100); // a slow answer
        pacer.release();
        long answered = System.nanoTime();
        pacer.acquire();
        assertTrue(
                System.nanoTime() - answered >= Duration.ofMillis(290).toNanos(), "waited a window after the answer");
    }

    /** Requests with random latency never put more than the permits in any window, counted where a server counts them. */
    @Test
    void underLoadWithUnevenLatency_noWindowHoldsMoreThanThePermits() throws Exception {
        RequestPacer pacer = new RequestPacer(5, Duration.ofMillis(200));
        List<Long> arrivals = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<?>> done = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            int n = i;
            done.add(pool.submit(() -> {
                pacer.acquire();
                try {
                    Thread.sleep(n % 7 == 0 ? 60 : 5); // the request travels; some slowly
                    arrivals.add(System.nanoTime()); // the server counts it here
                    Thread.sleep(5); // and answers
                } finally {
                    pacer.release();
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get(30, TimeUnit.SECONDS);
        }
        pool.shutdown();
        List<Long> sorted = new ArrayList<>(arrivals);
        Collections.sort(sorted);
        for (int i = 0; i + 5 < sorted.size(); i++) {
            assertTrue(
                    sorted.get(i + 5) - sorted.get(i) >= Duration.ofMillis(200).toNanos(),
                    "6 arrivals within one window at " + i);
        }
    }

    @Test
    void pause_delaysEveryLaterStart() throws Exception {
        RequestPacer pacer = new RequestPacer(10, Duration.ofSeconds(1));
        pacer.pauseFor(Duration.ofMillis(300));
        long before = System.nanoTime();
        pacer.acquire();
        assertTrue(System.nanoTime() - before >= Duration.ofMillis(290).toNanos());
    }
}
