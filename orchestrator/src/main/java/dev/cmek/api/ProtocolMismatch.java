package dev.cmek.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import javax.net.ssl.SSLException;

/**
 * Tells a server that speaks the other protocol (https given for a plain-http port, or the reverse) from a network
 * problem, so that the client stops at once with a hint instead of retrying what can never work.
 */
final class ProtocolMismatch {
    private static final int PROBE_TIMEOUT_MS = 2000;

    private ProtocolMismatch() {}

    /** A one-line explanation when {@code e} is a protocol mismatch rather than a passing network problem. */
    static Optional<String> diagnose(URI server, IOException e) {
        boolean https = "https".equals(server.getScheme());
        if (https && causedBy(e, SSLException.class)) {
            // e.g. "Unsupported or unrecognized SSL message": the server answered in plain text to our TLS hello.
            return Optional.of(hint(server, "the TLS handshake failed"));
        }
        if (https && causedBy(e, HttpConnectTimeoutException.class) && speaksPlainHttp(server, PROBE_TIMEOUT_MS)) {
            // A plain-http server that waits for a request line never answers a TLS hello: the connect times out.
            return Optional.of(hint(server, "the server answers plain http, not https"));
        }
        if (!https && String.valueOf(e.getMessage()).contains("parsing HTTP")) {
            return Optional.of("cannot talk to " + server + ": its answer is not http (it may expect https: try "
                    + withScheme(server, "https") + ")");
        }
        return Optional.empty();
    }

    /** A loopback server that speaks plain http answers one request line within this, even on a loaded machine. */
    private static final int LOOPBACK_PROBE_TIMEOUT_MS = 1000;

    /**
     * Before the first request: {@code https://} to the loopback interface where a plain-http server listens (the
     * sandbox). Such a server never answers a TLS hello, so the client would wait out its whole connect timeout before
     * {@link #diagnose} could tell; one plain request line tells it at once. Only on loopback: the probe is a local
     * round trip there, and the Cloud API itself never is.
     */
    static Optional<String> beforeFirstRequest(URI server) {
        if (!"https".equals(server.getScheme()) || !loopback(server.getHost())) {
            return Optional.empty();
        }
        return speaksPlainHttp(server, LOOPBACK_PROBE_TIMEOUT_MS)
                ? Optional.of(hint(server, "the server answers plain http, not https"))
                : Optional.empty();
    }

    private static boolean loopback(String host) {
        return host != null
                && (host.equalsIgnoreCase("localhost")
                        || host.startsWith("127.")
                        || host.equals("[::1]")
                        || host.equals("::1"));
    }

    /** Words for a network failure, without Java's class names. */
    static String describe(IOException e) {
        if (causedBy(e, HttpConnectTimeoutException.class)) {
            return "connection timed out";
        }
        if (causedBy(e, HttpTimeoutException.class)) {
            return "no answer in time";
        }
        String message = e.getMessage();
        if (message == null || message.isBlank()) {
            return e instanceof ConnectException ? "connection refused" : "connection failed";
        }
        return message.lines().findFirst().orElse("").strip();
    }

    private static String hint(URI server, String what) {
        return "cannot talk to " + server + ": " + what + " (is it a plain-http server? then use "
                + withScheme(server, "http") + "; plain http is accepted only for 127.0.0.1/localhost)";
    }

    private static boolean speaksPlainHttp(URI server, int timeoutMs) {
        int port = server.getPort() == -1 ? 443 : server.getPort();
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(server.getHost(), port), timeoutMs);
            socket.setSoTimeout(timeoutMs);
            OutputStream out = socket.getOutputStream();
            out.write(
                    ("HEAD / HTTP/1.0\r\nHost: " + server.getHost() + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] start = in.readNBytes(5);
            return new String(start, StandardCharsets.US_ASCII).equals("HTTP/");
        } catch (IOException probeFailed) {
            return false;
        }
    }

    private static String withScheme(URI server, String scheme) {
        return scheme + server.toString().substring(server.getScheme().length());
    }

    private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }
}
