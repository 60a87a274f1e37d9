package dev.cmek.api;

import dev.cmek.CmekException;
import dev.cmek.core.Backoff;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Where the Cloud API is and how patiently to talk to it.
 *
 * @param server base URL, e.g. {@code https://cockroachlabs.cloud}
 * @param propagationWindow how long enable and rotate keep retrying while the key is not yet accessible
 *     (cloud IAM changes take minutes to propagate)
 * @param notReadyWindow how long a mutation waits for a cluster that answers 503 "not ready"
 * @param retryBase first pause between retries; doubles up to {@code retryMax}
 * @param getAttempts attempts for a GET on connection errors, 5xx and 429
 * @param requestTimeout time limit of one HTTP exchange
 */
public record ApiSettings(
        URI server,
        Duration propagationWindow,
        Duration notReadyWindow,
        Duration retryBase,
        Duration retryMax,
        int getAttempts,
        Duration requestTimeout) {

    public static final String SERVER_ENV = "COCKROACH_SERVER";
    public static final URI DEFAULT_SERVER = URI.create("https://cockroachlabs.cloud");
    /** The API version this toolkit speaks; without it the server answers with its newest. */
    public static final String API_VERSION = "2024-09-16";

    private static final Set<String> LOOPBACK = Set.of("127.0.0.1", "localhost", "[::1]", "::1");

    public ApiSettings {
        Objects.requireNonNull(server, "server");
    }

    public static ApiSettings defaults(URI server) {
        return new ApiSettings(
                server,
                Duration.ofMinutes(10),
                Duration.ofMinutes(10),
                Duration.ofMillis(250),
                Duration.ofSeconds(10),
                5,
                Duration.ofSeconds(30));
    }

    public ApiSettings withPropagationWindow(Duration window) {
        return new ApiSettings(server, window, notReadyWindow, retryBase, retryMax, getAttempts, requestTimeout);
    }

    public ApiSettings withNotReadyWindow(Duration window) {
        return new ApiSettings(server, propagationWindow, window, retryBase, retryMax, getAttempts, requestTimeout);
    }

    public ApiSettings withRetryPauses(Duration base, Duration max) {
        return new ApiSettings(server, propagationWindow, notReadyWindow, base, max, getAttempts, requestTimeout);
    }

    /** The server from {@code --server}, else {@value #SERVER_ENV}, else the real API. */
    public static URI resolveServer(String flag, Map<String, String> env) {
        String raw = flag != null ? flag : env.get(SERVER_ENV);
        if (raw == null || raw.isBlank()) {
            return DEFAULT_SERVER;
        }
        return parseServer(raw.strip());
    }

    /** Accepts https anywhere and plain http only on this machine, so the API key never crosses a network in clear. */
    public static URI parseServer(String raw) {
        URI uri;
        try {
            uri = new URI(raw.endsWith("/") ? raw.substring(0, raw.length() - 1) : raw);
        } catch (URISyntaxException e) {
            throw new CmekException.InvalidInput(
                    "server " + quote(raw) + " is not a URL (expected e.g. https://cockroachlabs.cloud)");
        }
        if (uri.getHost() == null || uri.getScheme() == null) {
            throw new CmekException.InvalidInput(
                    "server " + quote(raw) + " is not a URL (expected e.g. https://cockroachlabs.cloud)");
        }
        if (uri.getQuery() != null || uri.getFragment() != null || uri.getUserInfo() != null) {
            // Not echoed: a user part may hold a password.
            throw new CmekException.InvalidInput(
                    "server must be a plain base URL such as https://cockroachlabs.cloud, without user, query or fragment");
        }
        switch (uri.getScheme()) {
            case "https" -> {}
            case "http" -> {
                if (!LOOPBACK.contains(uri.getHost())) {
                    throw new CmekException.InvalidInput(
                            "server " + quote(raw)
                                    + ": refusing to send the API key over plain http; use https (http is allowed only for 127.0.0.1 and localhost)");
                }
            }
            default -> throw new CmekException.InvalidInput("server " + quote(raw) + " must start with https://");
        }
        return uri;
    }

    private static String quote(String s) {
        return '"' + s + '"';
    }

    /** Pauses between retries: {@code retryBase}, doubling up to {@code retryMax}. */
    public Backoff retries() {
        return Backoff.growing(retryBase, 2, retryMax);
    }
}
