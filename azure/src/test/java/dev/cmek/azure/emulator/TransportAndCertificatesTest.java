package dev.cmek.azure.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.security.keyvault.keys.models.CreateRsaKeyOptions;
import dev.cmek.azure.AzureTransport;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/** The generated certificates, the one port's two ways in (TLS, CONNECT then TLS), curl by Host header, AzureTransport. */
class TransportAndCertificatesTest extends EmulatorTest {

    @Test
    void ca_isACertificateAuthority_andSignsTheServerCertificate() throws Exception {
        X509Certificate ca = emulator.caCertificate();
        X509Certificate server = emulator.serverCertificate();

        assertTrue(ca.getBasicConstraints() >= 0);
        assertTrue(ca.getKeyUsage()[5], "keyCertSign");
        ca.verify(ca.getPublicKey());
        server.verify(ca.getPublicKey());
        assertEquals(-1, server.getBasicConstraints());
        assertEquals(ca.getSubjectX500Principal(), server.getIssuerX500Principal());
        assertEquals(List.of("1.3.6.1.5.5.7.3.1"), server.getExtendedKeyUsage());
        assertEquals("SHA256withRSA", server.getSigAlgName());
        server.checkValidity();
    }

    @Test
    void serverCertificate_sansCoverEveryServedHost() throws Exception {
        Set<String> sans = emulator.serverCertificate().getSubjectAlternativeNames().stream()
                .map(san -> san.get(1).toString())
                .collect(Collectors.toSet());

        assertEquals(
                Set.of(
                        "*.vault.azure.net",
                        "management.azure.com",
                        "graph.microsoft.com",
                        "login.microsoftonline.com",
                        "localhost",
                        "127.0.0.1"),
                sans);
    }

    @Test
    void caFile_isPemOfTheCa_readableByItsOwnerOnly() throws Exception {
        Path file = emulator.caFile();

        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        String pem = Files.readString(file);
        assertTrue(pem.startsWith("-----BEGIN CERTIFICATE-----\n"));
        X509Certificate parsed = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
        assertEquals(emulator.caCertificate(), parsed);
    }

    @Test
    void directTls_handshakesWithTheCa_andFailsWithTheDefaultTrustStore() throws Exception {
        RawHttp direct = new RawHttp(emulator, false);
        assertEquals(
                200,
                direct.call(
                                "GET",
                                emulator.authorityHost() + "/" + emulator.tenantId()
                                        + "/v2.0/.well-known/openid-configuration",
                                null,
                                null)
                        .statusCode());

        HttpClient untrusting =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        assertThrows(
                SSLHandshakeException.class,
                () -> untrusting.send(
                        HttpRequest.newBuilder(URI.create(emulator.authorityHost() + "/common/discovery/instance"))
                                .build(),
                        HttpResponse.BodyHandlers.discarding()));
    }

    @Test
    void plaintextRequestOtherThanConnect_isRefused() throws Exception {
        try (Socket s = new Socket("127.0.0.1", emulator.port())) {
            OutputStream out = s.getOutputStream();
            out.write("GET / HTTP/1.1\r\nHost: management.azure.com\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            String status = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
            assertEquals("HTTP/1.1 400", status);
        }
    }

    @Test
    void curl_withResolveAndCacert_readsTheSameVaultByHostHeader() throws Exception {
        // curl is a prerequisite of the tests (README): a skip here would hide that the emulator was never read by it.
        assertTrue(Files.isExecutable(Path.of("/usr/bin/curl")), "curl is not installed (README, prerequisites)");
        String vault = vaultName("kvcurl");
        createVault(vault, false, false);
        sdk.keys(vault, admin).createRsaKey(new CreateRsaKeyOptions("seen-by-curl"));
        String token = raw.token(emulator.admin(), "https://vault.azure.net/.default");
        String host = vault + ".vault.azure.net";

        Process p = new ProcessBuilder(
                        "/usr/bin/curl",
                        "-sS",
                        "--max-time",
                        "10",
                        "--resolve",
                        host + ":" + emulator.port() + ":127.0.0.1",
                        "--cacert",
                        emulator.caFile().toString(),
                        "-H",
                        "Authorization: Bearer " + token,
                        "https://" + host + ":" + emulator.port() + "/keys?api-version=7.6")
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(15, TimeUnit.SECONDS));

        assertEquals(0, p.exitValue(), out);
        assertEquals(
                "https://" + host + "/keys/seen-by-curl",
                RawHttp.JSON.readTree(out).get("value").get(0).get("kid").asText());
    }

    @Test
    void azureTransport_fromEnvironment_needsBothEmulatorVariablesOrNeither() throws IOException {
        assertNotNull(AzureTransport.fromEnvironment(Map.of()));
        assertNotNull(AzureTransport.fromEnvironment(emulator.env()));

        Map<String, String> hostOnly = new HashMap<>(emulator.env());
        hostOnly.remove("AZURE_EMULATOR_CA");
        IllegalArgumentException e1 =
                assertThrows(IllegalArgumentException.class, () -> AzureTransport.fromEnvironment(hostOnly));
        assertFalse(e1.getMessage().contains("\n"));
        assertTrue(e1.getMessage().contains("AZURE_EMULATOR_CA"));

        Map<String, String> caOnly =
                Map.of("AZURE_EMULATOR_CA", emulator.caFile().toString());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> AzureTransport.fromEnvironment(caOnly))
                .getMessage()
                .contains("AZURE_EMULATOR_HOST"));

        Map<String, String> unreadable =
                Map.of("AZURE_EMULATOR_HOST", emulator.address(), "AZURE_EMULATOR_CA", "/nonexistent/ca.pem");
        IllegalArgumentException e3 =
                assertThrows(IllegalArgumentException.class, () -> AzureTransport.fromEnvironment(unreadable));
        assertTrue(e3.getMessage().contains("cannot be read"), e3.getMessage());

        Path notPem = Files.createTempFile("not-a-ca", ".pem");
        Files.writeString(notPem, "hello");
        try {
            assertThrows(
                    IllegalArgumentException.class,
                    () -> AzureTransport.fromEnvironment(
                            Map.of("AZURE_EMULATOR_HOST", emulator.address(), "AZURE_EMULATOR_CA", notPem.toString())));
        } finally {
            Files.delete(notPem);
        }
        assertThrows(
                IllegalArgumentException.class, () -> AzureTransport.throughEmulator("127.0.0.1", emulator.caFile()));
    }

    @Test
    void env_namesEverythingACliUnderTestNeeds() {
        Map<String, String> env = emulator.env();

        assertEquals(
                List.of(
                        "AZURE_TENANT_ID",
                        "AZURE_CLIENT_ID",
                        "AZURE_CLIENT_SECRET",
                        "AZURE_SUBSCRIPTION_ID",
                        "AZURE_AUTHORITY_HOST",
                        "AZURE_DISABLE_INSTANCE_DISCOVERY",
                        "AZURE_EMULATOR_HOST",
                        "AZURE_EMULATOR_CA"),
                List.copyOf(env.keySet()));
        assertEquals("https://127.0.0.1:" + emulator.port(), env.get("AZURE_AUTHORITY_HOST"));
        assertEquals("true", env.get("AZURE_DISABLE_INSTANCE_DISCOVERY"));
        assertEquals(emulator.admin().clientSecret(), env.get("AZURE_CLIENT_SECRET"));
    }

    @Test
    void main_printsTheServingLineThenExports() throws Exception {
        Process p = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        AzureEmulatorMain.class.getName(),
                        "--port",
                        "0",
                        "--propagation-ms",
                        "0")
                .redirectErrorStream(true)
                .start();
        try {
            var reader = new java.io.BufferedReader(
                    new java.io.InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String first = reader.readLine();
            assertTrue(first.matches("Azure emulator serving https://127\\.0\\.0\\.1:\\d+"), first);
            for (String name : List.of(
                    "AZURE_TENANT_ID",
                    "AZURE_CLIENT_ID",
                    "AZURE_CLIENT_SECRET",
                    "AZURE_SUBSCRIPTION_ID",
                    "AZURE_AUTHORITY_HOST",
                    "AZURE_DISABLE_INSTANCE_DISCOVERY",
                    "AZURE_EMULATOR_HOST",
                    "AZURE_EMULATOR_CA")) {
                assertTrue(reader.readLine().startsWith("export " + name + "="));
            }
        } finally {
            p.destroy();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
