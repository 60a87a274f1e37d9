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
 * Keeps every thread of the process (a fleet included) under KMS's control-plane request quotas: one limiter per
 * (account, Region), shared by every client, spacing each attempt of CreateKey, CreateAlias, PutKeyPolicy,
 * ReplicateKey, ... so they never exceed the quota. KMS's default for each is 5 per second, "calculated independently
 * for each Region of each AWS account", and per operation: "Each request quota is calculated independently. For
 * example, requests for the CreateKey operation have no effect on the request quota for the CreateAlias operation"
 * (https://docs.aws.amazon.com/kms/latest/developerguide/requests-per-second.html). So the limiter paces each
 * operation on its own: one shared budget (as before) made a new key's CreateAlias and EnableKeyRotation wait behind
 * the CreateKey attempts refused while its role propagated (measured in aws/BENCHMARKS-aws.md). A throttle that still
 * happens (another tool in the account) is the SDK's adaptive retry's to absorb.
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
            "EnableKeyRotation",
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
        String operation = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
        if (perSecond > 0 && OPERATIONS.contains(operation)) {
            PACERS.computeIfAbsent(account.get() + "/" + region + "/" + operation, k -> new Pacer(perSecond))
                    .acquire();
        }
    }

    /**
     * At most {@code perSecond} starts in any window of a little more than a second: the quota's own measure, so a
     * single cluster's few calls never wait, and a fleet's are spread as tightly as the quota allows.
     */
    private static final class Pacer {
        // A fifth beyond the second: a request admitted here still has its connection to open (a TLS handshake on
        // AWS) before it reaches KMS, so two admitted a second apart may arrive closer together. With 5 % (50 ms), 4
        // of 10 runs of a fleet of 20 clusters took 8.2 to 9.6 s instead of 5.3 to 5.7 s: a throttled CreateKey makes
        // the SDK's adaptive retry slow that Region's client. With a fifth: 1 throttle in 10 runs (the first fleet
        // run after a reset, 8.5 s), the others 5.7 to 6.6 s (aws/BENCHMARKS-aws.md).
        private static final long WINDOW_NANOS = 1_200_000_000L;

        private final int perSecond;
        private final java.util.ArrayDeque<Long> starts = new java.util.ArrayDeque<>();

        Pacer(double perSecond) {
            this.perSecond = Math.max(1, (int) Math.floor(perSecond));
        }

        void acquire() {
            while (true) {
                long wait;
                synchronized (this) {
                    long now = System.nanoTime();
                    while (!starts.isEmpty() && now - starts.peekFirst() >= WINDOW_NANOS) {
                        starts.pollFirst();
                    }
                    if (starts.size() < perSecond) {
                        starts.addLast(now);
                        return;
                    }
                    wait = starts.peekFirst() + WINDOW_NANOS - now;
                }
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
