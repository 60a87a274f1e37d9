package dev.cmek.gcp;

import com.google.api.gax.rpc.ApiException;
import com.google.api.gax.rpc.StatusCode;
import com.google.iam.v1.GetIamPolicyRequest;
import com.google.iam.v1.Policy;
import com.google.iam.v1.SetIamPolicyRequest;
import dev.cmek.core.Backoff;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * The module's one read-modify-write of an IAM policy with its etag. On ABORTED (a concurrent change, or our own write
 * whose reply was lost) the whole cycle is redone from a fresh read after a jittered, doubling pause, up to a number of
 * attempts; a change that alters nothing writes nothing. Terraform does the same:
 * google/tpgiamresource/iam.go iamPolicyReadModifyWrite.
 */
final class PolicyEdit {
    /** Pauses between cycles that lost an etag race: 50 ms doubling to 2 s, jittered so racing writers drift apart. */
    static final Backoff CONFLICTS =
            Backoff.growing(Duration.ofMillis(50), 2, Duration.ofSeconds(2)).withJitter();

    /**
     * One change to a policy.
     *
     * @param done whether a policy shows the change in place
     * @param description the change in words, for messages: {@code granting ...}, {@code removing ...}
     */
    record Edit(UnaryOperator<Policy> change, Predicate<Policy> done, String description) {
        static Edit granting(Grant grant) {
            return new Edit(p -> PolicyBindings.with(p, grant), p -> PolicyBindings.has(p, grant), "granting " + grant);
        }

        static Edit removing(List<Grant> grants) {
            return new Edit(
                    p -> {
                        Policy out = p;
                        for (Grant g : grants) {
                            out = PolicyBindings.without(out, g);
                        }
                        return out;
                    },
                    p -> grants.stream().noneMatch(g -> PolicyBindings.has(p, g)),
                    "removing " + grants);
        }
    }

    /** What one edit saw and left; {@code changed} is false when nothing needed writing. */
    record Outcome(String resource, Policy before, Policy after, boolean changed) {}

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

    private final Holder holder;
    private final int maxAttempts;
    private final Propagation propagation;
    private final Predicate<ApiException> notVisible;

    /**
     * @param propagation while provisioning, retries the calls while the policy's account or a new member is not yet
     *     visible (see {@link Propagation}), as {@code notVisible} tells; null elsewhere
     */
    PolicyEdit(Holder holder, int maxAttempts, Propagation propagation, Predicate<ApiException> notVisible) {
        this.holder = holder;
        this.maxAttempts = maxAttempts;
        this.propagation = propagation;
        this.notVisible = notVisible;
    }

    /** An edit outside provisioning: nothing it names can be too new to see. */
    PolicyEdit(Holder holder, int maxAttempts) {
        this(holder, maxAttempts, null, e -> false);
    }

    /** Reads, changes, writes, and reads back until the policy shows the change. */
    Outcome apply(Edit edit) {
        return apply(edit, null, true);
    }

    /**
     * @param first the policy as already read (a revocation keeps its intent between the read and the write), or null
     *     to read it first
     * @param readBack read the policy after the write and redo the cycle while it does not show the change; without it
     *     a written change counts as in place (a revocation's intent already says what it removes)
     */
    Outcome apply(Edit edit, Policy first, boolean readBack) {
        ApiException lastConflict = null;
        Policy before = first;
        for (int attempt = 1; attempt <= maxAttempts; attempt++) {
            if (attempt > 1) {
                Backoff.sleep(CONFLICTS.before(attempt));
                before = null;
            }
            if (before == null) {
                before = read();
            }
            Policy desired = edit.change().apply(before);
            if (PolicyBindings.sameBindings(desired, before)) {
                return new Outcome(holder.resource(), before, before, false);
            }
            try {
                visible(() -> holder.write().apply(desired)).get();
            } catch (ApiException e) {
                if (e.getStatusCode().getCode() != StatusCode.Code.ABORTED) {
                    throw CallFailedException.of("setIamPolicy", holder.resource(), e, edit.description());
                }
                lastConflict = e;
                continue;
            }
            if (!readBack) {
                return new Outcome(holder.resource(), before, desired, true);
            }
            Policy after = read();
            if (edit.done().test(after)) {
                return new Outcome(holder.resource(), before, after, true);
            }
            if (attempt == maxAttempts) {
                throw new ReadBackMismatchException(holder.resource(), edit.description());
            }
        }
        throw new PolicyConflictException(holder.resource(), maxAttempts, lastConflict);
    }

    private Policy read() {
        return GoogleCall.call("getIamPolicy", holder.resource(), visible(holder.read()));
    }

    private <T> Supplier<T> visible(Supplier<T> call) {
        return propagation == null ? call : () -> propagation.retry(holder.resource(), notVisible, call);
    }
}
