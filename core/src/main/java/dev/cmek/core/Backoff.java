package dev.cmek.core;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * A schedule of pauses between attempts: the first pause, each next one {@code factor} times the last, never more than
 * {@code max}; jittered pauses are drawn from the upper half of each step, so racing writers drift apart. Every wait of
 * the toolkit's own (a resource not yet visible, a poll for a state, an etag race) is one of these, named where it is
 * used; transport retries (throttling, 5xx) are the SDKs' own.
 */
public record Backoff(Duration first, double factor, Duration max, boolean jittered) {

    public Backoff {
        if (first.isNegative() || max.compareTo(first) < 0 || factor < 1) {
            throw new IllegalArgumentException("backoff needs 0 <= first <= max and factor >= 1");
        }
    }

    /** Pauses from {@code first}, each {@code factor} times the last, up to {@code max}. */
    public static Backoff growing(Duration first, double factor, Duration max) {
        return new Backoff(first, factor, max, false);
    }

    /** The same pause every time. */
    public static Backoff fixed(Duration pause) {
        return new Backoff(pause, 1, pause, false);
    }

    /** This schedule with each pause drawn at random from its upper half. */
    public Backoff withJitter() {
        return new Backoff(first, factor, max, true);
    }

    /** The pause after {@code pause}. */
    public Duration next(Duration pause) {
        long grown = (long) Math.min(Long.MAX_VALUE, pause.toNanos() * factor);
        return grown >= max.toNanos() ? max : Duration.ofNanos(grown);
    }

    /** The pause before attempt {@code attempt} (the second attempt waits {@link #first()}), jittered if asked. */
    public Duration before(int attempt) {
        Duration pause = first;
        for (int i = 2; i < attempt && pause.compareTo(max) < 0; i++) {
            pause = next(pause);
        }
        return jittered(pause);
    }

    private Duration jittered(Duration pause) {
        if (!jittered || pause.isZero()) {
            return pause;
        }
        long nanos = pause.toNanos();
        return Duration.ofNanos(ThreadLocalRandom.current().nextLong(nanos / 2, nanos + 1));
    }

    /**
     * Runs {@code call} again while it fails as {@code retryable} says, pausing by this schedule, as long as the next
     * attempt would start within {@code bound}; then throws what {@code givenUp} makes of the last failure.
     */
    public <T> T retry(
            Duration bound,
            Supplier<T> call,
            Predicate<? super RuntimeException> retryable,
            Function<RuntimeException, ? extends RuntimeException> givenUp) {
        long deadline = System.nanoTime() + bound.toNanos();
        Duration pause = first;
        while (true) {
            try {
                return call.get();
            } catch (RuntimeException e) {
                if (!retryable.test(e)) {
                    throw e;
                }
                Duration wait = jittered(pause);
                if (System.nanoTime() + wait.toNanos() > deadline) {
                    throw givenUp.apply(e);
                }
                sleep(wait);
                pause = next(pause);
            }
        }
    }

    /** {@link #retry(Duration, Supplier, Predicate, Function)} that throws the last failure itself. */
    public <T> T retry(Duration bound, Supplier<T> call, Predicate<? super RuntimeException> retryable) {
        return retry(bound, call, retryable, e -> e);
    }

    /**
     * Reads until {@code wanted} holds, pausing by this schedule, as long as the next read would start within
     * {@code bound}; answers the last read either way (the caller judges it).
     */
    public <T> T until(Duration bound, Supplier<T> read, Predicate<? super T> wanted) {
        long deadline = System.nanoTime() + bound.toNanos();
        Duration pause = first;
        while (true) {
            T value = read.get();
            Duration wait = jittered(pause);
            if (wanted.test(value) || System.nanoTime() + wait.toNanos() > deadline) {
                return value;
            }
            sleep(wait);
            pause = next(pause);
        }
    }

    /** Sleeps {@code pause} (nothing if it is not positive); an interrupt ends it with a {@link CancellationException}. */
    public static void sleep(Duration pause) {
        if (pause.isNegative() || pause.isZero()) {
            return;
        }
        try {
            Thread.sleep(pause.toMillis(), pause.toNanosPart() % 1_000_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            CancellationException stop = new CancellationException("interrupted while waiting to try again");
            stop.initCause(e);
            throw stop;
        }
    }
}
