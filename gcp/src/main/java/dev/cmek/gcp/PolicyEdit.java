package dev.cmek.gcp;

import com.google.api.gax.rpc.ApiException;
import com.google.api.gax.rpc.StatusCode;
import com.google.iam.v1.GetIamPolicyRequest;
import com.google.iam.v1.Policy;
import com.google.iam.v1.SetIamPolicyRequest;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * Read-modify-write of one IAM policy with its etag. On ABORTED (a concurrent change) or a read-back that lost our
 * change, the whole cycle is redone after a jittered, doubling pause, up to a bound; a change that alters nothing
 * writes nothing. Terraform does the same: google/tpgiamresource/iam.go iamPolicyReadModifyWrite.
 */
final class PolicyEdit {
    /** What one edit saw and left; {@code changed} is false when nothing needed writing. */
    record Outcome(String resource, Policy before, Policy after, boolean changed) {}

    /** Pause before redoing a cycle that lost an etag race: 50 ms, doubling, at most 2 s, jittered. */
    static final long FIRST_CONFLICT_PAUSE_MS = 50;

    static final long MAX_CONFLICT_PAUSE_MS = 2000;

    private PolicyEdit() {}

    /**
     * @param propagation when provisioning, retries the calls while the policy's account or a new member is not yet
     *     visible (see {@link Propagation}); null elsewhere
     * @param notVisible which failures mean "not yet visible" for this policy
     */
    static Outcome apply(
            String resource,
            int maxAttempts,
            Supplier<Policy> read,
            Function<Policy, Policy> write,
            UnaryOperator<Policy> change,
            Predicate<Policy> check,
            String expectation,
            Propagation propagation,
            Predicate<ApiException> notVisible) {
        ApiException lastConflict = null;
        String describedChange = expectation.endsWith(" is present")
                ? "granting " + expectation.substring(0, expectation.length() - " is present".length())
                : "removing " + expectation.replaceFirst(" is gone$", "");
        for (int attempt = 1; attempt <= maxAttempts; attempt++) {
            if (attempt > 1) {
                pauseAfterConflict(attempt);
            }
            Policy before = GoogleCall.call("getIamPolicy", resource, visible(propagation, resource, notVisible, read));
            Policy desired = change.apply(before);
            if (PolicyBindings.sameBindings(desired, before)) {
                return new Outcome(resource, before, before, false);
            }
            try {
                visible(propagation, resource, notVisible, () -> write.apply(desired))
                        .get();
            } catch (ApiException e) {
                if (e.getStatusCode().getCode() != StatusCode.Code.ABORTED) {
                    throw CallFailedException.of("setIamPolicy", resource, e, describedChange);
                }
                lastConflict = e;
                continue;
            }
            Policy after = GoogleCall.call("getIamPolicy", resource, visible(propagation, resource, notVisible, read));
            if (check.test(after)) {
                return new Outcome(resource, before, after, true);
            }
            if (attempt == maxAttempts) {
                throw new ReadBackMismatchException(resource, expectation);
            }
        }
        throw new PolicyConflictException(resource, maxAttempts, lastConflict);
    }

    /** Where a policy lives: its name in messages and errors, and how to read and write it. */
    record Holder(String resource, Supplier<Policy> read, Function<Policy, Policy> write) {
        /** A policy served by {@code google.iam.v1.IAMPolicy}-style get/set calls on {@code name}. */
        static Holder of(
                String resource,
                String name,
                Function<GetIamPolicyRequest, Policy> get,
                Function<SetIamPolicyRequest, Policy> set) {
            return new Holder(
                    resource,
                    () -> get.apply(ServiceAccount.policyRead(name)),
                    p -> set.apply(SetIamPolicyRequest.newBuilder()
                            .setResource(name)
                            .setPolicy(p)
                            .build()));
        }
    }

    /**
     * Makes the policy hold ({@code present}) or not hold one grant, keeping everything else.
     *
     * @param propagation while provisioning, retries while an account is not yet visible; else null
     */
    static Outcome grant(
            Holder holder,
            Grant grant,
            boolean present,
            int maxAttempts,
            Propagation propagation,
            Predicate<ApiException> notVisible) {
        return apply(
                holder.resource(),
                maxAttempts,
                holder.read(),
                holder.write(),
                p -> present ? PolicyBindings.with(p, grant) : PolicyBindings.without(p, grant),
                p -> PolicyBindings.has(p, grant) == present,
                grant + (present ? " is present" : " is gone"),
                propagation,
                notVisible);
    }

    private static <T> Supplier<T> visible(
            Propagation propagation, String resource, Predicate<ApiException> notVisible, Supplier<T> call) {
        return propagation == null ? call : () -> propagation.retry(resource, notVisible, call);
    }

    private static void pauseAfterConflict(int attempt) {
        long cap = Math.min(MAX_CONFLICT_PAUSE_MS, FIRST_CONFLICT_PAUSE_MS << Math.min(attempt - 2, 10));
        try {
            Thread.sleep(ThreadLocalRandom.current().nextLong(cap / 2, cap + 1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GcpCmekException("Interrupted while waiting to redo an IAM policy edit", e);
        }
    }
}
