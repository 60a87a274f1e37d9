package dev.cmek.azure;

import com.azure.core.http.HttpClient;
import com.azure.core.http.HttpHeader;
import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpHeaders;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.util.BinaryData;
import com.azure.core.util.Context;
import com.azure.core.util.CoreUtils;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URISyntaxException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletionException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * azure-core's {@link HttpClient} over the JDK's {@code java.net.http} client, each answer read whole (ARM, Graph, Key
 * Vault and Entra answer small JSON documents). A cold process builds it in a fraction of the time Reactor Netty's
 * client takes, with a thousand fewer classes (BENCHMARKS.md, the cold Azure revocation). It never retries on its own:
 * the SDK's {@code RetryPolicy} ({@link CallRetry}) is the one layer.
 */
final class JdkHttpClient implements HttpClient {
    /**
     * Headers the JDK client sets itself and refuses from the caller
     * (https://docs.oracle.com/en/java/javase/17/docs/api/java.net.http/java/net/http/HttpRequest.Builder.html#header(java.lang.String,java.lang.String)).
     */
    private static final Set<String> RESTRICTED = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);

    static {
        RESTRICTED.addAll(List.of("connection", "content-length", "expect", "host", "upgrade"));
    }

    private final java.net.http.HttpClient client;
    private final Duration responseTimeout;

    JdkHttpClient(java.net.http.HttpClient client, Duration responseTimeout) {
        this.client = client;
        this.responseTimeout = responseTimeout;
    }

    @Override
    public Mono<HttpResponse> send(HttpRequest request) {
        return send(request, Context.NONE);
    }

    @Override
    public Mono<HttpResponse> send(HttpRequest request, Context context) {
        return Mono.defer(() -> Mono.fromFuture(client.sendAsync(jdkRequest(request), BodyHandlers.ofByteArray())))
                .onErrorMap(CompletionException.class, e -> e.getCause() != null ? e.getCause() : e)
                .onErrorMap(IOException.class, e -> unreachable(e, request))
                .map(r -> new Response(request, r));
    }

    @Override
    public HttpResponse sendSync(HttpRequest request, Context context) {
        try {
            return new Response(request, client.send(jdkRequest(request), BodyHandlers.ofByteArray()));
        } catch (IOException e) {
            throw new UncheckedIOException(unreachable(e, request));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(new InterruptedIOException("interrupted waiting for " + request.getUrl()));
        }
    }

    private java.net.http.HttpRequest jdkRequest(HttpRequest request) {
        java.net.http.HttpRequest.Builder b;
        try {
            b = java.net.http.HttpRequest.newBuilder(request.getUrl().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("Not a URI: " + request.getUrl(), e);
        }
        b.timeout(responseTimeout).method(request.getHttpMethod().name(), body(request.getBodyAsBinaryData()));
        for (HttpHeader h : request.getHeaders()) {
            if (!RESTRICTED.contains(h.getName())) {
                for (String v : h.getValuesList()) {
                    b.header(h.getName(), v);
                }
            }
        }
        return b.build();
    }

    private static BodyPublisher body(BinaryData data) {
        return data == null ? BodyPublishers.noBody() : BodyPublishers.ofByteArray(data.toBytes());
    }

    /**
     * A connection that could not be made, as one {@link ConnectException} without a cause (the JDK's own chain kept as
     * suppressed): the SDK's {@code RetryPolicy} asks the retry condition about each cause of the chain on its own, and
     * the tail of the JDK's chain for a refused connection is a {@code ClosedChannelException}, which alone looks like
     * a lost connection. An HTTP proxy that refuses the tunnel (the emulator's 502 for a host that does not resolve) is,
     * for the JDK, {@code IOException("Tunnel failed, got: 502")}; a connect that timed out, an {@link
     * HttpConnectTimeoutException}. Both are unreachable endpoints, as Reactor Netty's {@code ProxyConnectException} and
     * {@code ConnectTimeoutException} were: nothing was sent.
     */
    private static IOException unreachable(IOException e, HttpRequest request) {
        boolean tunnel = e.getMessage() != null && e.getMessage().startsWith("Tunnel failed");
        if (!tunnel && !(e instanceof HttpConnectTimeoutException) && !CallRetry.unreachable(e)) {
            return e;
        }
        String detail = e.getClass().getSimpleName();
        for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c.getMessage() != null && !c.getMessage().isBlank()) {
                detail = c.getMessage();
                break;
            }
        }
        ConnectException c =
                new ConnectException("cannot connect to " + request.getUrl().getHost() + " ("
                        + (tunnel ? "the proxy could not open a tunnel: " : "") + detail + ")");
        c.addSuppressed(e);
        return c;
    }

    /** An answer, read whole. */
    private static final class Response extends HttpResponse {
        private final int status;
        private final HttpHeaders headers = new HttpHeaders();
        private final byte[] body;

        Response(HttpRequest request, java.net.http.HttpResponse<byte[]> r) {
            super(request);
            this.status = r.statusCode();
            for (Map.Entry<String, List<String>> e : r.headers().map().entrySet()) {
                if (!e.getKey().startsWith(":")) { // HTTP/2 pseudo-headers
                    headers.set(HttpHeaderName.fromString(e.getKey()), e.getValue());
                }
            }
            this.body = r.body() == null ? new byte[0] : r.body();
        }

        @Override
        public int getStatusCode() {
            return status;
        }

        @Override
        @Deprecated
        public String getHeaderValue(String name) {
            return headers.getValue(HttpHeaderName.fromString(name));
        }

        @Override
        public String getHeaderValue(HttpHeaderName name) {
            return headers.getValue(name);
        }

        @Override
        public HttpHeaders getHeaders() {
            return headers;
        }

        @Override
        public Flux<ByteBuffer> getBody() {
            return body.length == 0
                    ? Flux.empty()
                    : Flux.just(ByteBuffer.wrap(body).asReadOnlyBuffer());
        }

        @Override
        public BinaryData getBodyAsBinaryData() {
            return BinaryData.fromBytes(body);
        }

        @Override
        public InputStream getBodyAsInputStreamSync() {
            return new ByteArrayInputStream(body);
        }

        @Override
        public Mono<byte[]> getBodyAsByteArray() {
            return body.length == 0 ? Mono.empty() : Mono.just(body);
        }

        @Override
        public Mono<String> getBodyAsString() {
            return Mono.fromSupplier(
                    () -> CoreUtils.bomAwareToString(body, headers.getValue(HttpHeaderName.CONTENT_TYPE)));
        }

        @Override
        public Mono<String> getBodyAsString(Charset charset) {
            return Mono.fromSupplier(() -> new String(body, charset));
        }

        @Override
        public HttpResponse buffer() {
            return this;
        }
    }
}
