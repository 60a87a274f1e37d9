package dev.cmek.sandbox;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A local stand-in for the CockroachDB Cloud API (version {@value #API_VERSION}): the organization,
 * cluster list, cluster and CMEK operations with the real API's shapes, status codes and error bodies, plus knobs to
 * inject latency, failures and slow clusters. Serves HTTP on 127.0.0.1; thread-safe.
 *
 * <p>Decisions where the spec is silent: error bodies carry the gRPC code (the real API is grpc-gateway:
 * 400 is 3 or 9, 401 is 16, 404 is 5, 409 is 10, 429 is 8, 500 is 13, 503 is 14); unknown request fields
 * are ignored (protojson DiscardUnknown); {@code GET .../cmek} before any enable is 404 (the Terraform
 * provider reads 404 as "no CMEK spec"); a PUT may also retry a region in ENABLE_FAILED or ROTATE_FAILED;
 * REVOKE needs status ENABLED, ROTATE_FAILED or REVOKE_FAILED; every mutation of a cluster with a CMEK
 * transition in progress is 409; a CREATING cluster answers mutations with 503 but reads with 200; the
 * rate limit counts only authenticated, admitted requests; the cluster list's page sizes and tokens are as
 * {@link ClusterListing} describes.
 */
public final class CloudApiSandbox implements AutoCloseable {

    /** The only {@code Cc-Version} the sandbox serves; a missing header is accepted as this version. */
    public static final String API_VERSION = "2024-09-16";
    /** Requests the real API allows per API key in any one-second window; the default here too. */
    public static final int RATE_LIMIT_PER_SECOND = 10;

    private static final Pattern ORGANIZATION = Pattern.compile("/api/v1/organization");
    private static final Pattern CLUSTERS = Pattern.compile("/api/v1/clusters");
    private static final Pattern CLUSTER = Pattern.compile("/api/v1/clusters/([^/]+)");
    private static final Pattern CMEK = Pattern.compile("/api/v1/clusters/([^/]+)/cmek");

    private final CloudApiModel model;
    private final String apiKey;
    private final int requestedPort;
    private final RequestLog requestLog = new RequestLog();
    private final Map<String, Deque<Long>> admittedByKey = new HashMap<>();
    private final List<InjectedFailure> injectedFailures = new ArrayList<>();
    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile Duration latency = Duration.ZERO;
    private volatile int rateLimitPerSecond;
    private volatile Consumer<RecordedExchange> exchangeListener;
    private HttpServer server;
    private ExecutorService executor;

    private CloudApiSandbox(Builder b) {
        this.model = new CloudApiModel(b.config, b.clock, b.transitionDelay, b.keySpecCheck);
        this.apiKey = b.apiKey;
        this.requestedPort = b.port;
        this.rateLimitPerSecond = b.rateLimitPerSecond;
        this.exchangeListener = b.exchangeListener;
    }

    /** A builder; {@link Builder#config} and {@link Builder#apiKey} are required. */
    public static Builder builder() {
        return new Builder();
    }

    /** Binds 127.0.0.1 on the configured port (0 = any free port) and starts serving; returns this. */
    public synchronized CloudApiSandbox start() {
        if (server != null) throw new IllegalStateException("sandbox already started");
        try {
            // Without TCP_NODELAY the JDK server's small answers wait on Nagle's algorithm (~40 ms each), a delay the
            // real API does not have; the property is read once, when the JDK's server classes load.
            if (System.getProperty("sun.net.httpserver.nodelay") == null) {
                System.setProperty("sun.net.httpserver.nodelay", "true");
            }
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), requestedPort), 50);
        } catch (IOException e) {
            throw new IllegalStateException("cannot bind 127.0.0.1:" + requestedPort + ": " + e.getMessage(), e);
        }
        executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "cloud-api-sandbox");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
        return this;
    }

    /** The bound port. */
    public int port() {
        if (server == null) throw new IllegalStateException("sandbox not started");
        return server.getAddress().getPort();
    }

    /** {@code http://127.0.0.1:<port>}: what clients use in place of {@code https://cockroachlabs.cloud}. */
    public URI baseUri() {
        return URI.create("http://127.0.0.1:" + port());
    }

    /** Blocks until {@link #close()} is called (for the CLI's {@code cmek sandbox}). */
    public void awaitClose() throws InterruptedException {
        closed.await();
    }

    /** Stops serving at once. */
    @Override
    public synchronized void close() {
        if (server != null) {
            server.stop(0);
            executor.shutdownNow();
        }
        closed.countDown();
    }

    /** Every exchange answered so far, rejected ones included. */
    public RequestLog requestLog() {
        return requestLog;
    }

    // ---- knobs ----------------------------------------------------------------------------------

    /** Adds this delay before every answer. */
    public void setLatency(Duration latency) {
        this.latency = Objects.requireNonNull(latency);
    }

    /** Requests admitted per API key in any one-second window (the real API: {@value #RATE_LIMIT_PER_SECOND}). */
    public void setRateLimitPerSecond(int requests) {
        if (requests < 1) throw new IllegalArgumentException("rate limit must be at least 1 request per second");
        this.rateLimitPerSecond = requests;
    }

    /** How long ENABLING, ROTATING and REVOKING last. */
    public void setTransitionDelay(Duration delay) {
        model.transitionDelay(Objects.requireNonNull(delay));
    }

    /** Replaces the check deciding whether CockroachDB could use a key. */
    /**
     * With {@code true}, enable, rotate and add-region answer 400 at once when the key check fails (nothing changes),
     * the way the real API refuses a key it cannot reach yet; with {@code false} (the default) the request is
     * accepted and the region ends in {@code ENABLE_FAILED}/{@code ROTATE_FAILED}.
     */
    public void setRejectInaccessibleKeys(boolean reject) {
        model.rejectInaccessibleKeys(reject);
    }

    public void setKeySpecCheck(KeySpecCheck check) {
        model.keySpecCheck(Objects.requireNonNull(check));
    }

    /** Answers the next {@code count} authenticated requests with {@code status} (500 or 503). */
    public void failNextRequests(int count, int status) {
        failNextRequests(count, status, null, null);
    }

    /**
     * Answers the next {@code count} authenticated requests whose method equals {@code method} (null = any)
     * and whose path matches {@code pathRegex} entirely (null = any) with {@code status} (500 or 503).
     */
    public void failNextRequests(int count, int status, String method, String pathRegex) {
        ApiError.injected(status); // validates the status
        synchronized (injectedFailures) {
            injectedFailures.add(
                    new InjectedFailure(count, status, method, pathRegex == null ? null : Pattern.compile(pathRegex)));
        }
    }

    /**
     * The page size of {@code GET /api/v1/clusters} when the request names none, and the most one page holds (a
     * larger {@code pagination.limit} is cut to it). Defaults: 100 and 500, assumed (see {@link ClusterListing}).
     */
    public void setClusterPageSizes(int byDefault, int max) {
        model.pageSizes(new ClusterListing.PageSizes(byDefault, max));
    }

    /** Puts the cluster in CREATING (mutations answer 503) until {@code duration} from now, then CREATED. */
    public void holdCreating(String clusterId, Duration duration) {
        model.holdCreating(clusterId, duration);
    }

    /**
     * Each submission of the region's key spec whose KMS version the key checks could see, oldest first: which version
     * CockroachDB took (a re-wrap takes the KMS's newest).
     */
    public List<KeyVersionTaken> keyVersionsTaken(String clusterId, String region) {
        return model.keyVersionsTaken(clusterId, region);
    }

    /** Makes the next enable or rotation of this region end in ENABLE_FAILED/ROTATE_FAILED with this user_message. */
    public void failNextCmekOperation(String clusterId, String region, String userMessage) {
        model.failNextCmekOperation(clusterId, region, Objects.requireNonNull(userMessage));
    }

    // ---- HTTP -----------------------------------------------------------------------------------

    private void handle(HttpExchange exchange) throws IOException {
        Instant received = Instant.now();
        String method = exchange.getRequestMethod().toUpperCase(Locale.ROOT);
        String path = exchange.getRequestURI().getRawPath();
        String requestBody;
        try (InputStream in = exchange.getRequestBody()) {
            requestBody = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Map<String, List<String>> responseHeaders = new LinkedHashMap<>();
        responseHeaders.put("content-type", List.of("application/json"));
        int status;
        String responseBody;
        try {
            sleep(latency);
            String token = authenticate(exchange);
            rateLimit(token, responseHeaders);
            String version = exchange.getRequestHeaders().getFirst("Cc-Version");
            if (version != null && !version.equals(API_VERSION)) {
                throw ApiError.invalidArgument(
                        "unsupported Cc-Version '" + version + "'; this server serves " + API_VERSION);
            }
            injectFailure(method, path);
            responseBody = route(method, path, exchange.getRequestURI().getRawQuery(), requestBody)
                    .toString();
            status = 200;
        } catch (ApiError e) {
            status = e.httpStatus;
            ObjectNode error = SandboxConfig.JSON
                    .createObjectNode()
                    .put("code", e.grpcCode)
                    .put("message", e.getMessage());
            error.putArray("details");
            responseBody = error.toString();
            if (status == 405) responseHeaders.put("allow", List.of(allowed(path)));
        } catch (RuntimeException e) {
            status = 500;
            ObjectNode error = SandboxConfig.JSON
                    .createObjectNode()
                    .put("code", 13)
                    .put("message", "sandbox internal error: " + e);
            error.putArray("details");
            responseBody = error.toString();
        }
        RecordedExchange recorded = new RecordedExchange(
                received,
                method,
                path,
                exchange.getRequestURI().getRawQuery(),
                loggedHeaders(exchange),
                requestBody,
                status,
                responseHeaders,
                responseBody);
        requestLog.add(recorded);
        Consumer<RecordedExchange> listener = exchangeListener;
        if (listener != null) {
            try {
                listener.accept(recorded);
            } catch (RuntimeException ignored) {
                // a faulty listener (e.g. a closed console) must not break the answer
            }
        }
        byte[] bytes = responseBody.getBytes(StandardCharsets.UTF_8);
        responseHeaders.forEach((name, values) -> exchange.getResponseHeaders().put(name, values));
        boolean head = method.equals("HEAD"); // HEAD answers carry headers only
        exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            if (!head) out.write(bytes);
        }
    }

    private String authenticate(HttpExchange exchange) {
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        if (header == null || !header.equals("Bearer " + apiKey)) {
            throw ApiError.unauthenticated(
                    header == null
                            ? "missing API key: send 'Authorization: Bearer <service account API key>'"
                            : "invalid API key");
        }
        return header.substring("Bearer ".length());
    }

    private void rateLimit(String key, Map<String, List<String>> responseHeaders) {
        long now = System.nanoTime();
        long window = Duration.ofSeconds(1).toNanos();
        synchronized (admittedByKey) {
            Deque<Long> admitted = admittedByKey.computeIfAbsent(key, k -> new ArrayDeque<>());
            while (!admitted.isEmpty() && now - admitted.peekFirst() >= window) {
                admitted.removeFirst();
            }
            if (admitted.size() >= rateLimitPerSecond) {
                long waitNanos = window - (now - admitted.peekFirst());
                long seconds = Math.max(1, (waitNanos + 999_999_999L) / 1_000_000_000L);
                responseHeaders.put("retry-after", List.of(Long.toString(seconds)));
                throw ApiError.rateLimited("rate limit exceeded");
            }
            admitted.addLast(now);
        }
    }

    private void injectFailure(String method, String path) {
        synchronized (injectedFailures) {
            for (InjectedFailure f : injectedFailures) {
                if (f.remaining > 0
                        && (f.method == null || f.method.equalsIgnoreCase(method))
                        && (f.path == null || f.path.matcher(path).matches())) {
                    f.remaining--;
                    throw ApiError.injected(f.status);
                }
            }
            injectedFailures.removeIf(f -> f.remaining == 0);
        }
    }

    private JsonNode route(String method, String path, String query, String body) {
        if (ORGANIZATION.matcher(path).matches()) {
            if (method.equals("GET")) return model.organization();
            throw ApiError.methodNotAllowed("method " + method + " not allowed on " + path);
        }
        if (CLUSTERS.matcher(path).matches()) {
            if (method.equals("GET")) return model.listClusters(RequestRules.listQuery(query));
            throw ApiError.methodNotAllowed("method " + method + " not allowed on " + path);
        }
        Matcher cluster = CLUSTER.matcher(path);
        if (cluster.matches()) {
            String id = cluster.group(1);
            return switch (method) {
                case "GET" -> model.getCluster(id);
                case "PATCH" -> model.updateCluster(id, parseBody(body));
                default -> throw ApiError.methodNotAllowed("method " + method + " not allowed on " + path);
            };
        }
        Matcher cmek = CMEK.matcher(path);
        if (cmek.matches()) {
            String id = cmek.group(1);
            return switch (method) {
                case "GET" -> model.getCmek(id);
                case "POST" -> model.enable(id, parseBody(body));
                case "PUT" -> model.rotate(id, parseBody(body));
                case "PATCH" -> model.revoke(id, parseBody(body));
                default -> throw ApiError.methodNotAllowed("method " + method + " not allowed on " + path);
            };
        }
        throw ApiError.notFound("Not Found: the sandbox serves no " + path);
    }

    private static String allowed(String path) {
        if (CMEK.matcher(path).matches()) return "GET, POST, PUT, PATCH";
        if (CLUSTER.matcher(path).matches()) return "GET, PATCH";
        return "GET";
    }

    /** Unknown fields are ignored, like the real API's grpc-gateway (protojson with DiscardUnknown). */
    private static JsonNode parseBody(String body) {
        if (body.isBlank()) {
            throw ApiError.invalidArgument("a JSON request body is required");
        }
        JsonNode node;
        try {
            node = SandboxConfig.JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw ApiError.invalidArgument("request body is not valid JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw ApiError.invalidArgument("request body must be a JSON object");
        }
        return node;
    }

    private static Map<String, List<String>> loggedHeaders(HttpExchange exchange) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        exchange.getRequestHeaders().forEach((name, values) -> {
            String lower = name.toLowerCase(Locale.ROOT);
            if (!lower.equals("authorization")) headers.put(lower, List.copyOf(values));
        });
        return headers;
    }

    private static void sleep(Duration d) {
        if (d.isZero() || d.isNegative()) return;
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static final class InjectedFailure {
        int remaining;
        final int status;
        final String method;
        final Pattern path;

        InjectedFailure(int remaining, int status, String method, Pattern path) {
            this.remaining = remaining;
            this.status = status;
            this.method = method;
            this.path = path;
        }
    }

    /** Builds a {@link CloudApiSandbox}; not thread-safe. */
    public static final class Builder {
        private SandboxConfig config;
        private String apiKey;
        private int port;
        private Duration transitionDelay = Duration.ofSeconds(2);
        private KeySpecCheck keySpecCheck = KeySpecCheck.ACCEPT_ALL;
        private Clock clock = Clock.systemUTC();
        private int rateLimitPerSecond = RATE_LIMIT_PER_SECOND;
        private Consumer<RecordedExchange> exchangeListener;

        private Builder() {}

        /** The organization and clusters to serve. */
        public Builder config(SandboxConfig config) {
            this.config = Objects.requireNonNull(config);
            return this;
        }

        /** The only API key accepted as {@code Authorization: Bearer <key>}. */
        public Builder apiKey(String apiKey) {
            this.apiKey = Objects.requireNonNull(apiKey);
            return this;
        }

        /** The port on 127.0.0.1; 0 (the default) picks a free one. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** How long ENABLING, ROTATING and REVOKING last (default 2 s). */
        public Builder transitionDelay(Duration delay) {
            this.transitionDelay = Objects.requireNonNull(delay);
            return this;
        }

        /** Whether CockroachDB could use a key (default: accept all). */
        public Builder keySpecCheck(KeySpecCheck check) {
            this.keySpecCheck = Objects.requireNonNull(check);
            return this;
        }

        /** Requests admitted per API key in any one-second window (default {@value #RATE_LIMIT_PER_SECOND}, like the real API). */
        public Builder rateLimitPerSecond(int requests) {
            if (requests < 1) throw new IllegalArgumentException("rate limit must be at least 1 request per second");
            this.rateLimitPerSecond = requests;
            return this;
        }

        /** Called after each exchange is recorded (e.g. the CLI prints one line per request); null for none. */
        public Builder onExchange(Consumer<RecordedExchange> listener) {
            this.exchangeListener = listener;
            return this;
        }

        /** The clock transitions and timestamps are computed from (default: system UTC). */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock);
            return this;
        }

        public CloudApiSandbox build() {
            if (config == null) throw new IllegalStateException("CloudApiSandbox needs a config");
            if (apiKey == null || apiKey.isBlank())
                throw new IllegalStateException("CloudApiSandbox needs a non-empty API key");
            return new CloudApiSandbox(this);
        }
    }
}
