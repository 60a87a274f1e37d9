package dev.cmek.aws;

import java.time.Duration;
import java.util.Locale;
import java.util.function.Supplier;
import software.amazon.awssdk.services.kms.model.MalformedPolicyDocumentException;

/**
 * The one retry of this module: KMS rejects a key policy naming a role IAM has not propagated yet with
 * MalformedPolicyDocumentException ("invalid principals"); Terraform's AWS provider retries exactly that for 2 minutes
 * (internal/service/kms/wait.go, PropagationTimeout). Everything else fails at once; throttling and 5xx are the SDK's.
 */
final class InvalidPrincipalRetry {
    private static final Duration FIRST_DELAY = Duration.ofMillis(100);
    private static final Duration MAX_DELAY = Duration.ofSeconds(5);

    private InvalidPrincipalRetry() {}

    static <T> T call(Duration bound, String principal, Supplier<T> write) {
        long start = System.nanoTime();
        long deadline = start + bound.toNanos();
        Duration delay = FIRST_DELAY;
        while (true) {
            try {
                return write.get();
            } catch (MalformedPolicyDocumentException e) {
                if (!invalidPrincipal(e)) {
                    throw e;
                }
                long now = System.nanoTime();
                if (now + delay.toNanos() > deadline) {
                    throw new PrincipalNotYetVisibleException(principal, Duration.ofNanos(now - start), e);
                }
                sleep(delay);
                delay = delay.multipliedBy(2).compareTo(MAX_DELAY) > 0 ? MAX_DELAY : delay.multipliedBy(2);
            }
        }
    }

    static boolean invalidPrincipal(MalformedPolicyDocumentException e) {
        String m = e.getMessage();
        return m != null && m.toLowerCase(Locale.ROOT).contains("principal");
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AwsCmekException("interrupted while waiting for IAM to propagate the role", e);
        }
    }
}
