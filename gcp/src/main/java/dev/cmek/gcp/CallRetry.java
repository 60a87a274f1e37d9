package dev.cmek.gcp;

import com.google.api.gax.rpc.ApiException;
import com.google.api.gax.rpc.StatusCode;
import java.time.Duration;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The one place GCP calls are retried: only UNAVAILABLE and DEADLINE_EXCEEDED, at most {@link #ATTEMPTS} times with
 * doubling backoff. Safe for every call we make because creates treat ALREADY_EXISTS as "read and check".
 */
final class CallRetry {
    static final int ATTEMPTS = 6;
    static final Duration FIRST_BACKOFF = Duration.ofMillis(50);
    private static final Set<StatusCode.Code> TRANSIENT =
            Set.of(StatusCode.Code.UNAVAILABLE, StatusCode.Code.DEADLINE_EXCEEDED);

    private CallRetry() {}

    /**
     * Runs a call; codes in {@code expected} reach the caller as the raw {@link ApiException}, any other failure
     * becomes a {@link CallFailedException} naming the operation and resource.
     */
    static <T> T call(String operation, Object resource, Supplier<T> call, StatusCode.Code... expected) {
        Duration backoff = FIRST_BACKOFF;
        for (int attempt = 1; ; attempt++) {
            try {
                return call.get();
            } catch (ApiException e) {
                StatusCode.Code code = e.getStatusCode().getCode();
                for (StatusCode.Code c : expected) {
                    if (c == code) {
                        throw e;
                    }
                }
                if (!TRANSIENT.contains(code) || attempt >= ATTEMPTS) {
                    throw CallFailedException.of(operation, String.valueOf(resource), e);
                }
            }
            sleep(backoff);
            backoff = backoff.multipliedBy(2);
        }
    }

    static void run(String operation, Object resource, Runnable call, StatusCode.Code... expected) {
        call(
                operation,
                resource,
                () -> {
                    call.run();
                    return null;
                },
                expected);
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GcpCmekException("Interrupted while waiting to retry", e);
        }
    }
}
