package dev.cmek.aws;

import dev.cmek.core.Parallel;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;

/**
 * Keeps every thread of the process (a fleet included) under KMS's control-plane request quotas: one limiter per
 * (account, Region), shared by every client, spacing the attempts of CreateKey, CreateAlias, PutKeyPolicy,
 * ReplicateKey, ... so they never exceed the quota. KMS's default for each is 5 per second, "calculated independently
 * for each Region of each AWS account", and per operation: "Each request quota is calculated independently. For
 * example, requests for the CreateKey operation have no effect on the request quota for the CreateAlias operation"
 * (https://docs.aws.amazon.com/kms/latest/developerguide/requests-per-second.html). So the limiter paces each
 * operation on its own, and a new key's CreateAlias never waits behind CreateKey attempts refused while its role
 * propagates. A throttle that still happens (another tool in the account) is the SDK's adaptive retry's to absorb.
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

    /** A call's place in line: when its operation began, but no more than the horizon before the call was asked. */
    static long order(Long began, long asked) {
        return began == null || asked - began < 0
                ? asked
                : asked - began > PRIORITY_HORIZON_NANOS ? asked - PRIORITY_HORIZON_NANOS : began;
    }

    /** How much earlier an older operation's call may be served than a call asked before it. */
    static final long PRIORITY_HORIZON_NANOS = 5_000_000_000L;

    /** The slot an attempt holds from its start until its answer (or its end without one). */
    private static final ExecutionAttribute<Held> HELD = new ExecutionAttribute<>("cmek.controlPlaneSlot");

    @Override
    public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
        // A retry's attempt: the previous attempt of this call has ended (a lost connection, a timeout) without an
        // answer, so its slot is released first.
        release(attributes);
        String operation = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
        if (perSecond > 0 && OPERATIONS.contains(operation)) {
            Pacer pacer =
                    PACERS.computeIfAbsent(account.get() + "/" + region + "/" + operation, k -> new Pacer(perSecond));
            // The call of the operation that began first goes first (without one: in the order asked), but an
            // operation's head start counts for at most PRIORITY_HORIZON: a call that has waited that long is not
            // passed by any call asked after it, however old that one's operation (no starvation).
            attributes.putAttribute(HELD, new Held(pacer, pacer.acquire(order(Parallel.began(), System.nanoTime()))));
        }
    }

    @Override
    public void afterTransmission(Context.AfterTransmission context, ExecutionAttributes attributes) {
        release(attributes);
    }

    @Override
    public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
        release(attributes);
    }

    @Override
    public void onExecutionFailure(Context.FailedExecution context, ExecutionAttributes attributes) {
        release(attributes);
    }

    private static void release(ExecutionAttributes attributes) {
        Held held = attributes.getAttribute(HELD);
        if (held != null) {
            held.release();
        }
    }

    /** One attempt's slot; released once, whichever hook sees the attempt end first. */
    private static final class Held {
        private final Pacer pacer;
        private final long slot;
        private final java.util.concurrent.atomic.AtomicBoolean released =
                new java.util.concurrent.atomic.AtomicBoolean();

        Held(Pacer pacer, long slot) {
            this.pacer = pacer;
            this.slot = slot;
        }

        void release() {
            if (released.compareAndSet(false, true)) {
                pacer.release(slot);
            }
        }
    }

    /**
     * {@code perSecond} slots; an attempt takes a free one and holds it until its answer, and the slot is free again one
     * second after that answer. KMS counts a request when it arrives, which is after the attempt started here and
     * before its answer came back, so two requests of one slot arrive more than a second apart however long each took
     * to reach KMS (a connection to open, a TLS handshake, a busy network), and no second at KMS holds more than
     * {@code perSecond} of them (a window counted from the attempt's start let requests admitted a second apart
     * arrive closer together, and a throttle slows that Region's client for seconds). An attempt that ends without an answer (a lost connection) keeps its
     * slot until the SDK's next attempt starts or the call ends: on the safe side, since it may have been counted.
     */
    private static final class Pacer {
        private static final long WINDOW_NANOS = 1_000_000_000L;

        /**
         * A slot not given back within this is taken to be free again: an attempt ends long before (the SDK's socket
         * and attempt timeouts), and an Error thrown past every hook must not take a slot for good.
         */
        private static final long MAX_HOLD_NANOS = 120_000_000_000L;

        /** When each slot is free again: a second after its last answer, or the hold's limit while it is held. */
        private final long[] freeAt;

        /** How often each slot was taken: a release after the hold's limit must not free the slot's next holder. */
        private final long[] taken;

        /** Callers waiting for a slot; the one with the lowest order (its operation's start) is served first. */
        private final java.util.PriorityQueue<Waiter> waiting =
                new java.util.PriorityQueue<>((a, b) -> Long.signum(a.order() - b.order()));

        /** Equal only to itself (not a record): two calls of one operation wait with the same order. */
        private static final class Waiter {
            private final long order;

            Waiter(long order) {
                this.order = order;
            }

            long order() {
                return order;
            }
        }

        Pacer(double perSecond) {
            this.freeAt = new long[Math.max(1, (int) Math.floor(perSecond))];
            this.taken = new long[freeAt.length];
            java.util.Arrays.fill(freeAt, System.nanoTime());
        }

        /** Waits for a slot; answers it as {@code slot * 2^32 + times taken}, the ticket {@link #release} takes. */
        synchronized long acquire(long order) {
            Waiter me = new Waiter(order);
            waiting.add(me);
            try {
                while (true) {
                    long now = System.nanoTime();
                    int slot = 0;
                    for (int i = 1; i < freeAt.length; i++) {
                        if (freeAt[i] - freeAt[slot] < 0) {
                            slot = i;
                        }
                    }
                    long wait = freeAt[slot] - now;
                    if (waiting.peek() != me) {
                        wait(); // an older operation's call is ahead: until it leaves
                    } else if (wait <= 0) {
                        freeAt[slot] = now + MAX_HOLD_NANOS + WINDOW_NANOS;
                        taken[slot]++;
                        return ((long) slot << 32) | (taken[slot] & 0xffffffffL);
                    } else {
                        // Until the first slot is free, or an answer gives one back sooner (release notifies).
                        wait(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AwsCmekException("interrupted while pacing KMS requests", e);
            } finally {
                waiting.remove(me);
                notifyAll(); // the next in line looks again
            }
        }

        synchronized void release(long ticket) {
            int slot = (int) (ticket >>> 32);
            if ((taken[slot] & 0xffffffffL) == (ticket & 0xffffffffL)) {
                freeAt[slot] = System.nanoTime() + WINDOW_NANOS;
                notifyAll();
            }
        }
    }
}
