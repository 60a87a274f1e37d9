package dev.cmek.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.retries.api.AcquireInitialTokenRequest;
import software.amazon.awssdk.retries.api.RefreshRetryTokenRequest;
import software.amazon.awssdk.retries.api.RetryToken;
import software.amazon.awssdk.retries.api.TokenAcquisitionFailedException;

/**
 * The retry strategy every client gets, as SdkClients configures it, asked as the SDK asks it after a failed attempt:
 * an unreachable endpoint gets no second attempt, however many the strategy allows; a connection lost after the
 * request was sent still gets one. Counted here, where a wall-clock bound could not tell one retry from none.
 */
class FailFastRetryStrategyTest {
    private final FailFastRetryStrategy strategy =
            new FailFastRetryStrategy(AwsRetryStrategy.adaptiveRetryStrategy().toBuilder()
                    .maxAttempts(SdkClients.MAX_ATTEMPTS)
                    .build());

    private RetryToken firstAttempt() {
        return strategy.acquireInitialToken(AcquireInitialTokenRequest.create("kms"))
                .token();
    }

    private RefreshRetryTokenRequest after(RetryToken token, Throwable cause) {
        return RefreshRetryTokenRequest.builder()
                .token(token)
                .failure(SdkClientException.builder()
                        .message("Unable to execute HTTP request: " + cause.getMessage())
                        .cause(cause)
                        .build())
                .build();
    }

    @Test
    void aRefusedConnection_orAHostThatDoesNotResolve_isNotRetried() {
        for (Throwable cause :
                new Throwable[] {new ConnectException("Connection refused"), new UnknownHostException("kms.example")}) {
            RetryToken token = firstAttempt();

            assertThrows(TokenAcquisitionFailedException.class, () -> strategy.refreshRetryToken(after(token, cause)));
        }
    }

    @Test
    void aConnectionLostAfterTheRequestWasSent_isRetried_asTheSdkWould() {
        RetryToken token = firstAttempt();

        RetryToken next = strategy.refreshRetryToken(after(token, new IOException("Connection reset")))
                .token();

        assertNotNull(next);
        assertEquals(SdkClients.MAX_ATTEMPTS, strategy.maxAttempts());
    }
}
