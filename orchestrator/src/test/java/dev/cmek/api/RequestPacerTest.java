package dev.cmek.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RequestPacerTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void firstTenStartAtOnce_eleventhWaitsForTheWindow() {
        RequestPacer pacer = new RequestPacer(10, Duration.ofSeconds(1));
        for (int i = 0; i < 10; i++) {
            assertEquals(0, pacer.reserve(0));
        }
        assertEquals(SECOND, pacer.reserve(0));
    }

    @Test
    void underSustainedLoad_noWindowHoldsMoreThanTen() {
        RequestPacer pacer = new RequestPacer(10, Duration.ofMillis(1050));
        List<Long> slots = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            slots.add(pacer.reserve(i * 1_000_000L)); // 1000 requests/s offered
        }
        for (int i = 0; i + 10 < slots.size(); i++) {
            assertTrue(slots.get(i + 10) - slots.get(i) >= SECOND, "11 starts within one second at " + i);
        }
        // and it is not needlessly slow: 200 requests take about 200/10 windows of 1.05 s
        long span = slots.get(slots.size() - 1) - slots.get(0);
        assertTrue(span < 20 * 1050L * 1_000_000L, "span " + span);
    }

    @Test
    void pause_delaysEveryLaterStart() throws Exception {
        RequestPacer pacer = new RequestPacer(10, Duration.ofSeconds(1));
        pacer.pauseFor(Duration.ofMillis(300));
        long now = System.nanoTime();
        long slot = pacer.reserve(now);
        assertTrue(slot - now >= Duration.ofMillis(290).toNanos(), "slot only " + (slot - now) + " ns ahead");
    }
}
