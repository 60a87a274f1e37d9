package dev.cmek.gcp.emulator;

import com.google.rpc.ErrorInfo;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/** Counts calls per method, adds latency, and injects failures before or after a method runs. */
final class CallKnobs implements ServerInterceptor {
    private record Fault(
            String method, Status status, Metadata trailers, boolean afterHandling, AtomicInteger remaining) {}

    private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Fault> faults = new ConcurrentLinkedQueue<>();
    volatile Duration latency = Duration.ZERO;

    /** Missing permissions, by full method name: every call answers PERMISSION_DENIED naming the permission. */
    final Map<String, String> deniedPermissions = new ConcurrentHashMap<>();
    /** Disabled APIs ({@code cloudkms.googleapis.com}, ...): every call to them answers SERVICE_DISABLED. */
    final Set<String> disabledApis = ConcurrentHashMap.newKeySet();

    void fail(String method, int times, StatusRuntimeException error, boolean afterHandling) {
        Metadata trailers = error.getTrailers() == null ? new Metadata() : error.getTrailers();
        faults.add(new Fault(method, error.getStatus(), trailers, afterHandling, new AtomicInteger(times)));
    }

    void clearFaults() {
        faults.clear();
        deniedPermissions.clear();
        disabledApis.clear();
    }

    /** The API a method belongs to; the emulator serves IAMPolicy and Locations for Cloud KMS only, as on its channel. */
    static String apiOf(String method) {
        if (method.startsWith("google.iam.admin.v1.")) {
            return "iam.googleapis.com";
        }
        if (method.startsWith("google.cloud.resourcemanager.v3.")) {
            return "cloudresourcemanager.googleapis.com";
        }
        return "cloudkms.googleapis.com";
    }

    /**
     * A disabled API answers PERMISSION_DENIED with {@code ErrorInfo{reason: SERVICE_DISABLED}} naming the service.
     * https://cloud.google.com/service-usage/docs/troubleshooting, https://google.aip.dev/193#errorinfo
     */
    static StatusRuntimeException serviceDisabled(String api) {
        return Rpc.withDetails(
                Status.Code.PERMISSION_DENIED,
                api + " has not been used in project 123456789012 before or it is disabled. Enable it by visiting"
                        + " https://console.developers.google.com/apis/api/" + api
                        + "/overview?project=123456789012 then retry.",
                ErrorInfo.newBuilder()
                        .setReason("SERVICE_DISABLED")
                        .setDomain("googleapis.com")
                        .putMetadata("service", api)
                        .putMetadata("consumer", "projects/123456789012")
                        .build());
    }

    /**
     * A missing permission, worded as IAM words it ("Permission 'x' denied on resource (or it may not exist)") with
     * {@code ErrorInfo{reason: IAM_PERMISSION_DENIED, metadata.permission}}.
     */
    static StatusRuntimeException permissionDenied(String permission) {
        return Rpc.withDetails(
                Status.Code.PERMISSION_DENIED,
                "Permission '" + permission + "' denied on resource (or it may not exist).",
                ErrorInfo.newBuilder()
                        .setReason("IAM_PERMISSION_DENIED")
                        .setDomain("iam.googleapis.com")
                        .putMetadata("permission", permission)
                        .build());
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
        int nth = counts.computeIfAbsent(method, m -> new AtomicInteger()).incrementAndGet();
        call = beforeReply(method, nth, call);
        if (resourceKnobs.containsKey(method)) {
            return byResource(method, call, headers, next);
        }
        return intercepted(method, call, headers, next);
    }

    private <Q, R> ServerCall.Listener<Q> intercepted(
            String method, ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        Duration delay = latency;
        if (!delay.isZero()) {
            try {
                Thread.sleep(delay.toMillis(), delay.toNanosPart() % 1_000_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        StatusRuntimeException refused = disabledApis.contains(apiOf(method))
                ? serviceDisabled(apiOf(method))
                : deniedPermissions.containsKey(method) ? permissionDenied(deniedPermissions.get(method)) : null;
        if (refused != null) {
            call.close(refused.getStatus(), refused.getTrailers());
            return new ServerCall.Listener<>() {};
        }
        Fault fault = takeFault(method);
        if (fault == null) {
            return next.startCall(call, headers);
        }
        if (!fault.afterHandling) {
            call.close(fault.status, fault.trailers);
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

    // ---- knobs per resource, and a hook before a reply (appended for breach-response tests) ----------------------

    /** What a call naming a resource under a prefix meets: a permission refused, or no answer at all. */
    private record ResourceKnob(String prefix, String permission) {
        boolean hangs() {
            return permission == null;
        }
    }

    private record Hook(int nth, Runnable action) {}

    private final Map<String, java.util.List<ResourceKnob>> resourceKnobs = new ConcurrentHashMap<>();
    private final Map<String, java.util.List<Hook>> hooks = new ConcurrentHashMap<>();

    /** Calls of {@code method} whose request names a resource starting with {@code prefix} answer PERMISSION_DENIED. */
    void denyOn(String method, String prefix, String permission) {
        resourceKnobs
                .computeIfAbsent(method, m -> new java.util.concurrent.CopyOnWriteArrayList<>())
                .add(new ResourceKnob(prefix, permission));
    }

    /** Calls of {@code method} naming a resource under {@code prefix} ("" for any) are never answered. */
    void hangOn(String method, String prefix) {
        resourceKnobs
                .computeIfAbsent(method, m -> new java.util.concurrent.CopyOnWriteArrayList<>())
                .add(new ResourceKnob(prefix, null));
    }

    /** Runs {@code action} when the {@code nth} call of {@code method} ran and its answer is about to leave. */
    void beforeReplyTo(String method, int nth, Runnable action) {
        hooks.computeIfAbsent(method, m -> new java.util.concurrent.CopyOnWriteArrayList<>())
                .add(new Hook(nth, action));
    }

    void clearResourceKnobs() {
        resourceKnobs.clear();
        hooks.clear();
    }

    private <Q, R> ServerCall<Q, R> beforeReply(String method, int nth, ServerCall<Q, R> call) {
        java.util.List<Hook> due = hooks.getOrDefault(method, java.util.List.of()).stream()
                .filter(h -> h.nth() == nth)
                .toList();
        if (due.isEmpty()) {
            return call;
        }
        return new SimpleForwardingServerCall<>(call) {
            @Override
            public void sendMessage(R message) {
                due.forEach(h -> h.action().run());
                super.sendMessage(message);
            }
        };
    }

    /**
     * Waits for the request message to see which resource it names, then refuses it, holds it unanswered, or lets it
     * through (with every other knob applied as usual).
     */
    private <Q, R> ServerCall.Listener<Q> byResource(
            String method, ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        call.request(1);
        return new ServerCall.Listener<>() {
            private ServerCall.Listener<Q> delegate;
            private boolean held;

            @Override
            public void onMessage(Q message) {
                if (held) {
                    return;
                }
                if (delegate != null) {
                    delegate.onMessage(message);
                    return;
                }
                String resource = resourceOf(message);
                for (ResourceKnob k : resourceKnobs.getOrDefault(method, java.util.List.of())) {
                    if (resource != null && resource.startsWith(k.prefix())) {
                        held = true;
                        if (!k.hangs()) {
                            StatusRuntimeException refused = permissionDenied(k.permission());
                            call.close(refused.getStatus(), refused.getTrailers());
                        }
                        return;
                    }
                }
                delegate = intercepted(method, call, headers, next);
                delegate.onMessage(message);
            }

            @Override
            public void onHalfClose() {
                if (delegate != null) {
                    delegate.onHalfClose();
                }
            }

            @Override
            public void onCancel() {
                if (delegate != null) {
                    delegate.onCancel();
                }
            }

            @Override
            public void onComplete() {
                if (delegate != null) {
                    delegate.onComplete();
                }
            }

            @Override
            public void onReady() {
                if (delegate != null) {
                    delegate.onReady();
                }
            }
        };
    }

    /** The resource a request names: its {@code resource}, {@code name} or {@code parent} field. */
    private static String resourceOf(Object message) {
        if (!(message instanceof com.google.protobuf.Message m)) {
            return null;
        }
        for (String field : java.util.List.of("resource", "name", "parent")) {
            com.google.protobuf.Descriptors.FieldDescriptor f =
                    m.getDescriptorForType().findFieldByName(field);
            if (f != null && f.getJavaType() == com.google.protobuf.Descriptors.FieldDescriptor.JavaType.STRING) {
                return (String) m.getField(f);
            }
        }
        return null;
    }
}
