package dev.cmek.aws;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;

/**
 * Keeps every thread of the process (a fleet included) under KMS's control-plane request quota: one pacer per
 * (account, Region), shared by every client, spacing each attempt of CreateKey, CreateAlias, PutKeyPolicy,
 * ReplicateKey, ... so they never exceed the quota. KMS's default for each is 5 per second, "calculated independently
 * for each Region of each AWS account" (https://docs.aws.amazon.com/kms/latest/developerguide/requests-per-second.html).
 * A throttle that still happens (another tool in the account) is the SDK's adaptive retry's to absorb.
 */
final class ControlPlaneQuota implements ExecutionInterceptor {
    /** KMS's default request quota for each control-plane operation. */
    static final double DEFAULT_PER_SECOND = 5;

    static final Set<String> OPERATIONS = Set.of(
            "CreateKey",
            "CreateAlias",
            "UpdateAlias",
            "PutKeyPolicy",
            "ReplicateKey",
            "TagResource",
            "UntagResource",
            "RotateKeyOnDemand",
            "UpdateKeyDescription");

    private static final Map<String, Pacer> PACERS = new ConcurrentHashMap<>();

    private final Supplier<AccountId> account;
    private final String region;
    private final double perSecond;

    ControlPlaneQuota(Supplier<AccountId> account, String region, double perSecond) {
        this.account = account;
        this.region = region;
        this.perSecond = perSecond;
    }

    @Override
    public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
        if (perSecond > 0 && OPERATIONS.contains(attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME))) {
            PACERS.computeIfAbsent(account.get() + "/" + region, k -> new Pacer(perSecond))
                    .acquire();
        }
    }

    /** Hands out start times at most {@code perSecond} per second, a little more than 1/rate apart. */
    private static final class Pacer {
        private final long intervalNanos;
        private long next;

        Pacer(double perSecond) {
            // 5 % apart beyond the rate itself: requests that leave evenly may still arrive a little closer.
            this.intervalNanos = (long) (1.05e9 / perSecond);
            this.next = System.nanoTime();
        }

        void acquire() {
            long wait;
            synchronized (this) {
                long now = System.nanoTime();
                long start = Math.max(now, next);
                next = start + intervalNanos;
                wait = start - now;
            }
            if (wait > 0) {
                try {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AwsCmekException("interrupted while pacing KMS requests", e);
                }
            }
        }
    }
}
