package dev.cmek.azure.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.core.exception.HttpResponseException;
import com.azure.security.keyvault.keys.KeyClient;
import com.azure.security.keyvault.keys.models.CreateRsaKeyOptions;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Latency, throttling, rate limits, injected 403 and 5xx, lost replies, call counts and the request log, on every host. */
class FaultKnobsTest extends EmulatorTest {

    @Test
    void sdkRetry_honoursRetryAfterFromThrottling() {
        String vault = vaultName("kv429");
        createVault(vault, false, false);
        KeyClient keys = sdk.keys(vault, admin);
        keys.createRsaKey(new CreateRsaKeyOptions("k"));
        emulator.throttleNext("keyvault.keys.get", 2, Duration.ofSeconds(1)).resetCallCounts();

        long start = System.nanoTime();
        keys.getKey("k");
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;

        assertEquals(3, emulator.callCount("keyvault.keys.get"));
        // The test client's own backoff is at most 200 ms: only Retry-After explains two pauses of a second.
        assertTrue(elapsedMs >= 2000, "waited " + elapsedMs + " ms");
    }

    @Test
    void throttling_isWordedByEachServiceWithRetryAfter() {
        String vault = vaultName("kv429b");
        createVault(vault, false, false);
        String arm = raw.token(emulator.admin(), "https://management.azure.com/.default");
        String graph = raw.token(emulator.admin(), "https://graph.microsoft.com/.default");
        String kv = raw.token(emulator.admin(), "https://vault.azure.net/.default");
        emulator.throttleNext("arm.resourceGroups.get", 1, Duration.ofSeconds(7))
                .throttleNext("graph.servicePrincipals.list", 1, Duration.ofSeconds(8))
                .throttleNext("keyvault.keys.list", 1, Duration.ofSeconds(9));

        HttpResponse<String> a =
                raw.call("GET", armBase() + "/resourceGroups/rg-cmek?api-version=2025-04-01", arm, null);
        HttpResponse<String> g = raw.call("GET", "https://graph.microsoft.com/v1.0/servicePrincipals", graph, null);
        HttpResponse<String> k =
                raw.call("GET", "https://" + vault + ".vault.azure.net/keys?api-version=7.6", kv, null);

        assertEquals(429, a.statusCode());
        assertEquals("7", a.headers().firstValue("Retry-After").orElseThrow());
        assertEquals(
                "SubscriptionRequestsThrottled",
                RawHttp.json(a).path("error").path("code").asText());
        assertEquals(
                "0",
                a.headers()
                        .firstValue("x-ms-ratelimit-remaining-subscription-reads")
                        .orElseThrow());
        assertEquals("8", g.headers().firstValue("Retry-After").orElseThrow());
        assertEquals(
                "Request_ThrottledTemporarily",
                RawHttp.json(g).path("error").path("code").asText());
        assertEquals("9", k.headers().firstValue("Retry-After").orElseThrow());
        assertEquals("Throttled", RawHttp.json(k).path("error").path("code").asText());
    }

    @Test
    void rateLimit_answers429BeyondTheLimitInOneSecond() {
        String token = raw.token(emulator.admin(), "https://management.azure.com/.default");
        emulator.rateLimit("arm.subscriptions.get", 2);
        String url = armBase() + "?api-version=2022-12-01";

        int throttled = 0;
        for (int i = 0; i < 6; i++) {
            if (raw.call("GET", url, token, null).statusCode() == 429) {
                throttled++;
            }
        }

        // Six calls span at most two one-second windows, so at least one is over the limit of two.
        assertTrue(throttled >= 1 && throttled <= 4, "throttled " + throttled);
        emulator.clearFaults();
        assertEquals(200, raw.call("GET", url, token, null).statusCode());
    }

    @Test
    void denyNext_isEachServicesPermissionError() {
        String vault = vaultName("kv403");
        createVault(vault, false, false);
        emulator.denyNext("arm.vaults.get", 1)
                .denyNext("keyvault.keys.list", 1)
                .denyNext("graph.servicePrincipals.list", 1);

        HttpResponse<String> a = raw.call(
                "GET",
                armBase() + "/resourceGroups/rg-cmek/providers/Microsoft.KeyVault/vaults/" + vault
                        + "?api-version=2025-05-01",
                raw.token(emulator.admin(), "https://management.azure.com/.default"),
                null);
        HttpResponse<String> k = raw.call(
                "GET",
                "https://" + vault + ".vault.azure.net/keys?api-version=7.6",
                raw.token(emulator.admin(), "https://vault.azure.net/.default"),
                null);
        HttpResponse<String> g = raw.call(
                "GET",
                "https://graph.microsoft.com/v1.0/servicePrincipals",
                raw.token(emulator.admin(), "https://graph.microsoft.com/.default"),
                null);

        assertEquals(
                "AuthorizationFailed",
                RawHttp.json(a).path("error").path("code").asText());
        assertTrue(RawHttp.json(a).path("error").path("message").asText().contains("'Microsoft.KeyVault/vaults/read'"));
        assertEquals(
                "ForbiddenByRbac",
                RawHttp.json(k).path("error").path("innererror").path("code").asText());
        assertEquals(
                "Authorization_RequestDenied",
                RawHttp.json(g).path("error").path("code").asText());
        assertEquals(403, a.statusCode());
        assertEquals(403, k.statusCode());
        assertEquals(403, g.statusCode());
    }

    @Test
    void deny_standsUntilClearFaults() {
        String vault = vaultName("kvdeny");
        createVault(vault, false, false);
        KeyClient keys = sdk.keys(vault, admin);
        emulator.deny("keyvault.keys.create");

        assertEquals(
                403,
                assertThrows(HttpResponseException.class, () -> keys.createRsaKey(new CreateRsaKeyOptions("k")))
                        .getResponse()
                        .getStatusCode());
        assertEquals(
                403,
                assertThrows(HttpResponseException.class, () -> keys.createRsaKey(new CreateRsaKeyOptions("k")))
                        .getResponse()
                        .getStatusCode());
        emulator.clearFaults();
        keys.createRsaKey(new CreateRsaKeyOptions("k"));
    }

    @Test
    void failNext_503_isRetriedByTheSdk() {
        sdk.resources(admin)
                .resourceGroups()
                .define("rg-503")
                .withRegion("eastus")
                .create();
        emulator.failNext("arm.resourceGroups.get", 2, 503).resetCallCounts();

        sdk.resources(admin).resourceGroups().getByName("rg-503");

        assertEquals(3, emulator.callCount("arm.resourceGroups.get"));
        assertEquals(
                List.of(503, 503, 200),
                emulator.requestLog().stream()
                        .filter(c -> c.operation().equals("arm.resourceGroups.get"))
                        .map(EmulatorViews.Call::status)
                        .toList());
    }

    @Test
    void lostReply_runsTheOperationButClosesTheConnection() {
        String token = raw.token(emulator.admin(), "https://management.azure.com/.default");
        emulator.loseReplyOfNext("arm.resourceGroups.put", 1);

        assertThrows(
                UncheckedIOException.class,
                () -> raw.call(
                        "PUT",
                        armBase() + "/resourceGroups/rg-lost?api-version=2025-04-01",
                        token,
                        "{\"location\":\"eastus\"}"));

        assertEquals(
                200,
                raw.call("GET", armBase() + "/resourceGroups/rg-lost?api-version=2025-04-01", token, null)
                        .statusCode());
    }

    @Test
    void lostReply_onCreateKey_theSdkRetriesAndTheKeyGetsASecondVersion() {
        String vault = vaultName("kvlost");
        createVault(vault, false, false);
        KeyClient keys = sdk.keys(vault, admin);
        keys.listPropertiesOfKeys().stream().count(); // meets the challenge first
        emulator.loseReplyOfNext("keyvault.keys.create", 1);

        keys.createRsaKey(new CreateRsaKeyOptions("k"));

        assertEquals(
                2,
                emulator.key(vault, "k").orElseThrow().versions().size(),
                "create is not idempotent: each call adds a version");
    }

    @Test
    void latency_isAddedToEveryCall() {
        String token = raw.token(emulator.admin(), "https://management.azure.com/.default");
        emulator.latency(Duration.ofMillis(300));

        long start = System.nanoTime();
        raw.call("GET", armBase() + "?api-version=2022-12-01", token, null);

        assertTrue((System.nanoTime() - start) / 1_000_000 >= 300);
    }

    @Test
    void requestLog_recordsOperationCallerHostAndStatus() {
        emulator.resetCallCounts();
        String token = raw.token(emulator.admin(), "https://management.azure.com/.default");
        raw.call("GET", armBase() + "/resourceGroups/nope?api-version=2025-04-01", token, null);

        EmulatorViews.Call token0 = emulator.requestLog().get(0);
        EmulatorViews.Call get = emulator.requestLog().get(1);
        assertEquals("entra.token", token0.operation());
        assertEquals(emulator.admin().clientId(), token0.caller());
        assertEquals("arm.resourceGroups.get", get.operation());
        assertEquals("management.azure.com", get.host());
        assertEquals(404, get.status());
        assertEquals(emulator.admin().objectId(), get.caller());
        assertEquals(1, emulator.callCounts().get("arm.resourceGroups.get"));
    }
}
