package dev.cmek.azure;

import com.azure.core.http.HttpClient;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The one HTTP client every Azure SDK client is given: Azure's own endpoints by default, or, with an emulator's
 * {@code host:port} and CA file, every request through the emulator as an HTTP CONNECT proxy, trusting only that CA.
 */
public final class AzureTransport {
    /** The emulator to send every request through ({@code 127.0.0.1:PORT}); unset means Azure itself. */
    public static final String EMULATOR_HOST = "AZURE_EMULATOR_HOST";
    /** The PEM file of the emulator's CA, the only certificate trusted when the emulator is used. */
    public static final String EMULATOR_CA = "AZURE_EMULATOR_CA";

    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    static final Duration RESPONSE_TIMEOUT = Duration.ofSeconds(60);

    private AzureTransport() {}

    /** Azure's endpoints, with bounded connect and response timeouts. */
    public static HttpClient direct() {
        return new JdkHttpClient(jdkClient().build(), RESPONSE_TIMEOUT);
    }

    /** Every request through the emulator at {@code hostPort} as a CONNECT proxy, trusting only the CA in {@code caFile}. */
    public static HttpClient throughEmulator(String hostPort, Path caFile) {
        Objects.requireNonNull(hostPort, "hostPort");
        Objects.requireNonNull(caFile, "caFile");
        int port = port(hostPort);
        int colon = hostPort.lastIndexOf(':');
        X509Certificate[] trusted = readCertificates(caFile);
        SSLContext ssl;
        try {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            for (int i = 0; i < trusted.length; i++) {
                store.setCertificateEntry("emulator-ca-" + i, trusted[i]);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            ssl = SSLContext.getInstance("TLS");
            ssl.init(null, tmf.getTrustManagers(), null);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException(
                    "Could not use the CA in " + caFile + " (" + EMULATOR_CA + "): " + e.getMessage(), e);
        }
        return new JdkHttpClient(
                jdkClient()
                        .sslContext(ssl)
                        .proxy(ProxySelector.of(InetSocketAddress.createUnresolved(hostPort.substring(0, colon), port)))
                        .build(),
                RESPONSE_TIMEOUT);
    }

    /** The port of {@code host:port}, or {@link IllegalArgumentException} naming {@link #EMULATOR_HOST}. */
    private static int port(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        int port;
        try {
            port = colon < 0 ? -1 : Integer.parseInt(hostPort.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException(EMULATOR_HOST + " must be host:port, got '" + hostPort + "'");
        }
        return port;
    }

    /**
     * HTTP/1.1, no redirects followed (azure-core's clients follow none by default). Beneath the SDK's retry, the one
     * layer, the JDK client re-sends nothing that could write twice: only a GET or HEAD whose pooled connection turned
     * out to be closed, and one more connect attempt after a refused connect, when nothing was sent
     * (https://github.com/openjdk/jdk17u/blob/master/src/java.net.http/share/classes/jdk/internal/net/http/MultiExchange.java,
     * {@code canRetryRequest}).
     */
    private static java.net.http.HttpClient.Builder jdkClient() {
        return java.net.http.HttpClient.newBuilder()
                .version(java.net.http.HttpClient.Version.HTTP_1_1)
                .followRedirects(java.net.http.HttpClient.Redirect.NEVER)
                .connectTimeout(CONNECT_TIMEOUT);
    }

    /**
     * The emulator when {@code AZURE_EMULATOR_HOST} and {@code AZURE_EMULATOR_CA} are both set, Azure when neither is;
     * one without the other, or a CA file that cannot be read, is refused.
     */
    public static HttpClient fromEnvironment(Map<String, String> env) {
        checkSettings(env);
        String host = blankToNull(env.get(EMULATOR_HOST));
        return host == null ? direct() : throughEmulator(host, Path.of(blankToNull(env.get(EMULATOR_CA))));
    }

    /**
     * What {@link #fromEnvironment} refuses without reading the CA file: one of the two settings without the other, or
     * a host that is not {@code host:port}.
     */
    static void checkSettings(Map<String, String> env) {
        String host = blankToNull(env.get(EMULATOR_HOST));
        String ca = blankToNull(env.get(EMULATOR_CA));
        if (host == null && ca == null) {
            return;
        }
        if (host == null || ca == null) {
            throw new IllegalArgumentException((host == null
                            ? EMULATOR_CA + " is set but " + EMULATOR_HOST + " is not"
                            : EMULATOR_HOST + " is set but " + EMULATOR_CA + " is not")
                    + ": set both to use the emulator, or neither");
        }
        port(host);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    static X509Certificate[] readCertificates(Path caFile) {
        if (!Files.isReadable(caFile)) {
            throw new IllegalArgumentException(EMULATOR_CA + " names " + caFile + ", which cannot be read");
        }
        try (InputStream in = Files.newInputStream(caFile)) {
            Collection<? extends java.security.cert.Certificate> certs =
                    CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certs.isEmpty()) {
                throw new IllegalArgumentException(EMULATOR_CA + " names " + caFile + ", which holds no certificate");
            }
            return certs.stream().map(c -> (X509Certificate) c).toArray(X509Certificate[]::new);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException(
                    EMULATOR_CA + " names " + caFile + ", which is not a PEM certificate: " + e.getMessage(), e);
        }
    }
}
