package dev.cmek.aws.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.UnaryOperator;

/**
 * The plumbing the proxies in front of moto share ({@link StrictAws}, the benchmarks' DelayingProxy): a local HTTP
 * server on a free port, and forwarding a request to moto and its answer back without the hop-by-hop headers.
 */
public final class ForwardingServer implements AutoCloseable {
    private static final Set<String> HOP =
            Set.of("host", "connection", "content-length", "expect", "upgrade", "transfer-encoding", "keep-alive");

    private final URI target;
    private final HttpServer server;
    private final ExecutorService pool;

    /** Starts serving on 127.0.0.1 (a free port) with {@code handler}, on daemon threads named {@code threadName}. */
    public ForwardingServer(URI target, String threadName, int backlog, HttpHandler handler) throws IOException {
        // Without TCP_NODELAY the JDK server's separate header/body writes meet delayed ACKs: ~40 ms extra per call.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        this.target = target;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), backlog);
        this.pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
        server.createContext("/", handler);
        server.setExecutor(pool);
        server.start();
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** moto's answer: status, the end-to-end headers, body. */
    public record Answer(int statusCode, Map<String, List<String>> headers, byte[] body) {}

    /** Sends the request to moto as it came. */
    public Answer send(HttpExchange ex, byte[] body) throws IOException, InterruptedException {
        return send(ex, body, UnaryOperator.identity());
    }

    /**
     * Sends the request to moto with its {@code Authorization} header rewritten by {@code authorization}. A blocking
     * HttpURLConnection on the handler's own thread: java.net.http's client handed every request to its selector
     * thread and back, a third of the stand-in's CPU on the 2 cores it shares with moto and the client under test.
     */
    public Answer send(HttpExchange ex, byte[] body, UnaryOperator<String> authorization)
            throws IOException, InterruptedException {
        HttpURLConnection c = (HttpURLConnection)
                target.resolve(ex.getRequestURI().toString()).toURL().openConnection(Proxy.NO_PROXY);
        c.setInstanceFollowRedirects(false);
        c.setUseCaches(false);
        c.setRequestMethod(ex.getRequestMethod());
        ex.getRequestHeaders().forEach((k, vs) -> {
            if (!HOP.contains(k.toLowerCase())) {
                vs.forEach(
                        v -> c.addRequestProperty(k, k.equalsIgnoreCase("Authorization") ? authorization.apply(v) : v));
            }
        });
        // Every request with a body, an empty one included, in fixed-length streaming mode: the JDK re-sends a request
        // that is not streamed when a kept connection fails (sun.net.http.retryPost), and moto must see each once.
        if (!ex.getRequestMethod().equals("GET") && !ex.getRequestMethod().equals("HEAD")) {
            c.setDoOutput(true);
            c.setFixedLengthStreamingMode(body.length);
            try (OutputStream out = c.getOutputStream()) {
                out.write(body);
            }
        }
        int status = c.getResponseCode();
        byte[] answer;
        try (InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream()) {
            answer = in == null ? new byte[0] : in.readAllBytes();
        }
        Map<String, List<String>> headers = new HashMap<>();
        c.getHeaderFields().forEach((k, vs) -> {
            if (k != null && !HOP.contains(k.toLowerCase())) {
                headers.put(k, vs);
            }
        });
        return new Answer(status, headers, answer);
    }

    /** Answers the client. */
    public static void reply(HttpExchange ex, int status, Map<String, List<String>> headers, byte[] out)
            throws IOException {
        headers.forEach((k, vs) -> ex.getResponseHeaders().put(k, vs));
        ex.sendResponseHeaders(status, out.length == 0 ? -1 : out.length);
        if (out.length > 0) {
            ex.getResponseBody().write(out);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }
}
