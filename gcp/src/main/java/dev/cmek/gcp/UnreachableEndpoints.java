package dev.cmek.gcp;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall.SimpleForwardingClientCall;
import io.grpc.ForwardingClientCallListener.SimpleForwardingClientCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.util.Locale;
import java.util.Optional;

/**
 * A call whose endpoint did not answer at all (connection refused, host not found) closes with code UNKNOWN and a
 * description starting {@value #PREFIX}, instead of UNAVAILABLE: gax would retry UNAVAILABLE for the whole call budget
 * (30 s a call), though no retry makes a dead endpoint answer. {@link CallFailedException} reads the prefix back as
 * {@code Failure.UNAVAILABLE}, naming the endpoint.
 */
final class UnreachableEndpoints implements ClientInterceptor {
    static final String PREFIX = "unreachable: ";

    @Override
    public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
        String authority = next.authority();
        return new SimpleForwardingClientCall<>(next.newCall(method, options)) {
            @Override
            public void start(Listener<R> listener, Metadata headers) {
                super.start(
                        new SimpleForwardingClientCallListener<>(listener) {
                            @Override
                            public void onClose(Status status, Metadata trailers) {
                                Optional<String> why =
                                        status.getCode() == Status.Code.UNAVAILABLE ? why(status) : Optional.empty();
                                super.onClose(
                                        why.map(w -> Status.UNKNOWN
                                                        .withDescription(PREFIX + authority + " did not answer (" + w
                                                                + "); not retried")
                                                        .withCause(status.getCause()))
                                                .orElse(status),
                                        trailers);
                            }
                        },
                        headers);
            }
        };
    }

    private static Optional<String> why(Status status) {
        for (Throwable t = status.getCause(); t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof UnknownHostException || t instanceof UnresolvedAddressException) {
                return Optional.of("host not found");
            }
            if (t instanceof NoRouteToHostException) {
                return Optional.of("no route to host");
            }
            if (t instanceof ConnectException) {
                return Optional.of("connection refused");
            }
        }
        String d = String.valueOf(status.getDescription()).toLowerCase(Locale.ROOT);
        if (d.contains("connection refused")) {
            return Optional.of("connection refused");
        }
        if (d.contains("unable to resolve host")) {
            return Optional.of("host not found");
        }
        return Optional.empty();
    }
}
