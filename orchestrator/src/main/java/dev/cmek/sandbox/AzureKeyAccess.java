package dev.cmek.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cmek.azure.KeyUri;
import dev.cmek.azure.emulator.AzureEmulator;
import dev.cmek.azure.emulator.EmulatorViews;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * What CockroachDB does with an Azure key before it uses it: a client-credentials token as the cluster's app in the
 * tenant the key spec names, then encrypt and decrypt with the very key version the URI names (RSA-OAEP-256, as
 * CockroachDB's Azure KMS code does) through Key Vault's REST API. Plain java.net.http through the emulator as a
 * CONNECT proxy, trusting only its CA, so each check asks Entra for a fresh token (a disabled sign-in shows at once).
 */
final class AzureKeyAccess {
    /** Key Vault's REST API version for the crypto calls: https://learn.microsoft.com/rest/api/keyvault/keys/encrypt */
    private static final String API_VERSION = "7.4";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final AzureEmulator emulator;
    private final HttpClient http;

    AzureKeyAccess(AzureEmulator emulator) {
        this.emulator = emulator;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .proxy(ProxySelector.of(new InetSocketAddress("127.0.0.1", emulator.port())))
                .sslContext(trusting(emulator))
                .build();
    }

    /**
     * Registers CockroachDB's app for a cluster in the emulator's CockroachDB tenant, unless it is there already
     * (registered by this or any other caller since the last reset), and returns its credentials.
     */
    static EmulatorViews.ClientCredentials registerApp(AzureEmulator emulator, String clusterId, String clientId) {
        return emulator.multiTenantApp(clientId).orElseGet(() -> {
            try {
                return emulator.registerMultiTenantApp(clientId, "CockroachDB Cloud - " + clusterId);
            } catch (IllegalArgumentException e) {
                // registered by another caller between the look and the write
                return emulator.multiTenantApp(clientId).orElseThrow(() -> e);
            }
        });
    }

    /** Empty when the cluster's app can use the key now, else why it cannot. */
    Optional<String> problem(String clusterId, String clientId, String tenantId, String uri) {
        KeyUri key = KeyUri.parse(uri);
        EmulatorViews.ClientCredentials app = registerApp(emulator, clusterId, clientId);
        try {
            HttpResponse<String> token = http.send(
                    HttpRequest.newBuilder(URI.create(
                                    "https://login.microsoftonline.com/" + encode(tenantId) + "/oauth2/v2.0/token"))
                            .timeout(Duration.ofSeconds(30))
                            .header("Content-Type", "application/x-www-form-urlencoded")
                            .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials&client_id="
                                    + encode(app.clientId()) + "&client_secret=" + encode(app.clientSecret())
                                    + "&scope=" + encode("https://vault.azure.net/.default")))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (token.statusCode() != 200) {
                return Optional.of("no token: " + entraError(token));
            }
            String bearer = JSON.readTree(token.body()).path("access_token").asText();
            byte[] plaintext = new byte[32];
            RANDOM.nextBytes(plaintext);
            HttpResponse<String> encrypted = crypto(key, "encrypt", bearer, plaintext);
            if (encrypted.statusCode() != 200) {
                return Optional.of("encrypt refused: " + keyVaultError(encrypted));
            }
            byte[] ciphertext = Base64.getUrlDecoder()
                    .decode(JSON.readTree(encrypted.body()).path("value").asText());
            HttpResponse<String> decrypted = crypto(key, "decrypt", bearer, ciphertext);
            if (decrypted.statusCode() != 200) {
                return Optional.of("decrypt refused: " + keyVaultError(decrypted));
            }
            byte[] roundTrip = Base64.getUrlDecoder()
                    .decode(JSON.readTree(decrypted.body()).path("value").asText());
            return Arrays.equals(plaintext, roundTrip)
                    ? Optional.empty()
                    : Optional.of("decrypt did not return what encrypt was given");
        } catch (IOException e) {
            // A vault that does not exist does not resolve; the emulator's proxy answers its CONNECT with 502.
            return Optional.of("cannot reach " + key.vaultUrl() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted while checking the key");
        }
    }

    /** The version the URI names, as Key Vault identifies it, if the emulator holds that version. */
    Optional<String> version(String uri) {
        KeyUri key = KeyUri.parse(uri);
        String version = key.version().orElse("");
        return emulator.vault(key.vaultName()).isEmpty()
                ? Optional.empty()
                : emulator.key(key.vaultName(), key.keyName()).stream()
                        .flatMap(k -> k.versions().stream())
                        .map(EmulatorViews.KeyVersion::kid)
                        .filter(kid -> !version.isEmpty() && kid.endsWith("/" + version))
                        .findFirst();
    }

    private HttpResponse<String> crypto(KeyUri key, String operation, String bearer, byte[] value)
            throws IOException, InterruptedException {
        String body = JSON.createObjectNode()
                .put("alg", "RSA-OAEP-256")
                .put("value", Base64.getUrlEncoder().withoutPadding().encodeToString(value))
                .toString();
        return http.send(
                HttpRequest.newBuilder(URI.create(key.value() + "/" + operation + "?api-version=" + API_VERSION))
                        .timeout(Duration.ofSeconds(30))
                        .header("Authorization", "Bearer " + bearer)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Entra's first line, {@code AADSTS700016: ...}, without its trace and correlation ids. */
    private static String entraError(HttpResponse<String> r) {
        String description = json(r).path("error_description").asText("");
        int end = description.indexOf('\r');
        return r.statusCode() + " " + (end < 0 ? description : description.substring(0, end));
    }

    /** Key Vault's {@code error.code}, inner code and message. */
    private static String keyVaultError(HttpResponse<String> r) {
        JsonNode error = json(r).path("error");
        String inner = error.path("innererror").path("code").asText("");
        // Key Vault's messages run over several lines (caller, action, resource); a user_message is one.
        String message = error.path("message").asText(r.body()).strip().replaceAll("\\s*\\R\\s*", " ");
        return r.statusCode() + " " + error.path("code").asText("") + (inner.isEmpty() ? "" : " (" + inner + ")") + ": "
                + message;
    }

    private static JsonNode json(HttpResponse<String> r) {
        try {
            return JSON.readTree(r.body());
        } catch (IOException e) {
            return JSON.createObjectNode();
        }
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static SSLContext trusting(AzureEmulator emulator) {
        try {
            KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
            trusted.load(null, null);
            trusted.setCertificateEntry("azure-emulator-ca", emulator.caCertificate());
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trusted);
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(null, tmf.getTrustManagers(), null);
            return tls;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot trust the Azure emulator's CA: " + e.getMessage(), e);
        }
    }
}
