package dev.cmek.azure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.core.http.HttpClient;
import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpMethod;
import com.azure.core.http.HttpPipeline;
import com.azure.core.http.HttpPipelineBuilder;
import com.azure.core.http.HttpPipelinePosition;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.http.policy.HttpPipelinePolicy;
import com.azure.core.http.policy.RetryPolicy;
import com.azure.core.util.Context;
import com.fasterxml.jackson.databind.JsonNode;
import dev.cmek.azure.emulator.AzureEmulator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/** azure-core's HTTP client over java.net.http, through the emulator as a CONNECT proxy, as AzureTransport builds it. */
class JdkHttpClientTest {
    private static final String ARM_LIST = "https://management.azure.com/subscriptions/" + AzureEmulator.SUBSCRIPTION_ID
            + "/providers/Microsoft.KeyVault/vaults?api-version=" + Vaults.API;

    static AzureEmulator emulator;
    static HttpClient http;

    @BeforeAll
    static void start() {
        emulator = AzureEmulator.start(0);
        http = AzureTransport.throughEmulator(emulator.address(), emulator.caFile());
    }

    @AfterAll
    static void stop() {
        emulator.close();
    }

    @Test
    void anAnswer_carriesItsStatusHeadersAndBody_syncAndAsync() {
        for (HttpResponse r : new HttpResponse[] {
            http.sendSync(new HttpRequest(HttpMethod.GET, ARM_LIST), Context.NONE),
            http.send(new HttpRequest(HttpMethod.GET, ARM_LIST)).block()
        }) {
            assertEquals(401, r.getStatusCode(), "no bearer token");
            assertTrue(
                    r.getHeaderValue(HttpHeaderName.WWW_AUTHENTICATE).startsWith("Bearer"),
                    r.getHeaders().toString());
            JsonNode body = Json.parse(r.getBodyAsBinaryData().toBytes());
            assertTrue(Json.text(body.path("error"), "code").contains("Authentication"), body.toString());
            assertEquals(body, Json.parse(r.getBodyAsString().block().getBytes(StandardCharsets.UTF_8)));
        }
    }

    @Test
    void aFormBody_isSent_withTheHeadersTheJdkSetsItselfLeftToIt() {
        String form = "grant_type=client_credentials&client_id="
                + emulator.admin().clientId() + "&client_secret="
                + URLEncoder.encode(emulator.admin().clientSecret(), StandardCharsets.UTF_8)
                + "&scope=" + URLEncoder.encode("https://management.azure.com/.default", StandardCharsets.UTF_8);
        byte[] bytes = form.getBytes(StandardCharsets.UTF_8);
        HttpRequest request = new HttpRequest(
                        HttpMethod.POST, emulator.authorityHost() + "/" + emulator.tenantId() + "/oauth2/v2.0/token")
                .setHeader(HttpHeaderName.CONTENT_TYPE, "application/x-www-form-urlencoded")
                .setHeader(HttpHeaderName.CONTENT_LENGTH, String.valueOf(bytes.length))
                .setHeader(HttpHeaderName.HOST, "127.0.0.1")
                .setHeader(HttpHeaderName.CONNECTION, "keep-alive")
                .setBody(bytes);

        HttpResponse r = http.sendSync(request, Context.NONE);

        JsonNode body = Json.parse(r.getBodyAsBinaryData().toBytes());
        assertEquals(200, r.getStatusCode(), body.toString());
        assertTrue(body.path("access_token").asText().split("\\.").length == 3, body.toString());
    }

    @Test
    void aRefusedConnection_isOneConnectExceptionWithoutCause_thatTheRetryPolicyDoesNotRetry() throws IOException {
        HttpClient dead = AzureTransport.throughEmulator("127.0.0.1:" + freePort(), emulator.caFile());
        AtomicInteger tries = new AtomicInteger();

        UncheckedIOException e = assertThrows(
                UncheckedIOException.class,
                () -> retrying(dead, tries).sendSync(new HttpRequest(HttpMethod.GET, ARM_LIST), Context.NONE));

        assertEquals(1, tries.get(), "not retried");
        // The SDK's RetryPolicy asks the retry condition about each cause on its own: none may look like a lost reply.
        ConnectException c = assertInstanceOf(ConnectException.class, e.getCause());
        assertNull(c.getCause());
        assertTrue(c.getMessage().contains("management.azure.com"), c.getMessage());
        assertTrue(CallRetry.unreachable(e));
    }

    @Test
    void aTunnelTheProxyRefuses_isAConnectException_thatTheRetryPolicyDoesNotRetry() {
        AtomicInteger tries = new AtomicInteger();
        HttpRequest request =
                new HttpRequest(HttpMethod.GET, "https://no-such-vault.vault.azure.net/keys?api-version=7.5");

        UncheckedIOException e = assertThrows(
                UncheckedIOException.class, () -> retrying(http, tries).sendSync(request, Context.NONE));

        assertEquals(1, tries.get(), "not retried");
        ConnectException c = assertInstanceOf(ConnectException.class, e.getCause());
        assertNull(c.getCause());
        assertTrue(c.getMessage().contains("no-such-vault.vault.azure.net"), c.getMessage());
        assertTrue(c.getMessage().contains("tunnel"), c.getMessage());
    }

    @Test
    void asyncSend_failsAlike() throws IOException {
        HttpClient dead = AzureTransport.throughEmulator("127.0.0.1:" + freePort(), emulator.caFile());

        Throwable e = assertThrows(
                Throwable.class,
                () -> dead.send(new HttpRequest(HttpMethod.GET, ARM_LIST)).block());

        assertTrue(CallRetry.unreachable(e), e.toString());
    }

    /** A pipeline with the adapter's retry (5 retries, short pauses), counting each try. */
    private static HttpPipeline retrying(HttpClient client, AtomicInteger tries) {
        HttpPipelinePolicy counting = new HttpPipelinePolicy() {
            @Override
            public Mono<HttpResponse> process(
                    com.azure.core.http.HttpPipelineCallContext context,
                    com.azure.core.http.HttpPipelineNextPolicy next) {
                tries.incrementAndGet();
                return next.process();
            }

            @Override
            public HttpResponse processSync(
                    com.azure.core.http.HttpPipelineCallContext context,
                    com.azure.core.http.HttpPipelineNextSyncPolicy next) {
                tries.incrementAndGet();
                return next.processSync();
            }

            @Override
            public HttpPipelinePosition getPipelinePosition() {
                return HttpPipelinePosition.PER_RETRY;
            }
        };
        return new HttpPipelineBuilder()
                .httpClient(client)
                .policies(
                        new RetryPolicy(CallRetry.options(5, Duration.ofMillis(200), Duration.ofSeconds(1))), counting)
                .build();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
