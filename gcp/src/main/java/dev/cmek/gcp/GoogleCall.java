package dev.cmek.gcp;

import com.google.api.gax.rpc.ApiException;
import com.google.api.gax.rpc.StatusCode;
import java.util.function.Supplier;

/**
 * Where a Google call's failure becomes ours. Retrying is not done here: the clients' own gax {@code RetrySettings}
 * (see {@link GcpClients}) are the one retry layer; this only names the operation and resource in the error.
 */
final class GoogleCall {
    private GoogleCall() {}

    /**
     * Runs a call; codes in {@code expected} reach the caller as the raw {@link ApiException}, any other failure
     * becomes a {@link CallFailedException} naming the operation and resource.
     */
    static <T> T call(String operation, Object resource, Supplier<T> call, StatusCode.Code... expected) {
        try {
            return call.get();
        } catch (ApiException e) {
            for (StatusCode.Code c : expected) {
                if (c == e.getStatusCode().getCode()) {
                    throw e;
                }
            }
            throw CallFailedException.of(operation, String.valueOf(resource), e);
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
}
