package dev.cmek.aws;

import dev.cmek.core.Backoff;
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
     * A refused write (CreateKey, CreateAlias, PutKeyPolicy, ...) spends its operation's control-plane quota of 5 per
     * second per Region ({@link ControlPlaneQuota}), so it is tried again less often than a read; growing by half
     * overshoots a window by at most a third of the time waited.
     */
    static final Backoff WRITES = Backoff.growing(Duration.ofMillis(50), 1.5, Duration.ofSeconds(2));

    /**
     * A read (DescribeKey, GetKeyPolicy, GetKeyRotationStatus, GetRole) waiting for a change to show: reads have quotas
     * in the hundreds to thousands per second, so they poll closer, overshooting a window by at most a fifth.
     */
    static final Backoff READS = Backoff.growing(Duration.ofMillis(25), 1.25, Duration.ofSeconds(1));

    /** Consecutive reads that must agree before a read-back is believed (Terraform asks for 5, a second apart). */
    static final int CONSISTENT_READS = 2;

    /** How far apart agreeing reads are sent, from one read's start to the next one's. */
    static final Duration BETWEEN_CONSISTENT_READS = Duration.ofMillis(100);

    private EventualConsistency() {}

    /** Retries a write on a resource this run just made while KMS still answers NotFoundException. */
    static <T> T whileNotFound(Duration bound, Supplier<T> write) {
        return WRITES.retry(bound, write, EventualConsistency::notFound);
    }

    /**
     * Retries a read (GetKeyPolicy, GetKeyRotationStatus, ListResourceTags) of a resource this run just made while KMS
     * still answers NotFoundException.
     */
    static <T> T readWhileNotFound(Duration bound, Supplier<T> read) {
        return READS.retry(bound, read, EventualConsistency::notFound);
    }

    private static boolean notFound(RuntimeException e) {
        return e instanceof NotFoundException
                || (e instanceof CallFailedException c && c.getCause() instanceof NotFoundException);
    }

    /** Retries a write whose policy names {@code principal} while KMS still calls it an invalid principal. */
    static <T> T whileInvalidPrincipal(Duration bound, String principal, Supplier<T> write) {
        long start = System.nanoTime();
        return WRITES.retry(
                bound,
                write,
                e -> e instanceof NotFoundException
                        || (e instanceof MalformedPolicyDocumentException m && invalidPrincipal(m)),
                e -> e instanceof MalformedPolicyDocumentException
                        ? new PrincipalNotYetVisibleException(principal, Duration.ofNanos(System.nanoTime() - start), e)
                        : e);
    }

    /**
     * Reads until {@link #CONSISTENT_READS} reads in a row satisfy {@code wanted}, or the bound is spent; answers the
     * last read either way (the caller judges it).
     */
    static <T> T untilConsistent(Duration bound, Supplier<T> read, Predicate<T> wanted) {
        long deadline = System.nanoTime() + bound.toNanos();
        Duration pause = READS.first();
        int agreeing = 0;
        while (true) {
            long sent = System.nanoTime();
            T value = read.get();
            if (wanted.test(value)) {
                agreeing++;
                if (agreeing >= CONSISTENT_READS) {
                    return value;
                }
                Backoff.sleep(Duration.ofNanos(sent + BETWEEN_CONSISTENT_READS.toNanos() - System.nanoTime()));
                continue;
            }
            agreeing = 0;
            if (System.nanoTime() + pause.toNanos() > deadline) {
                return value;
            }
            Backoff.sleep(pause);
            pause = READS.next(pause);
        }
    }

    /** Reads until {@code wanted} holds once, or the bound is spent; answers the last read. */
    static <T> T until(Duration bound, Supplier<T> read, Predicate<T> wanted) {
        return READS.until(bound, read, wanted);
    }

    static boolean invalidPrincipal(MalformedPolicyDocumentException e) {
        String m = e.getMessage();
        return m != null && m.toLowerCase(Locale.ROOT).contains("principal");
    }
}
