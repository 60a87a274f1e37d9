package dev.cmek.azure.emulator;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** Latency, injected faults, rate limits, call counts and the request log, keyed by operation name. */
final class CallKnobs {
    /** What an injected fault does to one call. */
    enum Kind {
        THROTTLE,
        DENY,
        SERVER_ERROR,
        LOSE_REPLY
    }

    record Fault(String operation, Kind kind, int status, Duration retryAfter, AtomicInteger remaining) {}

    volatile Duration latency = Duration.ZERO;
    private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
    private final List<Fault> faults = new CopyOnWriteArrayList<>();
    private final Map<String, Kind> persistent = new ConcurrentHashMap<>();
    private final Map<String, Integer> rateLimits = new ConcurrentHashMap<>();
    private final Map<String, long[]> rateWindows = new ConcurrentHashMap<>();
    private final List<EmulatorViews.Call> log = new CopyOnWriteArrayList<>();

    int count(String operation) {
        AtomicInteger c = counts.get(operation);
        return c == null ? 0 : c.get();
    }

    Map<String, Integer> counts() {
        Map<String, Integer> copy = new TreeMap<>();
        counts.forEach((k, v) -> copy.put(k, v.get()));
        return copy;
    }

    void counted(String operation) {
        counts.computeIfAbsent(operation, k -> new AtomicInteger()).incrementAndGet();
    }

    void add(String operation, Kind kind, int times, int status, Duration retryAfter) {
        faults.add(new Fault(operation, kind, status, retryAfter, new AtomicInteger(times)));
    }

    void always(String operation, Kind kind) {
        persistent.put(operation, kind);
    }

    void rateLimit(String operation, int perSecond) {
        rateLimits.put(operation, perSecond);
    }

    /** The next fault due for this operation, consuming one of its remaining uses. */
    Fault take(String operation) {
        Kind always = persistent.get(operation);
        if (always != null) {
            return new Fault(
                    operation, always, always == Kind.SERVER_ERROR ? 500 : 403, Duration.ZERO, new AtomicInteger(1));
        }
        for (Fault f : faults) {
            if (f.operation().equals(operation) && f.remaining().getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                return f;
            }
        }
        return null;
    }

    /** Whether this call exceeds the operation's rate limit (calls in the current one-second window). */
    boolean overRate(String operation) {
        Integer limit = rateLimits.get(operation);
        if (limit == null) {
            return false;
        }
        long second = System.currentTimeMillis() / 1000;
        long[] window = rateWindows.computeIfAbsent(operation, k -> new long[2]);
        synchronized (window) {
            if (window[0] != second) {
                window[0] = second;
                window[1] = 0;
            }
            window[1]++;
            return window[1] > limit;
        }
    }

    void log(EmulatorViews.Call call) {
        log.add(call);
    }

    List<EmulatorViews.Call> log() {
        return new ArrayList<>(log);
    }

    void clearFaults() {
        faults.clear();
        persistent.clear();
        rateLimits.clear();
        rateWindows.clear();
    }

    void resetCounts() {
        counts.clear();
        log.clear();
    }
}
