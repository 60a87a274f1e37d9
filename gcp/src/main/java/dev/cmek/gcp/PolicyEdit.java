package dev.cmek.gcp;

import com.google.api.gax.rpc.ApiException;
import com.google.api.gax.rpc.StatusCode;
import com.google.iam.v1.Policy;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * Read-modify-write of one IAM policy with its etag. On ABORTED (a concurrent change) or a read-back that lost our
 * change, the whole cycle is redone, up to a bound; a change that alters nothing writes nothing.
 */
final class PolicyEdit {
    /** What one edit saw and left; {@code changed} is false when nothing needed writing. */
    record Outcome(String resource, Policy before, Policy after, boolean changed) {}

    private PolicyEdit() {}

    static Outcome apply(
            String resource,
            int maxAttempts,
            Supplier<Policy> read,
            Function<Policy, Policy> write,
            UnaryOperator<Policy> change,
            Predicate<Policy> check,
            String expectation) {
        ApiException lastConflict = null;
        for (int attempt = 1; attempt <= maxAttempts; attempt++) {
            Policy before = CallRetry.call("getIamPolicy", resource, read);
            Policy desired = change.apply(before);
            if (PolicyBindings.sameBindings(desired, before)) {
                return new Outcome(resource, before, before, false);
            }
            try {
                CallRetry.call("setIamPolicy", resource, () -> write.apply(desired), StatusCode.Code.ABORTED);
            } catch (ApiException e) {
                lastConflict = e;
                continue;
            }
            Policy after = CallRetry.call("getIamPolicy", resource, read);
            if (check.test(after)) {
                return new Outcome(resource, before, after, true);
            }
            if (attempt == maxAttempts) {
                throw new ReadBackMismatchException(resource, expectation);
            }
        }
        throw new PolicyConflictException(resource, maxAttempts, lastConflict);
    }
}
