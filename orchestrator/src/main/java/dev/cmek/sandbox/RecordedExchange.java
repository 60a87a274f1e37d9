package dev.cmek.sandbox;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One request the sandbox answered, as recorded in its {@link RequestLog}. Request headers never
 * include {@code Authorization}; header names are lower-case.
 */
public record RecordedExchange(
        Instant timestamp,
        String method,
        String path,
        String query,
        Map<String, List<String>> requestHeaders,
        String requestBody,
        int status,
        Map<String, List<String>> responseHeaders,
        String responseBody) {

    public RecordedExchange {
        requestHeaders = Map.copyOf(requestHeaders);
        responseHeaders = Map.copyOf(responseHeaders);
        query = query == null ? "" : query;
        requestBody = requestBody == null ? "" : requestBody;
        responseBody = responseBody == null ? "" : responseBody;
    }

    /** The first value of a request header (name case-insensitive). */
    public Optional<String> requestHeader(String name) {
        List<String> values = requestHeaders.get(name.toLowerCase(java.util.Locale.ROOT));
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }

    /** The first value of a response header (name case-insensitive). */
    public Optional<String> responseHeader(String name) {
        List<String> values = responseHeaders.get(name.toLowerCase(java.util.Locale.ROOT));
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }
}
