package dev.cmek.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** A started sandbox with two clusters and an HTTP client for it; tests use it as the real client would. */
final class SandboxFixture implements AutoCloseable, AfterEachCallback {

    static final String API_KEY = "test-api-key";
    static final String ORG_ID = "9c0bde16-3d1b-4c16-8f6b-1d2c3e4f5a6b";
    static final String AWS_CLUSTER = "35c4abb2-bb66-46d7-afed-25ebef5ed2aa";
    static final String GCP_CLUSTER = "b1a2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d";
    static final String STANDARD_CLUSTER = "11111111-2222-4333-8444-555555555555";
    static final Duration DELAY = Duration.ofMillis(100);
    static final ObjectMapper JSON = new ObjectMapper();

    static final String CONFIG = """
            {"organization": {"id": "%s", "name": "acme"},
             "clusters": [
               {"id": "%s", "name": "payments", "cloud_provider": "AWS", "account_id": "210987654321",
                "plan": "ADVANCED", "state": "CREATED", "network_visibility": "PRIVATE",
                "regions": [{"name": "us-east-1", "node_count": 3}, {"name": "eu-west-1", "node_count": 3}]},
               {"id": "%s", "name": "ledger", "cloud_provider": "GCP", "account_id": "crl-prod-abc",
                "plan": "ADVANCED", "state": "CREATED",
                "regions": [{"name": "us-central1", "node_count": 3}]},
               {"id": "%s", "name": "small", "cloud_provider": "AWS", "plan": "STANDARD",
                "regions": [{"name": "us-east-1", "node_count": 1}]}
             ]}
            """.formatted(ORG_ID, AWS_CLUSTER, GCP_CLUSTER, STANDARD_CLUSTER);

    final CloudApiSandbox sandbox;
    final HttpClient http = HttpClient.newHttpClient();

    private final boolean checkRequests;

    /** A sandbox whose every exchange is checked against the spec after each test, when registered as an extension. */
    SandboxFixture() {
        this(true, CONFIG);
    }

    /** Only the answers are checked: for tests whose requests are malformed on purpose. */
    static SandboxFixture checkingResponsesOnly() {
        return new SandboxFixture(false, CONFIG);
    }

    /** A sandbox serving {@code config} instead of the three clusters above. */
    static SandboxFixture serving(String config, boolean checkRequests) {
        return new SandboxFixture(checkRequests, config);
    }

    private SandboxFixture(boolean checkRequests, String config) {
        this.checkRequests = checkRequests;
        sandbox = CloudApiSandbox.builder()
                .config(SandboxConfig.parse(config))
                .apiKey(API_KEY)
                .transitionDelay(DELAY)
                .rateLimitPerSecond(1000) // semantics tests poll fast; the rate-limit test sets 10
                .build()
                .start();
    }

    static String awsSpec(String region, String keyId) {
        return """
                {"region": "%s", "key_spec": {"type": "AWS_KMS",
                 "uri": "arn:aws:kms:%s:111122223333:key/%s",
                 "auth_principal": "arn:aws:iam::111122223333:role/crdb-cmek"}}""".formatted(region, region, keyId);
    }

    static String gcpSpec(String region, String key) {
        return """
                {"region": "%s", "key_spec": {"type": "GCP_CLOUD_KMS",
                 "uri": "projects/customer-proj/locations/%s/keyRings/crdb/cryptoKeys/%s",
                 "auth_principal": "crdb-cmek@customer-proj.iam.gserviceaccount.com"}}""".formatted(region, region, key);
    }

    static String regionSpecs(String... specs) {
        return "{\"region_specs\": [" + String.join(",", specs) + "]}";
    }

    Reply get(String path) {
        return send("GET", path, null);
    }

    Reply post(String path, String body) {
        return send("POST", path, body);
    }

    Reply put(String path, String body) {
        return send("PUT", path, body);
    }

    Reply patch(String path, String body) {
        return send("PATCH", path, body);
    }

    Reply send(String method, String path, String body) {
        return send(request(method, path, body)
                .header("Authorization", "Bearer " + API_KEY)
                .header("Cc-Version", CloudApiSandbox.API_VERSION));
    }

    HttpRequest.Builder request(String method, String path, String body) {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(URI.create(sandbox.baseUri() + path)).timeout(Duration.ofSeconds(5));
        if (body != null) b.header("Content-Type", "application/json");
        return b.method(
                method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    }

    Reply send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Reply(r.statusCode(), JSON.readTree(r.body()), r);
        } catch (IOException e) {
            throw new AssertionError("request failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Polls GET .../cmek until {@code done} holds, failing after 3 s. */
    JsonNode awaitCmek(String clusterId, Predicate<JsonNode> done) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
        while (true) {
            Reply r = get("/api/v1/clusters/" + clusterId + "/cmek");
            if (r.status() == 200 && done.test(r.body())) return r.body();
            if (System.nanoTime() > deadline)
                throw new AssertionError("CMEK never reached the expected state: " + r.body());
            Thread.sleep(40);
        }
    }

    static Predicate<JsonNode> status(String status) {
        return body -> body.path("status").asText().equals(status);
    }

    List<RecordedExchange> log() {
        return sandbox.requestLog().exchanges();
    }

    @Override
    public void close() {
        sandbox.close();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        try {
            if (checkRequests) {
                OpenApiContract.assertConforms(log());
            } else {
                OpenApiContract.assertResponsesConform(log());
            }
        } finally {
            close();
        }
    }

    record Reply(int status, JsonNode body, HttpResponse<String> raw) {
        String message() {
            return body.path("message").asText();
        }

        /** Asserts the error shape {code, message, details[]} every non-200 answer has. */
        Reply assertError(int expectedStatus, String messagePart) {
            if (status != expectedStatus) {
                throw new AssertionError("expected HTTP " + expectedStatus + " but got " + status + ": " + body);
            }
            if (!body.path("code").isInt()
                    || !body.path("message").isTextual()
                    || !body.path("details").isArray()) {
                throw new AssertionError("not an error body {code, message, details}: " + body);
            }
            if (!message().contains(messagePart)) {
                throw new AssertionError("message '" + message() + "' does not contain '" + messagePart + "'");
            }
            return this;
        }
    }
}
