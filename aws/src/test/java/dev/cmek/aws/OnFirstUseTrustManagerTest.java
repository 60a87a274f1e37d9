package dev.cmek.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;

/**
 * The trust store is loaded on the first TLS handshake, not when the clients are built, and it trusts exactly what the
 * JVM's default trusts: a real SDK client (STS) against an HTTPS server on 127.0.0.1 with a certificate made here by
 * {@code keytool}, refused while it is not in the trust store, refused when it does not name the host, accepted once
 * the trust store ({@code javax.net.ssl.trustStore}) holds it.
 */
class OnFirstUseTrustManagerTest {
    private static final String PASSWORD = "changeit";
    private static final String IDENTITY =
            "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
                    + "<GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/tls</Arn><UserId>AIDTLS</UserId>"
                    + "<Account>123456789012</Account></GetCallerIdentityResult>"
                    + "<ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetCallerIdentityResponse>";

    @TempDir
    Path dir;

    @Test
    void buildingTheClientsLoadsNoTrustStore_andAnUnknownCertificateIsRefused() throws Exception {
        Path store = keyStore("unknown", "ip:127.0.0.1");
        try (Server server = server(store);
                SdkClients clients = clients(server)) {
            clients.sts();
            assertFalse(clients.trustStoreLoaded(), "built, no handshake yet");

            SdkClientException e =
                    assertThrows(SdkClientException.class, () -> clients.sts().getCallerIdentity());

            assertInstanceOf(SSLHandshakeException.class, rootOf(e, SSLHandshakeException.class), e.toString());
            assertTrue(clients.trustStoreLoaded(), "the first handshake loaded it");
        }
    }

    @Test
    void aTrustedCertificateIsAccepted_andOneForAnotherHostIsNot() throws Exception {
        Path trusted = keyStore("trusted", "ip:127.0.0.1");
        Path elsewhere = keyStore("elsewhere", "dns:elsewhere.example");
        Path both = dir.resolve("trust.p12");
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("trusted", load(trusted).getCertificate("trusted"));
        trust.setCertificateEntry("elsewhere", load(elsewhere).getCertificate("elsewhere"));
        try (var out = Files.newOutputStream(both)) {
            trust.store(out, PASSWORD.toCharArray());
        }
        String oldStore = System.getProperty("javax.net.ssl.trustStore");
        String oldPassword = System.getProperty("javax.net.ssl.trustStorePassword");
        String oldType = System.getProperty("javax.net.ssl.trustStoreType");
        System.setProperty("javax.net.ssl.trustStore", both.toString());
        System.setProperty("javax.net.ssl.trustStorePassword", PASSWORD);
        System.setProperty("javax.net.ssl.trustStoreType", "PKCS12");
        try {
            try (Server server = server(trusted);
                    SdkClients clients = clients(server)) {
                assertEquals("123456789012", clients.sts().getCallerIdentity().account());
            }
            // Trusted, but issued for another name: the host name check (asked by the HTTPS connection through the
            // socket's parameters) is the delegate's and still applies.
            try (Server server = server(elsewhere);
                    SdkClients clients = clients(server)) {
                SdkClientException e = assertThrows(
                        SdkClientException.class, () -> clients.sts().getCallerIdentity());
                assertInstanceOf(SSLHandshakeException.class, rootOf(e, SSLHandshakeException.class), e.toString());
            }
        } finally {
            restore("javax.net.ssl.trustStore", oldStore);
            restore("javax.net.ssl.trustStorePassword", oldPassword);
            restore("javax.net.ssl.trustStoreType", oldType);
        }
    }

    private SdkClients clients(Server server) {
        return SdkClients.builder()
                .endpoint(URI.create(
                        "https://127.0.0.1:" + server.https().getAddress().getPort()))
                .credentials(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDTLS", "secret")))
                .maxAttempts(1)
                .build();
    }

    /** A key pair and self-signed certificate for {@code san}, made by the JDK's keytool. */
    private Path keyStore(String alias, String san) throws IOException, InterruptedException {
        Path out = dir.resolve(alias + ".p12");
        Process p = new ProcessBuilder(List.of(
                        Path.of(System.getProperty("java.home"), "bin", "keytool")
                                .toString(),
                        "-genkeypair",
                        "-alias",
                        alias,
                        "-keyalg",
                        "EC",
                        "-groupname",
                        "secp256r1",
                        "-dname",
                        "CN=" + alias,
                        "-ext",
                        "SAN=" + san,
                        "-validity",
                        "2",
                        "-storetype",
                        "PKCS12",
                        "-keystore",
                        out.toString(),
                        "-storepass",
                        PASSWORD,
                        "-keypass",
                        PASSWORD))
                .redirectErrorStream(true)
                .start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), output);
        return out;
    }

    private static KeyStore load(Path store) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            ks.load(in, PASSWORD.toCharArray());
        }
        return ks;
    }

    /** An HTTPS server on 127.0.0.1 with {@code store}'s key, answering every request with a caller identity. */
    private record Server(HttpsServer https) implements AutoCloseable {
        @Override
        public void close() {
            https.stop(0);
        }
    }

    private static Server server(Path store) throws Exception {
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(load(store), PASSWORD.toCharArray());
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(keys.getKeyManagers(), null, null);
        HttpsServer server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(tls));
        server.createContext("/", ex -> {
            ex.getRequestBody().readAllBytes();
            byte[] body = IDENTITY.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "text/xml");
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
        return new Server(server);
    }

    private static Throwable rootOf(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return t;
            }
        }
        return e;
    }

    private static void restore(String property, String value) {
        if (value == null) {
            System.clearProperty(property);
        } else {
            System.setProperty(property, value);
        }
    }
}
