package dev.cmek.api;

import java.time.Duration;
import java.util.ArrayDeque;

/**
 * Keeps every thread of the process together under the Cloud API's rate limit: at most {@code permits}
 * requests start in any window, with a small margin for network jitter, and a 429 pauses everyone.
 */
public final class RequestPacer {
    private final int permits;
    private final long windowNanos;
    private final ArrayDeque<Long> starts = new ArrayDeque<>();
    private long pausedUntil;

    /** @param permits requests allowed per window; the Cloud API allows 10 per second per user */
    public RequestPacer(int permits, Duration window) {
        if (permits < 1) {
            throw new IllegalArgumentException("permits must be positive");
        }
        this.permits = permits;
        this.windowNanos = window.toNanos();
    }

    /** 10 requests per 1.05 s: the API's 10/s with 5% slack so bursts arriving a little early stay under it. */
    public static RequestPacer cloudApiDefault() {
        return new RequestPacer(10, Duration.ofMillis(1050));
    }

    /** Blocks until this request may start. */
    public void acquire() throws InterruptedException {
        long slot = reserve(System.nanoTime());
        long wait = slot - System.nanoTime();
        if (wait > 0) {
            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
    }

    /** Makes every later request wait at least {@code delay}, as a {@code Retry-After} asks. */
    public synchronized void pauseFor(Duration delay) {
        pausedUntil = Math.max(pausedUntil, System.nanoTime() + delay.toNanos());
    }

    synchronized long reserve(long now) {
        long slot = Math.max(now, pausedUntil);
        if (starts.size() >= permits) {
            slot = Math.max(slot, starts.pollFirst() + windowNanos);
        }
        if (!starts.isEmpty()) {
            slot = Math.max(slot, starts.peekLast());
        }
        starts.addLast(slot);
        return slot;
    }
}
