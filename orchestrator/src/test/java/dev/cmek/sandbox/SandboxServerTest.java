package dev.cmek.sandbox;

import static dev.cmek.sandbox.SandboxFixture.API_KEY;
import static dev.cmek.sandbox.SandboxFixture.AWS_CLUSTER;
import static dev.cmek.sandbox.SandboxFixture.awsSpec;
import static dev.cmek.sandbox.SandboxFixture.regionSpecs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Auth, API version, rate limit, injected faults, latency and the request log. */
class SandboxServerTest {

    private static final String CMEK = "/api/v1/clusters/" + AWS_CLUSTER + "/cmek";
    /** Every exchange of each test is checked against the OpenAPI spec afterwards. */
    @RegisterExtension
    final SandboxFixture api = new SandboxFixture();

    @Test
    void missingOrWrongApiKey_is401() {
        var missing = api.send(api.request("GET", "/api/v1/organization", null));
        missing.assertError(401, "missing API key");
        assertEquals(16, missing.body().get("code").asInt(), "gRPC UNAUTHENTICATED in the body");
        api.send(api.request("GET", "/api/v1/organization", null).header("Authorization", "Bearer wrong"))
                .assertError(401, "invalid API key");
        api.send(api.request("GET", "/api/v1/organization", null).header("Authorization", API_KEY))
                .assertError(401, "invalid API key"); // the Bearer scheme is required
    }

    @Test
    void ccVersion_otherValueIs400_missingIsAcceptedAndRecorded() {
        api.send(api.request("GET", "/api/v1/organization", null)
                        .header("Authorization", "Bearer " + API_KEY)
                        .header("Cc-Version", "2023-04-10"))
                .assertError(400, "unsupported Cc-Version '2023-04-10'");
        var noVersion =
                api.send(api.request("GET", "/api/v1/organization", null).header("Authorization", "Bearer " + API_KEY));
        assertEquals(200, noVersion.status());
        List<RecordedExchange> withoutVersion = api.sandbox
                .requestLog()
                .exchanges(e -> e.requestHeader("Cc-Version").isEmpty());
        assertEquals(1, withoutVersion.size());
        assertEquals(200, withoutVersion.get(0).status());
    }

    @Test
    void moreThanTenRequestsInOneSecond_get429WithRetryAfter_thenRecover() throws Exception {
        api.sandbox.setRateLimitPerSecond(CloudApiSandbox.RATE_LIMIT_PER_SECOND);
        List<CompletableFuture<SandboxFixture.Reply>> calls = IntStream.range(0, 15)
                .mapToObj(i -> CompletableFuture.supplyAsync(() -> api.get("/api/v1/organization")))
                .toList();
        List<SandboxFixture.Reply> replies =
                calls.stream().map(CompletableFuture::join).toList();
        List<SandboxFixture.Reply> limited =
                replies.stream().filter(r -> r.status() == 429).toList();
        assertEquals(10, replies.stream().filter(r -> r.status() == 200).count());
        assertEquals(5, limited.size());
        for (var r : limited) {
            r.assertError(429, "rate limit exceeded");
            assertEquals("1", r.raw().headers().firstValue("Retry-After").orElse(""));
        }
        assertEquals(
                5, api.sandbox.requestLog().exchanges(e -> e.status() == 429).size(), "rejected requests are logged");
        Thread.sleep(1000);
        assertEquals(200, api.get("/api/v1/organization").status());
    }

    @Test
    void failNextRequests_answersInjected5xx_thenRecovers() {
        api.sandbox.failNextRequests(2, 503);
        api.get("/api/v1/organization").assertError(503, "injected");
        api.get("/api/v1/organization").assertError(503, "injected");
        assertEquals(200, api.get("/api/v1/organization").status());
    }

    @Test
    void failNextRequests_withMethodAndPath_hitsOnlyMatchingRequests() {
        api.sandbox.failNextRequests(1, 500, "POST", "/api/v1/clusters/[^/]+/cmek");
        assertEquals(200, api.get("/api/v1/organization").status());
        api.post(CMEK, regionSpecs(awsSpec("us-east-1", "k1"), awsSpec("eu-west-1", "k2")))
                .assertError(500, "injected");
        api.get(CMEK).assertError(404, "not configured"); // the injected failure changed nothing
        assertEquals(
                200,
                api.post(CMEK, regionSpecs(awsSpec("us-east-1", "k1"), awsSpec("eu-west-1", "k2")))
                        .status());
    }

    @Test
    void latency_isAddedToEveryAnswer() {
        api.sandbox.setLatency(Duration.ofMillis(300));
        long start = System.nanoTime();
        assertEquals(200, api.get("/api/v1/organization").status());
        assertTrue(System.nanoTime() - start >= Duration.ofMillis(300).toNanos());
        api.sandbox.setLatency(Duration.ZERO);
    }

    @Test
    void requestLog_recordsEverythingButTheAuthorizationHeader() {
        api.post(CMEK + "?trace=1", regionSpecs(awsSpec("us-east-1", "k1"), awsSpec("eu-west-1", "k2")));
        List<RecordedExchange> log = api.log();
        assertEquals(1, log.size());
        RecordedExchange e = log.get(0);
        assertEquals("POST", e.method());
        assertEquals(CMEK, e.path());
        assertEquals("trace=1", e.query());
        assertTrue(e.requestBody().contains("key/k1"));
        assertEquals(200, e.status());
        assertTrue(e.responseBody().contains("ENABLING"));
        assertEquals("application/json", e.responseHeader("Content-Type").orElseThrow());
        assertEquals(CloudApiSandbox.API_VERSION, e.requestHeader("cc-version").orElseThrow());
        assertFalse(e.requestHeaders().containsKey("authorization"));
        assertFalse(e.toString().contains(API_KEY), "the API key appears nowhere in the log");
        assertTrue(e.timestamp() != null);
        api.sandbox.requestLog().clear();
        assertEquals(0, api.sandbox.requestLog().size());
    }

    @Test
    void onExchange_seesEachRecordedExchange() {
        List<RecordedExchange> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (CloudApiSandbox other = CloudApiSandbox.builder()
                .config(SandboxConfig.parse(SandboxFixture.CONFIG))
                .apiKey("k")
                .onExchange(seen::add)
                .build()
                .start()) {
            var reply = api.send(
                    java.net.http.HttpRequest.newBuilder(other.baseUri().resolve("/api/v1/organization"))
                            .header("Authorization", "Bearer k"));
            assertEquals(200, reply.status());
            assertEquals(other.requestLog().exchanges(), seen);
        }
    }

    @Test
    void start_isQuick_andPortZeroPicksAFreePort() {
        long start = System.nanoTime();
        try (CloudApiSandbox other = CloudApiSandbox.builder()
                .config(SandboxConfig.parse(SandboxFixture.CONFIG))
                .apiKey("k")
                .build()
                .start()) {
            long millis = Duration.ofNanos(System.nanoTime() - start).toMillis();
            assertTrue(millis < 500, "started in " + millis + " ms");
            assertTrue(other.port() > 0 && other.port() != api.sandbox.port());
            assertEquals("http://127.0.0.1:" + other.port(), other.baseUri().toString());
        }
    }
}
