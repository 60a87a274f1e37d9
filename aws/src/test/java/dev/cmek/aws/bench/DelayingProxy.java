package dev.cmek.aws.bench;

import com.sun.net.httpserver.HttpExchange;
import dev.cmek.aws.testing.ForwardingServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An HTTP proxy in front of moto that adds a fixed latency to every call, counts calls by region and operation, and
 * sums moto's own answer time. The latency is settable between runs, so one set of warmed-up SDK clients serves every
 * latency. Published in the test-jar for the orchestrator's workflow benchmarks.
 */
public final class DelayingProxy implements AutoCloseable {
    private static final Pattern SCOPE = Pattern.compile("Credential=[^/]+/\\d{8}/([^/]+)/([^/]+)/");
    private static final Pattern ACTION = Pattern.compile("(?:^|&)Action=([A-Za-z]+)");

    private volatile Duration latency;
    private final ForwardingServer server;
    private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
    /** Time moto took to answer (from forwarding the request to having the whole answer), per operation. */
    private final Map<String, java.util.concurrent.atomic.AtomicLong> serviceNanos = new ConcurrentHashMap<>();

    public DelayingProxy(URI target, Duration latency) throws IOException {
        this.latency = latency;
        this.server = new ForwardingServer(target, "delaying-proxy", 64, this::forward);
    }

    public void latency(Duration latency) {
        this.latency = latency;
    }

    public URI endpoint() {
        return server.endpoint();
    }

    /** Calls seen since the last reset, keyed {@code <service>/<region> <operation>}. */
    public Map<String, Integer> counts() {
        Map<String, Integer> out = new TreeMap<>();
        counts.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    public void resetCounts() {
        counts.clear();
        serviceNanos.clear();
    }

    /** Moto's own answer time since the last reset, summed per operation (calls of all regions), in ms. */
    public Map<String, Long> serviceMillis() {
        Map<String, Long> out = new TreeMap<>();
        serviceNanos.forEach((k, v) -> out.put(k, v.get() / 1_000_000));
        return out;
    }

    private void forward(HttpExchange ex) throws IOException {
        try (ex) {
            byte[] body;
            try (InputStream in = ex.getRequestBody()) {
                body = in.readAllBytes();
            }
            String op = count(ex, body);
            long ms = latency.toMillis();
            if (ms > 0) {
                Thread.sleep(ms);
            }
            long sent = System.nanoTime();
            ForwardingServer.Answer resp = server.send(ex, body);
            serviceNanos
                    .computeIfAbsent(op, k -> new java.util.concurrent.atomic.AtomicLong())
                    .addAndGet(System.nanoTime() - sent);
            ForwardingServer.reply(ex, resp.statusCode(), resp.headers(), resp.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private String count(HttpExchange ex, byte[] body) {
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        Matcher scope = SCOPE.matcher(auth == null ? "" : auth);
        String where = scope.find() ? scope.group(2) + "/" + scope.group(1) : "?";
        if (where.startsWith("iam/") || where.startsWith("sts/")) {
            where = where.substring(0, 3);
        }
        String target = ex.getRequestHeaders().getFirst("X-Amz-Target");
        String op;
        if (target != null) {
            op = target.substring(target.indexOf('.') + 1);
        } else {
            Matcher m = ACTION.matcher(new String(body, StandardCharsets.UTF_8));
            op = m.find() ? m.group(1) : "?";
        }
        counts.computeIfAbsent(where + " " + op, k -> new AtomicInteger()).incrementAndGet();
        return (where.startsWith("kms/") ? "kms" : where) + " " + op;
    }

    @Override
    public void close() {
        server.close();
    }
}
