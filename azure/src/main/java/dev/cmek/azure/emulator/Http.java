package dev.cmek.azure.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The request and response shapes every emulated service handles, and the JSON they speak. */
final class Http {
    private Http() {}

    static final ObjectMapper JSON = new ObjectMapper();

    static ObjectNode object() {
        return JSON.createObjectNode();
    }

    static ArrayNode array() {
        return JSON.createArrayNode();
    }

    /** One parsed request: {@code host} is the Host header's name, lower case, without its port. */
    record Request(
            String method,
            String host,
            String authority,
            String path,
            Map<String, String> query,
            Map<String, List<String>> headers,
            byte[] body) {

        String header(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null || values.isEmpty() ? null : values.get(0);
        }

        String param(String name) {
            return query.get(name);
        }

        /** The body as JSON; an empty body is an empty object. */
        JsonNode json() {
            if (body.length == 0) {
                return object();
            }
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new BadBody(e.getMessage());
            }
        }

        String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** A body that is not JSON; each service words the 400 its own way. */
    static final class BadBody extends RuntimeException {
        BadBody(String message) {
            super(message);
        }
    }

    /** An answer; {@link #LOST} means the connection closes without one. */
    static final class Response {
        static final Response LOST = new Response(0, new byte[0]);

        final int status;
        final Map<String, String> headers = new LinkedHashMap<>();
        final byte[] body;

        Response(int status, byte[] body) {
            this.status = status;
            this.body = body;
        }

        static Response json(int status, JsonNode body) {
            try {
                return new Response(status, JSON.writeValueAsBytes(body))
                        .header("Content-Type", "application/json; charset=utf-8");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        static Response empty(int status) {
            return new Response(status, new byte[0]);
        }

        Response header(String name, String value) {
            headers.put(name, value);
            return this;
        }
    }

    static Map<String, String> parseQuery(String raw) {
        Map<String, String> query = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return query;
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String k = eq < 0 ? pair : pair.substring(0, eq);
            String v = eq < 0 ? "" : pair.substring(eq + 1);
            query.putIfAbsent(decode(k), decode(v));
        }
        return query;
    }

    static Map<String, String> parseForm(byte[] body) {
        return parseQuery(new String(body, StandardCharsets.UTF_8));
    }

    static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    /** Percent-decodes a path without turning '+' into a space. */
    static String decodePath(String raw) {
        return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 201 -> "Created";
            case 202 -> "Accepted";
            case 204 -> "No Content";
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 409 -> "Conflict";
            case 429 -> "Too Many Requests";
            case 500 -> "Internal Server Error";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            default -> "Status";
        };
    }
}
