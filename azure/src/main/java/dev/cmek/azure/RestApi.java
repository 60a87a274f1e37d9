package dev.cmek.azure;

import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpMethod;
import com.azure.core.http.HttpPipeline;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.util.Context;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Typed REST calls to one Azure API (Resource Manager or Graph) over an azure-core pipeline: JSON in, JSON out. An
 * answer whose status the caller expects (a 404 for "absent", a 409 for "exists") comes back as an {@link Answer}; any
 * other error status or failure becomes a {@link CallFailedException} (or {@link NoCredentialsException}).
 */
final class RestApi {
    /** An answer: its status, its body (a missing node when empty), and Azure's error code and message if any. */
    record Answer(int status, JsonNode body) {
        boolean ok() {
            return status >= 200 && status < 300;
        }

        String code() {
            return Json.text(body.path("error"), "code");
        }

        String message() {
            return Json.text(body.path("error"), "message");
        }
    }

    private final AzureClients clients;
    private final HttpPipeline pipeline;
    private final String base;
    private final String host;
    private final CallFailedException.Service service;

    RestApi(AzureClients clients, HttpPipeline pipeline, String base, CallFailedException.Service service) {
        this.clients = clients;
        this.pipeline = pipeline;
        this.base = base;
        this.host = base.substring("https://".length());
        this.service = service;
    }

    Answer get(String operation, String resource, String path, int... expected) {
        return call(operation, resource, HttpMethod.GET, path, null, expected);
    }

    /**
     * Sends one request to {@code base + path} ({@code path} already carries its query); answers 2xx and the statuses in
     * {@code expected}, throws for anything else.
     */
    Answer call(String operation, String resource, HttpMethod method, String path, JsonNode body, int... expected) {
        String url = path.startsWith("https://") ? path : base + path;
        HttpRequest request = new HttpRequest(method, url);
        if (body != null) {
            request.setHeader(HttpHeaderName.CONTENT_TYPE, "application/json");
            request.setBody(Json.bytes(body));
        }
        Answer answer;
        try (HttpResponse response = pipeline.sendSync(request, Context.NONE)) {
            answer = new Answer(
                    response.getStatusCode(),
                    Json.parse(response.getBodyAsBinaryData().toBytes()));
        } catch (RuntimeException e) {
            throw AzureCall.failure(clients, service, operation, resource, host, e);
        }
        if (answer.ok()) {
            return answer;
        }
        for (int s : expected) {
            if (s == answer.status()) {
                return answer;
            }
        }
        throw AzureCall.answered(
                clients, service, operation, resource, answer.status(), answer.code(), answer.message());
    }

    /** Every item of a paged list, following {@code nextLink} (ARM) or {@code @odata.nextLink} (Graph). */
    List<JsonNode> list(String operation, String resource, String path, int... expected) {
        List<JsonNode> out = new ArrayList<>();
        String next = path;
        while (next != null) {
            Answer a = get(operation, resource, next, expected);
            if (!a.ok()) {
                return null;
            }
            a.body().path("value").forEach(out::add);
            String link = Json.text(a.body(), "nextLink");
            next = link != null ? link : Json.text(a.body(), "@odata.nextLink");
        }
        return out;
    }

    /** A query value, percent-encoded ({@code $filter=principalId eq '...'}). */
    static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
