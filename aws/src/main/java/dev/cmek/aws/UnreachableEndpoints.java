package dev.cmek.aws;

import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpRequest;

/**
 * Names the endpoint in the error of a call that could not reach it: the HTTP client's message ("Connection
 * refused") says neither where it tried nor that nothing answered, and a responder must tell a dead endpoint from a
 * missing permission at a glance.
 */
final class UnreachableEndpoints implements ExecutionInterceptor {
    @Override
    public Throwable modifyException(Context.FailedExecution context, ExecutionAttributes attributes) {
        Throwable failure = context.exception();
        return Unreachable.why(failure)
                .<Throwable>map(why -> SdkClientException.builder()
                        .message("unreachable: "
                                + context.httpRequest()
                                        .map(UnreachableEndpoints::endpoint)
                                        .orElse("the AWS endpoint") + " did not answer (" + why
                                + "); the call was not retried")
                        .cause(failure)
                        .build())
                .orElse(failure);
    }

    private static String endpoint(SdkHttpRequest request) {
        int port = request.port();
        boolean standard = port == -1
                || ("https".equals(request.protocol()) && port == 443)
                || ("http".equals(request.protocol()) && port == 80);
        return request.protocol() + "://" + request.host() + (standard ? "" : ":" + port);
    }
}
