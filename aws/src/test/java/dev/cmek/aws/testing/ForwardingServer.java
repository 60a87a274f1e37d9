package dev.cmek.aws.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
    private final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

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

    /** Sends the request to moto as it came. */
    public HttpResponse<byte[]> send(HttpExchange ex, byte[] body) throws IOException, InterruptedException {
        return send(ex, body, UnaryOperator.identity());
    }

    /** Sends the request to moto with its {@code Authorization} header rewritten by {@code authorization}. */
    public HttpResponse<byte[]> send(HttpExchange ex, byte[] body, UnaryOperator<String> authorization)
            throws IOException, InterruptedException {
        HttpRequest.Builder req = HttpRequest.newBuilder(
                        target.resolve(ex.getRequestURI().toString()))
                .method(ex.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(body));
        ex.getRequestHeaders().forEach((k, vs) -> {
            if (!HOP.contains(k.toLowerCase())) {
                vs.forEach(v -> req.header(k, k.equalsIgnoreCase("Authorization") ? authorization.apply(v) : v));
            }
        });
        return http.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    /** The answer's headers that are passed on to the client. */
    public static Map<String, List<String>> endToEndHeaders(HttpResponse<?> resp) {
        Map<String, List<String>> headers = new HashMap<>();
        resp.headers().map().forEach((k, vs) -> {
            if (!HOP.contains(k.toLowerCase()) && !k.startsWith(":")) {
                headers.put(k, vs);
            }
        });
        return headers;
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
