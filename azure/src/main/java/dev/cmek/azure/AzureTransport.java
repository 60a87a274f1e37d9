package dev.cmek.azure;

import com.azure.core.http.HttpClient;
import com.azure.core.http.ProxyOptions;
import com.azure.core.http.netty.NettyAsyncHttpClientBuilder;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import javax.net.ssl.SSLException;

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
        return new NettyAsyncHttpClientBuilder(reactorNetty())
                .connectTimeout(CONNECT_TIMEOUT)
                .responseTimeout(RESPONSE_TIMEOUT)
                .build();
    }

    /** Every request through the emulator at {@code hostPort} as a CONNECT proxy, trusting only the CA in {@code caFile}. */
    public static HttpClient throughEmulator(String hostPort, Path caFile) {
        Objects.requireNonNull(hostPort, "hostPort");
        Objects.requireNonNull(caFile, "caFile");
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
        X509Certificate[] trusted = readCertificates(caFile);
        SslContext ssl;
        try {
            ssl = SslContextBuilder.forClient().trustManager(trusted).build();
        } catch (SSLException e) {
            throw new IllegalArgumentException(
                    "Could not use the CA in " + caFile + " (" + EMULATOR_CA + "): " + e.getMessage(), e);
        }
        reactor.netty.http.client.HttpClient base = reactorNetty().secure(spec -> spec.sslContext(ssl));
        return new NettyAsyncHttpClientBuilder(base)
                .proxy(new ProxyOptions(
                        ProxyOptions.Type.HTTP, InetSocketAddress.createUnresolved(hostPort.substring(0, colon), port)))
                .connectTimeout(CONNECT_TIMEOUT)
                .responseTimeout(RESPONSE_TIMEOUT)
                .build();
    }

    /**
     * Reactor Netty without its own retry: by default it sends a request again, once, when a pooled connection closes
     * before the answer (https://projectreactor.io/docs/netty/release/reference/http-client.html#connection-pool),
     * which would send a Key Vault key create twice (two versions) beneath the SDK's retry, the one layer there is.
     */
    private static reactor.netty.http.client.HttpClient reactorNetty() {
        return reactor.netty.http.client.HttpClient.create().disableRetry(true);
    }

    /**
     * The emulator when {@code AZURE_EMULATOR_HOST} and {@code AZURE_EMULATOR_CA} are both set, Azure when neither is;
     * one without the other, or a CA file that cannot be read, is refused.
     */
    public static HttpClient fromEnvironment(Map<String, String> env) {
        String host = blankToNull(env.get(EMULATOR_HOST));
        String ca = blankToNull(env.get(EMULATOR_CA));
        if (host == null && ca == null) {
            return direct();
        }
        if (host == null || ca == null) {
            throw new IllegalArgumentException((host == null
                            ? EMULATOR_CA + " is set but " + EMULATOR_HOST + " is not"
                            : EMULATOR_HOST + " is set but " + EMULATOR_CA + " is not")
                    + ": set both to use the emulator, or neither");
        }
        return throughEmulator(host, Path.of(ca));
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
