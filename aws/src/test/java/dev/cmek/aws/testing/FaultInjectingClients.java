package dev.cmek.aws.testing;

import dev.cmek.aws.AwsClients;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.MalformedPolicyDocumentException;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * Decorates the SDK clients (they are interfaces) to count calls by method name and to inject failures: a crash just
 * after a call went through (the process "dies" between two steps), or errors instead of the first N calls.
 */
public final class FaultInjectingClients implements AwsClients {
    private final AwsClients delegate;
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    /** Calls that went through (AWS answered without an error), for {@link #crashAfter}. */
    private final Map<String, AtomicInteger> succeeded = new ConcurrentHashMap<>();

    private final List<Rule> rules = new CopyOnWriteArrayList<>();

    private record Rule(String method, boolean after, int fromCall, int toCall, Supplier<RuntimeException> error) {}

    /** Thrown by {@link #crashAfter}: stands for the process being killed right after a call succeeded. */
    public static final class SimulatedCrash extends RuntimeException {
        public SimulatedCrash(String method) {
            super("simulated crash after " + method);
        }
    }

    public FaultInjectingClients(AwsClients delegate) {
        this.delegate = delegate;
    }

    /**
     * The n-th call (1-based, counted across regions) of {@code method} that AWS answers without an error goes
     * through, then the caller crashes (calls the strict proxy refused, e.g. a principal not visible yet, do not count).
     */
    public FaultInjectingClients crashAfter(String method, int nth) {
        rules.add(new Rule(method, true, nth, nth, () -> new SimulatedCrash(method)));
        return this;
    }

    /** The first {@code times} calls of {@code method} fail with {@code error} without being sent. */
    public FaultInjectingClients failFirst(String method, int times, Supplier<RuntimeException> error) {
        rules.add(new Rule(method, false, 1, times, error));
        return this;
    }

    /** KMS's answer when a key policy names a principal IAM has not propagated yet. */
    public static MalformedPolicyDocumentException invalidPrincipal() {
        return MalformedPolicyDocumentException.builder()
                .message("Policy contains a statement with one or more invalid principals.")
                .statusCode(400)
                .build();
    }

    public int calls(String method) {
        AtomicInteger n = calls.get(method);
        return n == null ? 0 : n.get();
    }

    public Map<String, Integer> calls() {
        Map<String, Integer> out = new java.util.TreeMap<>();
        calls.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    @Override
    public KmsClient kms(Region region) {
        return wrap(KmsClient.class, delegate.kms(region));
    }

    @Override
    public IamClient iam() {
        return wrap(IamClient.class, delegate.iam());
    }

    @Override
    public StsClient sts() {
        return wrap(StsClient.class, delegate.sts());
    }

    @Override
    public java.util.Optional<dev.cmek.aws.TaggedKeys> tagging(Region region) {
        return delegate.tagging(region);
    }

    @Override
    public dev.cmek.aws.CallerIdentity caller() {
        return delegate.caller();
    }

    @Override
    public void close() {
        delegate.close();
    }

    private <T> T wrap(Class<T> type, T target) {
        InvocationHandler h = (proxy, method, args) -> {
            String name = method.getName();
            if (method.getDeclaringClass() == Object.class
                    || name.equals("serviceName")
                    || name.equals("close")
                    || name.equals("serviceClientConfiguration")) {
                return invoke(method, target, args);
            }
            int n = calls.computeIfAbsent(name, k -> new AtomicInteger()).incrementAndGet();
            for (Rule r : rules) {
                if (!r.after() && r.method().equals(name) && n >= r.fromCall() && n <= r.toCall()) {
                    throw r.error().get();
                }
            }
            Object result = invoke(method, target, args);
            int ok = succeeded.computeIfAbsent(name, k -> new AtomicInteger()).incrementAndGet();
            for (Rule r : rules) {
                if (r.after() && r.method().equals(name) && ok == r.fromCall()) {
                    throw r.error().get();
                }
            }
            return result;
        };
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, h));
    }

    private static Object invoke(java.lang.reflect.Method method, Object target, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
