package dev.cmek.azure;

import com.azure.core.http.policy.ExponentialBackoffOptions;
import com.azure.core.http.policy.RequestRetryCondition;
import com.azure.core.http.policy.RetryOptions;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

/**
 * The one retry layer for every Azure call (ARM, Graph, Key Vault, Entra): the SDK's {@code RetryPolicy} with bounded
 * attempts, which honours {@code Retry-After} (and {@code x-ms-retry-after-ms}) on 429 and 503, retrying 408, 429 and
 * 5xx answers and lost connections, but never a refused connection or a host that does not resolve: a dead endpoint
 * costs one connect timeout, not a minute of backoff (the SDK's default retries every exception:
 * https://github.com/Azure/azure-sdk-for-java/blob/main/sdk/core/azure-core/src/main/java/com/azure/core/http/policy/RetryStrategy.java).
 */
final class CallRetry {
    /** Six attempts: rides out a few seconds of ARM or Graph throttling (whose Retry-After is honoured as given). */
    static final int DEFAULT_RETRIES = 5;

    static final Duration DEFAULT_BASE_DELAY = Duration.ofMillis(800);
    static final Duration DEFAULT_MAX_DELAY = Duration.ofSeconds(8);

    private CallRetry() {}

    static RetryOptions options(int maxRetries, Duration baseDelay, Duration maxDelay) {
        return new RetryOptions(new ExponentialBackoffOptions()
                        .setMaxRetries(maxRetries)
                        .setBaseDelay(baseDelay)
                        .setMaxDelay(maxDelay))
                .setShouldRetryCondition(CallRetry::retryable);
    }

    static boolean retryable(RequestRetryCondition c) {
        if (c.getResponse() != null) {
            int s = c.getResponse().getStatusCode();
            return s == 408 || s == 429 || s == 500 || s == 502 || s == 503 || s == 504;
        }
        Throwable t = c.getThrowable();
        return !unreachable(t) && !(t instanceof ReplyLostException) && transientIo(t);
    }

    /** The connection was refused or timed out, or the host does not resolve: nothing was sent, and nothing answers. */
    static boolean unreachable(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof ConnectException // also what JdkHttpClient makes of a connect timeout or a refused tunnel
                    || c instanceof UnknownHostException
                    || c instanceof NoRouteToHostException
                    || c instanceof PortUnreachableException
                    || c instanceof UnresolvedAddressException) {
                return true;
            }
        }
        return false;
    }

    /** A connection lost or a read timed out after the request was sent. */
    static boolean transientIo(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof IOException || c instanceof TimeoutException) {
                return true;
            }
        }
        return false;
    }
}
