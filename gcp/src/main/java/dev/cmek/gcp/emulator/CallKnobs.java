package dev.cmek.gcp.emulator;

import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/** Counts calls per method, adds latency, and injects failures before or after a method runs. */
final class CallKnobs implements ServerInterceptor {
    private record Fault(String method, Status status, boolean afterHandling, AtomicInteger remaining) {}

    private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Fault> faults = new ConcurrentLinkedQueue<>();
    volatile Duration latency = Duration.ZERO;

    void fail(String method, int times, Status status, boolean afterHandling) {
        faults.add(new Fault(method, status, afterHandling, new AtomicInteger(times)));
    }

    void clearFaults() {
        faults.clear();
    }

    int count(String method) {
        AtomicInteger c = counts.get(method);
        return c == null ? 0 : c.get();
    }

    Map<String, Integer> counts() {
        Map<String, Integer> copy = new TreeMap<>();
        counts.forEach((k, v) -> copy.put(k, v.get()));
        return copy;
    }

    void resetCounts() {
        counts.clear();
    }

    private Fault takeFault(String method) {
        for (Fault f : faults) {
            if (f.method.equals(method) && f.remaining.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                return f;
            }
        }
        return null;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        String method = call.getMethodDescriptor().getFullMethodName();
        counts.computeIfAbsent(method, m -> new AtomicInteger()).incrementAndGet();
        Duration delay = latency;
        if (!delay.isZero()) {
            try {
                Thread.sleep(delay.toMillis(), delay.toNanosPart() % 1_000_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Fault fault = takeFault(method);
        if (fault == null) {
            return next.startCall(call, headers);
        }
        if (!fault.afterHandling) {
            call.close(fault.status, new Metadata());
            return new ServerCall.Listener<>() {};
        }
        // The method runs and changes state, but its answer is lost, as when a connection drops mid-call.
        return next.startCall(
                new SimpleForwardingServerCall<>(call) {
                    @Override
                    public void sendMessage(R message) {}

                    @Override
                    public void close(Status status, Metadata trailers) {
                        super.close(status.isOk() ? fault.status : status, trailers);
                    }
                },
                headers);
    }
}
