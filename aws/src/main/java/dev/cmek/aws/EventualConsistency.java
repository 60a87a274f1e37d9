package dev.cmek.aws;

import java.time.Duration;
import java.util.Locale;
import java.util.function.Predicate;
import java.util.function.Supplier;
import software.amazon.awssdk.services.kms.model.MalformedPolicyDocumentException;
import software.amazon.awssdk.services.kms.model.NotFoundException;

/**
 * The module's own retries, all for AWS's documented eventual consistency and all bounded by the request's
 * propagation bound ({@code --propagation-bound}); throttling and 5xx are the SDK's retry strategy's, nothing else is
 * retried. KMS "might return a NotFoundException" right after a change
 * (https://docs.aws.amazon.com/kms/latest/developerguide/accessing-kms.html#programming-eventual-consistency), and
 * refuses a policy naming a role IAM has not propagated yet with MalformedPolicyDocumentException; the Terraform AWS
 * provider retries both (internal/service/kms/wait.go waitIAMPropagation, alias.go CreateAlias on NotFound, key.go
 * updateKeyPolicy) and waits for consecutive matching reads after a write (key.go waitKeyPolicyPropagated).
 */
final class EventualConsistency {
    /**
     * Backoff of a refused write: starts at 50 ms and grows by half up to 2 s. Writes are control-plane calls
     * (CreateKey, CreateAlias, ...) whose refused attempts count against their operation's 5 per second per Region,
     * paced by {@link ControlPlaneQuota}: polling them faster spends the quota a fleet needs. Doubling (as before)
     * overshot a new role's propagation by up to half the time waited, on the provisioning path; growing by half
     * overshoots by up to a third, for about 1.7 times the attempts over a long wait (measured in
     * aws/BENCHMARKS-aws.md: a fleet of 20 clusters still never throttled).
     */
    private static final Duration FIRST_DELAY = Duration.ofMillis(50);

    private static final Duration MAX_DELAY = Duration.ofSeconds(2);
    /**
     * Polling of a read (DescribeKey, GetKeyPolicy, GetKeyRotationStatus, GetRole) waiting for a change to show: starts
     * at 25 ms and grows by a quarter up to 1 s. Reads have quotas in the hundreds to thousands per second, and a
     * faster-growing poll overshot each consistency window by up to a whole step: doubling by half the time waited,
     * growing by half by a third, by a quarter by a fifth (measured in aws/BENCHMARKS-aws.md).
     */
    static final Duration FIRST_READ_DELAY = Duration.ofMillis(25);

    static final Duration MAX_READ_DELAY = Duration.ofSeconds(1);
    /** Consecutive reads that must agree before a read-back is believed (Terraform asks for 5, a second apart). */
    static final int CONSISTENT_READS = 2;

    /**
     * How far apart agreeing reads are sent: measured from one read's start to the next one's, so they reach KMS this far
     * apart. (Until 2026-12-01 the wait began at the answer, which put a whole round trip more between them and on
     * every provision's path, without a read more or a guard less.)
     */
    static final Duration BETWEEN_CONSISTENT_READS = Duration.ofMillis(100);

    private EventualConsistency() {}

    /**
     * Retries a write on a resource this run just made while KMS still answers NotFoundException, with the write
     * backoff (each refused attempt spends the Region's control-plane quota).
     */
    static <T> T whileNotFound(Duration bound, Supplier<T> write) {
        return retry(bound, write, EventualConsistency::notFound, e -> e, FIRST_DELAY, EventualConsistency::next);
    }

    /**
     * Retries a read (GetKeyPolicy, GetKeyRotationStatus, ListResourceTags) of a resource this run just made while KMS
     * still answers NotFoundException, polling as reads do: a read is not a control-plane call, and the doubling
     * write backoff overshot the new key's window by up to a whole step on the provisioning path (measured in
     * aws/BENCHMARKS-aws.md).
     */
    static <T> T readWhileNotFound(Duration bound, Supplier<T> read) {
        return retry(
                bound, read, EventualConsistency::notFound, e -> e, FIRST_READ_DELAY, EventualConsistency::nextRead);
    }

    private static boolean notFound(RuntimeException e) {
        return e instanceof NotFoundException
                || (e instanceof CallFailedException c && c.getCause() instanceof NotFoundException);
    }

    /** Retries a write whose policy names {@code principal} while KMS still calls it an invalid principal. */
    static <T> T whileInvalidPrincipal(Duration bound, String principal, Supplier<T> write) {
        long start = System.nanoTime();
        return retry(
                bound,
                write,
                e -> e instanceof NotFoundException
                        || (e instanceof MalformedPolicyDocumentException m && invalidPrincipal(m)),
                e -> e instanceof MalformedPolicyDocumentException
                        ? new PrincipalNotYetVisibleException(principal, Duration.ofNanos(System.nanoTime() - start), e)
                        : e,
                FIRST_DELAY,
                EventualConsistency::next);
    }

    /**
     * Reads until {@link #CONSISTENT_READS} reads in a row satisfy {@code wanted}, or the bound is spent; answers the
     * last read either way (the caller judges it).
     */
    static <T> T untilConsistent(Duration bound, Supplier<T> read, Predicate<T> wanted) {
        long deadline = System.nanoTime() + bound.toNanos();
        Duration delay = FIRST_READ_DELAY;
        int agreeing = 0;
        while (true) {
            long sent = System.nanoTime();
            T value = read.get();
            if (wanted.test(value)) {
                agreeing++;
                if (agreeing >= CONSISTENT_READS) {
                    return value;
                }
                sleep(Duration.ofNanos(sent + BETWEEN_CONSISTENT_READS.toNanos() - System.nanoTime()));
                continue;
            }
            agreeing = 0;
            if (System.nanoTime() + delay.toNanos() > deadline) {
                return value;
            }
            sleep(delay);
            delay = nextRead(delay);
        }
    }

    /** Reads until {@code wanted} holds once, or the bound is spent; answers the last read. */
    static <T> T until(Duration bound, Supplier<T> read, Predicate<T> wanted) {
        long deadline = System.nanoTime() + bound.toNanos();
        Duration delay = FIRST_READ_DELAY;
        while (true) {
            T value = read.get();
            if (wanted.test(value) || System.nanoTime() + delay.toNanos() > deadline) {
                return value;
            }
            sleep(delay);
            delay = nextRead(delay);
        }
    }

    private static <T> T retry(
            Duration bound,
            Supplier<T> call,
            Predicate<RuntimeException> retryable,
            java.util.function.Function<RuntimeException, RuntimeException> givenUp,
            Duration first,
            java.util.function.UnaryOperator<Duration> grow) {
        long deadline = System.nanoTime() + bound.toNanos();
        Duration delay = first;
        while (true) {
            try {
                return call.get();
            } catch (RuntimeException e) {
                if (!retryable.test(e)) {
                    throw e;
                }
                if (System.nanoTime() + delay.toNanos() > deadline) {
                    throw givenUp.apply(e);
                }
                sleep(delay);
                delay = grow.apply(delay);
            }
        }
    }

    static boolean invalidPrincipal(MalformedPolicyDocumentException e) {
        String m = e.getMessage();
        return m != null && m.toLowerCase(Locale.ROOT).contains("principal");
    }

    static Duration next(Duration delay) {
        Duration grown = delay.plus(delay.dividedBy(2));
        return grown.compareTo(MAX_DELAY) > 0 ? MAX_DELAY : grown;
    }

    static Duration nextRead(Duration delay) {
        Duration grown = delay.plus(delay.dividedBy(4));
        return grown.compareTo(MAX_READ_DELAY) > 0 ? MAX_READ_DELAY : grown;
    }

    private static void sleep(Duration d) {
        if (d.isNegative() || d.isZero()) {
            return;
        }
        try {
            Thread.sleep(d.toMillis(), d.toNanosPart() % 1_000_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AwsCmekException("interrupted while waiting for AWS to propagate a change", e);
        }
    }
}
