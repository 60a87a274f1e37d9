package dev.cmek.azure.emulator;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import java.util.function.Predicate;
import javax.net.ssl.SSLSocket;

/**
 * One port on 127.0.0.1 that takes either TLS directly or a plaintext HTTP {@code CONNECT host:443} proxy request
 * followed by TLS in the tunnel; both end in the same HTTP/1.1 handler, which routes by the Host header.
 */
final class EmulatorServer implements AutoCloseable {
    private static final int TLS_HANDSHAKE = 0x16;
    private static final int MAX_HEADER_BYTES = 64 * 1024;

    private final ServerSocket listener;
    private final TlsMaterial tls;
    private final Function<Http.Request, Http.Response> handler;
    private final Predicate<String> tunnelTargetExists;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final ExecutorService connections = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "azure-emulator-conn");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean closed;

    EmulatorServer(
            int port,
            TlsMaterial tls,
            Function<Http.Request, Http.Response> handler,
            Predicate<String> tunnelTargetExists) {
        this.tls = tls;
        this.handler = handler;
        this.tunnelTargetExists = tunnelTargetExists;
        try {
            listener = new ServerSocket();
            listener.setReuseAddress(true);
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 128);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not listen on 127.0.0.1:" + port, e);
        }
        Thread acceptor = new Thread(this::acceptLoop, "azure-emulator-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return listener.getLocalPort();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket s = listener.accept();
                open.add(s);
                connections.execute(() -> serve(s));
            } catch (IOException e) {
                if (!closed) {
                    continue;
                }
                return;
            }
        }
    }

    private void serve(Socket raw) {
        try (raw) {
            raw.setTcpNoDelay(true);
            InputStream in = raw.getInputStream();
            int first = in.read();
            if (first < 0) {
                return;
            }
            Socket tlsSocket;
            if (first == TLS_HANDSHAKE) {
                tlsSocket = tls.sslContext
                        .getSocketFactory()
                        .createSocket(raw, new ByteArrayInputStream(new byte[] {(byte) first}), true);
            } else {
                String head = (char) first + readHead(in);
                String[] requestLine = head.split("\r\n", 2)[0].split(" ");
                OutputStream out = raw.getOutputStream();
                if (requestLine.length < 3 || !requestLine[0].equals("CONNECT")) {
                    out.write(("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    return;
                }
                String target = requestLine[1].toLowerCase(Locale.ROOT);
                String targetHost = target.contains(":") ? target.substring(0, target.lastIndexOf(':')) : target;
                if (!tunnelTargetExists.test(targetHost)) {
                    // The name does not resolve in Azure's DNS (a vault never created): the proxy cannot connect.
                    out.write(("HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    return;
                }
                out.write("HTTP/1.1 200 Connection Established\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                tlsSocket = tls.sslContext.getSocketFactory().createSocket(raw, null, true);
            }
            SSLSocket ssl = (SSLSocket) tlsSocket;
            ssl.setUseClientMode(false);
            ssl.setSoTimeout(120_000);
            open.add(ssl);
            try (ssl) {
                exchange(ssl);
            } finally {
                open.remove(ssl);
            }
        } catch (IOException e) {
            // A client that goes away, a failed handshake or an idle connection: nothing to answer.
        } finally {
            open.remove(raw);
        }
    }

    private void exchange(SSLSocket ssl) throws IOException {
        InputStream in = ssl.getInputStream();
        OutputStream out = ssl.getOutputStream();
        while (!closed) {
            String head;
            try {
                head = readHead(in);
            } catch (EOFException | SocketException e) {
                return;
            }
            String[] lines = head.split("\r\n");
            String[] requestLine = lines[0].split(" ");
            if (requestLine.length < 3) {
                return;
            }
            Map<String, List<String>> headers = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                if (colon > 0) {
                    headers.computeIfAbsent(
                                    lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                                    k -> new ArrayList<>())
                            .add(lines[i].substring(colon + 1).trim());
                }
            }
            if ("100-continue".equalsIgnoreCase(first(headers, "expect"))) {
                out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
            byte[] body = readBody(in, headers);
            String target = requestLine[1];
            int q = target.indexOf('?');
            String rawPath = q < 0 ? target : target.substring(0, q);
            if (rawPath.startsWith("https://") || rawPath.startsWith("http://")) {
                rawPath = rawPath.substring(rawPath.indexOf('/', rawPath.indexOf("//") + 2));
            }
            String authority =
                    first(headers, "host") == null ? "" : first(headers, "host").toLowerCase(Locale.ROOT);
            String host = authority.contains(":") && !authority.startsWith("[")
                    ? authority.substring(0, authority.indexOf(':'))
                    : authority;
            Http.Request request = new Http.Request(
                    requestLine[0].toUpperCase(Locale.ROOT),
                    host,
                    authority,
                    Http.decodePath(rawPath),
                    Http.parseQuery(q < 0 ? null : target.substring(q + 1)),
                    headers,
                    body);
            Http.Response response = handler.apply(request);
            if (response == Http.Response.LOST) {
                return; // the operation ran; its answer never arrives
            }
            write(out, request, response);
            if ("close".equalsIgnoreCase(first(headers, "connection"))) {
                return;
            }
        }
    }

    private static String first(Map<String, List<String>> headers, String name) {
        List<String> v = headers.get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    private static void write(OutputStream out, Http.Request request, Http.Response response) throws IOException {
        boolean noBody = response.status == 204
                || response.status == 304
                || request.method().equals("HEAD");
        StringBuilder head = new StringBuilder()
                .append("HTTP/1.1 ")
                .append(response.status)
                .append(' ')
                .append(Http.reason(response.status))
                .append("\r\n");
        response.headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
        if (response.status != 204) {
            head.append("Content-Length: ").append(response.body.length).append("\r\n");
        }
        head.append("\r\n");
        out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        if (!noBody) {
            out.write(response.body);
        }
        out.flush();
    }

    /** Reads up to and including the blank line ending a request head, one byte at a time so nothing is over-read. */
    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        long last4 = 0;
        while (last4 != 0x0D0A0D0AL) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException();
            }
            buf.write(b);
            last4 = ((last4 << 8) | b) & 0xFFFFFFFFL;
            if (buf.size() > MAX_HEADER_BYTES) {
                throw new IOException("request head too large");
            }
        }
        String head = buf.toString(StandardCharsets.ISO_8859_1);
        return head.substring(0, head.length() - 4);
    }

    private static byte[] readBody(InputStream in, Map<String, List<String>> headers) throws IOException {
        String te = first(headers, "transfer-encoding");
        if (te != null && te.toLowerCase(Locale.ROOT).contains("chunked")) {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            while (true) {
                String sizeLine = readLine(in);
                int semi = sizeLine.indexOf(';');
                int size = Integer.parseInt((semi < 0 ? sizeLine : sizeLine.substring(0, semi)).trim(), 16);
                if (size == 0) {
                    while (!readLine(in).isEmpty()) {
                        // trailers
                    }
                    return body.toByteArray();
                }
                body.write(in.readNBytes(size));
                readLine(in);
            }
        }
        String length = first(headers, "content-length");
        if (length == null) {
            return new byte[0];
        }
        int n = Integer.parseInt(length.trim());
        byte[] body = in.readNBytes(n);
        if (body.length < n) {
            throw new EOFException();
        }
        return body;
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
            if (b != '\r') {
                buf.write(b);
            }
        }
        if (b < 0) {
            throw new EOFException();
        }
        return buf.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() {
        closed = true;
        try {
            listener.close();
        } catch (IOException e) {
            // closing anyway
        }
        for (Socket s : open) {
            try {
                s.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
        connections.shutdownNow();
    }
}
