package dev.cmek.azure;

import com.azure.core.http.HttpClient;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.util.BinaryData;
import com.azure.core.util.Context;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import reactor.core.publisher.Mono;

/**
 * An HTTP client that hands every request to another and notes it as "METHOD URL" (and a token request's scope), so that a test can count the
 * attempts the SDK made, including those that never reached a server (a refused connection).
 */
final class CountingHttpClient implements HttpClient {
    private final HttpClient delegate;
    private final List<String> sent = new CopyOnWriteArrayList<>();

    CountingHttpClient(HttpClient delegate) {
        this.delegate = delegate;
    }

    /** The requests handed over so far, in order. */
    List<String> sent() {
        return List.copyOf(sent);
    }

    @Override
    public Mono<HttpResponse> send(HttpRequest request) {
        return send(request, Context.NONE);
    }

    @Override
    public Mono<HttpResponse> send(HttpRequest request, Context context) {
        return Mono.defer(() -> {
            note(request);
            return delegate.send(request, context);
        });
    }

    @Override
    public HttpResponse sendSync(HttpRequest request, Context context) {
        note(request);
        return delegate.sendSync(request, context);
    }

    private void note(HttpRequest request) {
        // A token request's URL is the same for every resource: the scope in its form body says which it is.
        BinaryData body = request.getBodyAsBinaryData();
        String scope = body == null
                ? ""
                : Arrays.stream(body.toString().split("&"))
                        .filter(p -> p.startsWith("scope="))
                        .map(p -> " " + URLDecoder.decode(p.substring(6), StandardCharsets.UTF_8))
                        .findFirst()
                        .orElse("");
        sent.add(request.getHttpMethod() + " " + request.getUrl() + scope);
    }
}
