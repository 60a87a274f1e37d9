package dev.cmek.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cmek.core.Backoff;
import dev.cmek.model.ClusterIdRule;
import dev.cmek.model.Manifest;
import dev.cmek.model.RegionSpec;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * {@link CloudApi} over HTTP with {@link HttpClient}. All retrying lives here, each kind for a named reason
 * under a named bound:
 * <ul>
 *   <li>GETs: connections dropped mid-exchange, 5xx and 429, up to {@link ApiSettings#getAttempts()} attempts (an
 *       endpoint that cannot be connected to at all is not retried);</li>
 *   <li>every call: 429, after the {@code Retry-After} the server asked for (the request was not processed);</li>
 *   <li>mutations: 503 "not ready", after waiting for the cluster to be CREATED, within
 *       {@link ApiSettings#notReadyWindow()};</li>
 *   <li>enable and rotate: a 400 saying the key or principal cannot be accessed yet (cloud IAM propagation),
 *       within {@link ApiSettings#propagationWindow()}; any other 4xx fails at once.</li>
 * </ul>
 */
public final class HttpCloudApi implements CloudApi {

    static final ObjectMapper JSON = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.READ_UNKNOWN_ENUM_VALUES_USING_DEFAULT_VALUE)
            .build();

    // Words CockroachDB uses when it cannot reach a customer key yet; a malformed request never says these.
    private static final Pattern KEY_NOT_ACCESSIBLE = Pattern.compile(
            "(access ?denied|not authori[sz]ed|permission|unable to (access|assume|use)|cannot (access|assume|use)"
                    + "|could not (access|assume|use)|not accessible|assumerole|propagat)",
            Pattern.CASE_INSENSITIVE);

    private final ApiSettings settings;
    private final ApiKey key;
    private final HttpClient http;
    private final RequestPacer pacer;
    private final Consumer<String> notices;
    /** Whether {@link ProtocolMismatch#beforeFirstRequest} was asked: once per client, before its first request. */
    private volatile boolean schemeChecked;

    /**
     * @param pacer shared by every client of the same API key in this process
     * @param notices one-line notes about retries, for stderr
     */
    /** A TCP connect to the API opens well within this; a server that does not accept one is taken as unreachable. */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

    public HttpCloudApi(ApiSettings settings, ApiKey key, RequestPacer pacer, Consumer<String> notices) {
        this.settings = Objects.requireNonNull(settings);
        this.key = Objects.requireNonNull(key);
        this.pacer = Objects.requireNonNull(pacer);
        this.notices = Objects.requireNonNull(notices);
        this.http = HttpClient.newBuilder()
                .connectTimeout(CONNECT_TIMEOUT)
                .version(
                        "http".equals(settings.server().getScheme())
                                ? HttpClient.Version.HTTP_1_1
                                : HttpClient.Version.HTTP_2)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    @Override
    public Organization organization() {
        return call(Call.get("read the organization", "/api/v1/organization"), Organization.class);
    }

    /**
     * Clusters asked for per page of {@code GET /api/v1/clusters}: the Terraform provider asks the API's other lists
     * for 500 a page (internal/provider/allowlist_resource.go, database_resource.go, sql_user_resource.go); a server
     * whose maximum is lower answers fewer and a {@code next_page}.
     */
    static final int CLUSTER_PAGE_SIZE = 500;

    @Override
    public List<Cluster> listClusters() {
        List<Cluster> clusters = new ArrayList<>();
        Set<String> tokens = new HashSet<>();
        Optional<String> page = Optional.empty();
        while (true) {
            String operation = "list the organization's clusters (page " + (tokens.size() + 1) + ")";
            ListClustersResponse answer = call(Call.get(operation, clustersPagePath(page)), ListClustersResponse.class);
            clusters.addAll(answer.clusters());
            page = answer.nextPage();
            if (page.isEmpty()) {
                return List.copyOf(clusters);
            }
            if (!tokens.add(page.get())) {
                // Following it would loop for ever; the server broke its own paging.
                throw new ApiException(operation, 200, 0, "the server answered a next_page it had already given");
            }
        }
    }

    private static String clustersPagePath(Optional<String> page) {
        return "/api/v1/clusters?pagination.limit=" + CLUSTER_PAGE_SIZE
                + page.map(p -> "&pagination.page=" + URLEncoder.encode(p, StandardCharsets.UTF_8))
                        .orElse("");
    }

    /** {@code ListClustersResponse}: one page of clusters and the token of the next. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record ListClustersResponse(
            @JsonProperty("clusters") List<Cluster> clusters,
            @JsonProperty("pagination") Pagination pagination) {
        ListClustersResponse {
            clusters = clusters == null ? List.of() : clusters;
        }

        Optional<String> nextPage() {
            return Optional.ofNullable(pagination).map(Pagination::nextPage).filter(p -> !p.isEmpty());
        }
    }

    /** {@code KeysetPaginationResponse}. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Pagination(
            @JsonProperty("next_page") String nextPage,
            @JsonProperty("previous_page") String previousPage) {}

    @Override
    public Cluster cluster(String clusterId) {
        return call(Call.get("read cluster " + clusterId, clusterPath(clusterId)), Cluster.class);
    }

    @Override
    public CmekClusterInfo cmekStatus(String clusterId) {
        return call(
                Call.get("read CMEK status of cluster " + clusterId, clusterPath(clusterId) + "/cmek"),
                CmekClusterInfo.class);
    }

    @Override
    public CmekClusterInfo enableCmek(String clusterId, Manifest manifest) {
        return call(
                new Call(
                        "enable CMEK on cluster " + clusterId,
                        "POST",
                        clusterPath(clusterId) + "/cmek",
                        JSON.valueToTree(manifest),
                        clusterId,
                        true),
                CmekClusterInfo.class);
    }

    @Override
    public CmekClusterInfo rotateCmek(String clusterId, Manifest regionsToRotate) {
        return call(
                new Call(
                        "rotate CMEK keys of cluster " + clusterId,
                        "PUT",
                        clusterPath(clusterId) + "/cmek",
                        JSON.valueToTree(regionsToRotate),
                        clusterId,
                        true),
                CmekClusterInfo.class);
    }

    @Override
    public CmekClusterInfo revokeCmek(String clusterId) {
        ObjectNode body = JSON.createObjectNode().put("action", "REVOKE");
        return call(
                new Call(
                        "revoke CMEK of cluster " + clusterId,
                        "PATCH",
                        clusterPath(clusterId) + "/cmek",
                        body,
                        clusterId,
                        false),
                CmekClusterInfo.class);
    }

    @Override
    public Cluster addRegions(String clusterId, Map<String, Integer> regionNodes, List<RegionSpec> newRegionSpecs) {
        ObjectNode body = JSON.createObjectNode();
        ObjectNode dedicated = body.putObject("dedicated");
        dedicated.set("region_nodes", JSON.valueToTree(regionNodes));
        dedicated.set("cmek_region_specs", JSON.valueToTree(newRegionSpecs));
        return call(
                new Call(
                        "add regions "
                                + String.join(
                                        ", ",
                                        newRegionSpecs.stream()
                                                .map(RegionSpec::region)
                                                .toList()) + " to cluster " + clusterId,
                        "PATCH",
                        clusterPath(clusterId),
                        body,
                        clusterId,
                        true),
                Cluster.class);
    }

    private static String clusterPath(String clusterId) {
        return "/api/v1/clusters/" + ClusterIdRule.check(clusterId);
    }

    /** One API call: what it is for (for messages), the HTTP request, and which retries apply. */
    private record Call(
            String operation,
            String method,
            String path,
            JsonNode body,
            String clusterId,
            boolean keyMayBePropagating) {
        static Call get(String operation, String path) {
            return new Call(operation, "GET", path, null, null, false);
        }

        boolean isGet() {
            return method.equals("GET");
        }
    }

    private <T> T call(Call call, Class<T> type) {
        String body = exchange(call);
        try {
            return JSON.readValue(body, type);
        } catch (JsonProcessingException e) {
            throw new ApiException(call.operation(), 200, 0, "unreadable answer (" + e.getOriginalMessage() + ")");
        }
    }

    private String exchange(Call call) {
        if (!schemeChecked) {
            schemeChecked = true;
            java.util.Optional<String> mismatch = ProtocolMismatch.beforeFirstRequest(settings.server());
            if (mismatch.isPresent()) {
                throw ApiException.protocolMismatch(call.operation(), mismatch.get(), null);
            }
        }
        long start = System.nanoTime();
        int attempt = 0;
        Duration pause = settings.retryBase();
        while (true) {
            attempt++;
            HttpResponse<String> response;
            try {
                pacer.acquire();
                try {
                    response = http.send(request(call), HttpResponse.BodyHandlers.ofString());
                } finally {
                    pacer.release();
                }
            } catch (IOException e) {
                java.util.Optional<String> mismatch = ProtocolMismatch.diagnose(settings.server(), e);
                if (mismatch.isPresent()) {
                    throw ApiException.protocolMismatch(call.operation(), mismatch.get(), e);
                }
                // An endpoint that refuses the connection, does not resolve, or does not accept within the timeout
                // will not answer the next try either: the Cloud API restarts behind its load balancer (a 502/503,
                // retried below), so these mean a wrong --server or no network, and a responder must not wait on them.
                boolean hopeless = e instanceof java.net.ConnectException
                        || e instanceof java.net.http.HttpConnectTimeoutException
                        || e instanceof java.net.UnknownHostException
                        || e.getCause() instanceof java.net.ConnectException
                        || e.getCause() instanceof java.net.UnknownHostException;
                if (call.isGet() && !hopeless && attempt < settings.getAttempts()) {
                    notices.accept(call.operation() + ": " + ProtocolMismatch.describe(e) + ", retrying (attempt "
                            + (attempt + 1) + ")");
                    pause = sleep(pause);
                    continue;
                }
                throw ApiException.unreachable(
                        call.operation(), settings.server().toString(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new dev.cmek.CmekException(dev.cmek.ExitCode.INTERNAL, call.operation() + ": interrupted");
            }
            int status = response.statusCode();
            if (status == 200) {
                return response.body();
            }
            ApiException error = error(call, response);
            Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
            if (status == 429 && attempt < Math.max(settings.getAttempts(), 10)) {
                Duration wait = retryAfter(response);
                pacer.pauseFor(wait);
                notices.accept(
                        call.operation() + ": rate limited, waiting " + wait.toMillis() + " ms as the server asked");
                continue;
            }
            if (call.isGet() && status >= 500 && attempt < settings.getAttempts()) {
                notices.accept(call.operation() + ": HTTP " + status + ", retrying (attempt " + (attempt + 1) + ")");
                pause = sleep(pause);
                continue;
            }
            if (!call.isGet() && status == 503 && elapsed.compareTo(settings.notReadyWindow()) < 0) {
                notices.accept(call.operation() + ": cluster not ready (HTTP 503), waiting for it to be CREATED");
                waitUntilCreated(call, start);
                pause = sleep(pause);
                continue;
            }
            if (call.keyMayBePropagating()
                    && status == 400
                    && keyNotAccessibleYet(error)
                    && elapsed.compareTo(settings.propagationWindow()) < 0) {
                notices.accept(call.operation()
                        + ": key not accessible yet (cloud IAM may still be propagating), retrying for up to "
                        + settings.propagationWindow().minus(elapsed).toSeconds() + " s: " + error.apiMessage());
                pause = sleep(pause);
                continue;
            }
            throw error;
        }
    }

    /** Polls the cluster until it is CREATED or the not-ready window is spent. */
    private void waitUntilCreated(Call call, long start) {
        Duration pause = settings.retryBase();
        while (Duration.ofNanos(System.nanoTime() - start).compareTo(settings.notReadyWindow()) < 0) {
            Cluster cluster = cluster(call.clusterId());
            if (cluster.state() == ClusterState.CREATED) {
                return;
            }
            if (cluster.state() == ClusterState.CREATION_FAILED || cluster.state() == ClusterState.DELETED) {
                throw new ApiException(
                        call.operation(), 503, 14, "cluster is " + cluster.state() + " and will not become ready");
            }
            pause = sleep(pause);
        }
    }

    static boolean keyNotAccessibleYet(ApiException error) {
        String message = Objects.requireNonNullElse(error.apiMessage(), "");
        String lower = message.toLowerCase(Locale.ROOT);
        boolean aboutKey = lower.contains("key")
                || lower.contains("role")
                || lower.contains("principal")
                || lower.contains("service account");
        return aboutKey && KEY_NOT_ACCESSIBLE.matcher(message).find();
    }

    private HttpRequest request(Call call) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(settings.server() + call.path()))
                .timeout(settings.requestTimeout())
                .header("Authorization", "Bearer " + key.reveal())
                .header("Cc-Version", ApiSettings.API_VERSION)
                .header("Accept", "application/json")
                .header("User-Agent", "cmek-toolkit");
        if (call.body() == null) {
            return builder.method(call.method(), HttpRequest.BodyPublishers.noBody())
                    .build();
        }
        return builder.header("Content-Type", "application/json")
                .method(
                        call.method(),
                        HttpRequest.BodyPublishers.ofString(call.body().toString()))
                .build();
    }

    private static ApiException error(Call call, HttpResponse<String> response) {
        int code = 0;
        String message = null;
        try {
            JsonNode node = JSON.readTree(response.body());
            if (node != null && node.isObject()) {
                code = node.path("code").asInt(0);
                message =
                        node.path("message").isTextual() ? node.path("message").textValue() : null;
            }
        } catch (JsonProcessingException e) {
            // Not the documented error body (a proxy page, say): show its start instead.
        }
        if (message == null) {
            String raw = Objects.requireNonNullElse(response.body(), "");
            message = raw.length() > 200 ? raw.substring(0, 200) + "..." : raw;
        }
        return new ApiException(call.operation(), response.statusCode(), code, message);
    }

    private static Duration retryAfter(HttpResponse<String> response) {
        return response.headers()
                .firstValue("Retry-After")
                .flatMap(HttpCloudApi::seconds)
                .orElse(Duration.ofSeconds(1));
    }

    private static java.util.Optional<Duration> seconds(String value) {
        try {
            long s = Long.parseLong(value.strip());
            return java.util.Optional.of(Duration.ofSeconds(Math.max(0, Math.min(s, 120))));
        } catch (NumberFormatException e) {
            return java.util.Optional.empty();
        }
    }

    /** Waits {@code pause}, then answers the pause after it. */
    private Duration sleep(Duration pause) {
        Backoff.sleep(pause);
        return settings.retries().next(pause);
    }
}
