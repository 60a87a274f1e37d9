package dev.cmek.api;

import java.time.Duration;
import java.util.PriorityQueue;

/**
 * Keeps every thread of the process together under the Cloud API's rate limit of {@code permits} requests in any
 * window. Each request holds one of {@code permits} permits from its start until its answer arrives, and a permit
 * can start a new request only a full window after that answer. Since the server counted the earlier request no later
 * than it answered, no window at the server ever holds more than {@code permits} requests, however slow the network
 * or the first connection is. A 429 pauses everyone for its {@code Retry-After}.
 */
public final class RequestPacer {
    private final long windowNanos;
    /** When each idle permit may start its next request. */
    private final PriorityQueue<Long> idle = new PriorityQueue<>();

    private long pausedUntil = Long.MIN_VALUE;

    /** @param permits requests allowed per window; the Cloud API allows 10 per second per user */
    public RequestPacer(int permits, Duration window) {
        if (permits < 1) {
            throw new IllegalArgumentException("permits must be positive");
        }
        this.windowNanos = window.toNanos();
        long origin = System.nanoTime() - windowNanos;
        for (int i = 0; i < permits; i++) {
            idle.add(origin);
        }
    }

    /** The Cloud API's 10 requests per second. */
    public static RequestPacer cloudApiDefault() {
        return new RequestPacer(10, Duration.ofSeconds(1));
    }

    /** Blocks until a request may start; pair with {@link #release()} once its answer (or failure) arrived. */
    public void acquire() throws InterruptedException {
        long slot = take();
        long wait = slot - System.nanoTime();
        if (wait > 0) {
            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
    }

    /** The request that held a permit is answered; the permit may start another one a window from now. */
    public synchronized void release() {
        idle.add(System.nanoTime() + windowNanos);
        notifyAll();
    }

    /** Makes every later request wait at least {@code delay}, as a {@code Retry-After} asks. */
    public synchronized void pauseFor(Duration delay) {
        pausedUntil = Math.max(pausedUntil, System.nanoTime() + delay.toNanos());
    }

    /** Takes the permit that is free earliest, waiting while all are in flight; answers when the request may start. */
    synchronized long take() throws InterruptedException {
        while (idle.isEmpty()) {
            wait();
        }
        return Math.max(Math.max(System.nanoTime(), idle.poll()), pausedUntil);
    }

    /** For tests: how many permits are idle. */
    synchronized int idlePermits() {
        return idle.size();
    }
}
