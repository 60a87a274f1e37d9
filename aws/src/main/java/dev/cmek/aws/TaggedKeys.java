package dev.cmek.aws;

import static java.util.concurrent.TimeUnit.MILLISECONDS;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.regions.Region;

/**
 * KMS keys found by tag in one call per page, whatever else the account holds: the Resource Groups Tagging API's
 * GetResources filtered by {@code kms:key} and a tag
 * (https://docs.aws.amazon.com/resourcegroupstagging/latest/APIReference/API_GetResources.html). Its SDK module does
 * not resolve from this build's package registry, so the one call it needs is signed here with the SDK's own SigV4
 * signer, with the same credentials and HTTP client as every other call. Any failure (AccessDenied without
 * {@code tag:GetResources}, throttling, an endpoint without the API) answers empty, and the caller falls back to
 * asking the keys themselves.
 */
public final class TaggedKeys {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TARGET = "ResourceGroupsTaggingAPI_20170126.GetResources";

    private final AwsCredentialsProvider credentials;
    private final SdkHttpClient http;
    private final URI endpoint;
    private final Region region;
    private final Duration deadline;

    /**
     * @param endpoint an endpoint override (an emulator), or null for the Region's public endpoint
     * @param deadline how long one call may take, as the SDK's {@code apiCallAttemptTimeout} bounds every other call
     *     (null: the HTTP client's socket timeout only)
     */
    TaggedKeys(AwsCredentialsProvider credentials, SdkHttpClient http, URI endpoint, Region region, Duration deadline) {
        this.credentials = credentials;
        this.http = http;
        this.deadline = deadline;
        this.endpoint = endpoint != null
                ? endpoint
                : URI.create("https://tagging." + region.id() + "."
                        + region.metadata().domain());
        this.region = region;
    }

    /** Every key of this Region tagged {@code tagKey=tagValue}, with its tags; empty when the API cannot answer. */
    Optional<Map<KeyArn, Map<String, String>>> find(String tagKey, String tagValue) {
        Map<KeyArn, Map<String, String>> out = new HashMap<>();
        String token = null;
        do {
            ObjectNode body = JSON.createObjectNode();
            body.putArray("ResourceTypeFilters").add("kms:key");
            ObjectNode filter = body.putArray("TagFilters").addObject().put("Key", tagKey);
            filter.putArray("Values").add(tagValue);
            body.put("ResourcesPerPage", 100);
            if (token != null) {
                body.put("PaginationToken", token);
            }
            Optional<JsonNode> page = call(body);
            if (page.isEmpty()) {
                return Optional.empty();
            }
            for (JsonNode mapping : page.get().path("ResourceTagMappingList")) {
                Map<String, String> tags = new HashMap<>();
                mapping.path("Tags")
                        .forEach(t ->
                                tags.put(t.path("Key").asText(), t.path("Value").asText()));
                out.put(KeyArn.of(mapping.path("ResourceARN").asText()), tags);
            }
            token = page.get().path("PaginationToken").asText("");
        } while (!token.isEmpty());
        return Optional.of(out);
    }

    private Optional<JsonNode> call(ObjectNode body) {
        try {
            byte[] payload = JSON.writeValueAsBytes(body);
            SdkHttpFullRequest request = SdkHttpFullRequest.builder()
                    .method(SdkHttpMethod.POST)
                    .uri(endpoint)
                    .encodedPath("/")
                    .putHeader("Content-Type", "application/x-amz-json-1.1")
                    .putHeader("X-Amz-Target", TARGET)
                    .putHeader("Content-Length", Integer.toString(payload.length))
                    .build();
            AwsCredentialsIdentity identity = credentials.resolveIdentity().join();
            SignedRequest signed = AwsV4HttpSigner.create()
                    .sign(r -> r.identity(identity)
                            .request(request)
                            .payload(ContentStreamProvider.fromByteArray(payload))
                            .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "tagging")
                            .putProperty(AwsV4HttpSigner.REGION_NAME, region.id()));
            ExecutableHttpRequest exchange = http.prepareRequest(HttpExecuteRequest.builder()
                    .request(signed.request())
                    .contentStreamProvider(signed.payload().orElse(null))
                    .build());
            // Not an SDK client call, so the SDK's attempt timeout does not reach it: the same deadline is kept here
            // by aborting the exchange (closing its connection), reply body included. A socket timeout alone bounds
            // each read, not a server that answers slowly or never.
            ScheduledFuture<?> abort = deadline == null
                    ? null
                    : Deadlines.TIMER.schedule(exchange::abort, deadline.toMillis(), MILLISECONDS);
            try {
                HttpExecuteResponse response = exchange.call();
                if (response.httpResponse().statusCode() != 200
                        || response.responseBody().isEmpty()) {
                    response.responseBody().ifPresent(TaggedKeys::drain);
                    return Optional.empty();
                }
                try (InputStream in = response.responseBody().get()) {
                    return Optional.of(JSON.readTree(in));
                }
            } finally {
                if (abort != null) {
                    abort.cancel(false);
                }
            }
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The one timer thread that ends calls past their deadline, made on first use (most runs never need it). */
    private static final class Deadlines {
        static final ScheduledThreadPoolExecutor TIMER = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "aws-cmek-deadline");
            t.setDaemon(true);
            return t;
        });

        static {
            TIMER.setRemoveOnCancelPolicy(true);
        }
    }

    private static void drain(InputStream in) {
        try (in) {
            in.readAllBytes();
        } catch (IOException e) {
            // The answer was an error already; nothing more to read from it.
        }
    }

    /** The keys of one generation among {@code found}. */
    static List<KeyArn> ofGeneration(Map<KeyArn, Map<String, String>> found, ResourceNames names, int generation) {
        List<KeyArn> out = new ArrayList<>();
        found.forEach((arn, tags) -> {
            if (names.isOurs(tags, generation)) {
                out.add(arn);
            }
        });
        return out;
    }
}
