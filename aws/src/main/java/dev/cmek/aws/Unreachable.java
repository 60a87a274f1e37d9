package dev.cmek.aws;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Optional;

/**
 * An endpoint that does not answer at all: the connection was refused, the host does not resolve or route, or the
 * connection did not open within the connect timeout. No retry makes such an endpoint answer sooner, and a responder
 * waits for every one: these fail at once, never retried like a throttle (the SDK's default would try 10 times, about
 * 30 s a call).
 */
final class Unreachable {
    private Unreachable() {}

    /** Why {@code failure} means the endpoint is unreachable ("connection refused", ...), if it does. */
    static Optional<String> why(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof UnknownHostException) {
                return Optional.of("host not found: " + t.getMessage());
            }
            if (t instanceof NoRouteToHostException) {
                return Optional.of("no route to host");
            }
            if (t instanceof PortUnreachableException) {
                return Optional.of("port unreachable");
            }
            if (t instanceof ConnectException) {
                return Optional.of("connection refused");
            }
            if (t instanceof SocketTimeoutException
                    && String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT).contains("connect")) {
                return Optional.of("connection timed out");
            }
        }
        return Optional.empty();
    }

    static boolean is(Throwable failure) {
        return why(failure).isPresent();
    }
}
