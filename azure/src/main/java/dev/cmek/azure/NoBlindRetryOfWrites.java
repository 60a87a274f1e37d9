package dev.cmek.azure;

import com.azure.core.http.HttpMethod;
import com.azure.core.http.HttpPipelineCallContext;
import com.azure.core.http.HttpPipelineNextPolicy;
import com.azure.core.http.HttpPipelineNextSyncPolicy;
import com.azure.core.http.HttpPipelinePosition;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.http.policy.HttpPipelinePolicy;
import reactor.core.publisher.Mono;

/**
 * Inside each try of a Key Vault client: a POST (create or rotate a key, each adding a version) whose connection is lost
 * after sending becomes a {@link ReplyLostException}, which {@link CallRetry} does not retry, so that the caller reads
 * back instead of making a second version (https://learn.microsoft.com/rest/api/keyvault/keys/create-key: "If the named
 * key already exists, Azure Key Vault creates a new version of the key").
 */
final class NoBlindRetryOfWrites implements HttpPipelinePolicy {
    @Override
    public Mono<HttpResponse> process(HttpPipelineCallContext context, HttpPipelineNextPolicy next) {
        HttpRequest request = context.getHttpRequest();
        return next.process().onErrorMap(e -> lost(request, e), ReplyLostException::new);
    }

    @Override
    public HttpResponse processSync(HttpPipelineCallContext context, HttpPipelineNextSyncPolicy next) {
        HttpRequest request = context.getHttpRequest();
        try {
            return next.processSync();
        } catch (RuntimeException e) {
            if (lost(request, e)) {
                throw new ReplyLostException(e);
            }
            throw e;
        }
    }

    private static boolean lost(HttpRequest request, Throwable e) {
        return request.getHttpMethod() == HttpMethod.POST && !CallRetry.unreachable(e) && CallRetry.transientIo(e);
    }

    @Override
    public HttpPipelinePosition getPipelinePosition() {
        return HttpPipelinePosition.PER_RETRY;
    }
}
