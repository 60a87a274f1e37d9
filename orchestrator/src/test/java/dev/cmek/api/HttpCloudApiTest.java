package dev.cmek.api;

import static dev.cmek.testing.Sandboxes.AWS_CLUSTER;
import static dev.cmek.testing.Sandboxes.GCP_CLUSTER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cmek.CmekException;
import dev.cmek.ExitCode;
import dev.cmek.model.CloudProvider;
import dev.cmek.model.KeySpec;
import dev.cmek.model.KeyType;
import dev.cmek.model.Manifest;
import dev.cmek.model.ManifestCodec;
import dev.cmek.model.RegionSpec;
import dev.cmek.model.Samples;
import dev.cmek.sandbox.CloudApiSandbox;
import dev.cmek.sandbox.OpenApiContract;
import dev.cmek.sandbox.RecordedExchange;
import dev.cmek.testing.Sandboxes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The real HTTP client against the sandbox; every exchange is checked against the OpenAPI spec afterwards. */
class HttpCloudApiTest {
    private static final Duration DELAY = Duration.ofMillis(150);
    private static final Manifest AWS = ManifestCodec.parse(Samples.AWS_MANIFEST, "aws");

    private CloudApiSandbox sandbox;
    private Sandboxes.Client client;
    private CmekWaiter waiter;
    private final List<String> progress = new ArrayList<>();

    @BeforeEach
    void start() {
        sandbox = Sandboxes.start(DELAY);
        client = Sandboxes.client(sandbox);
        waiter = new CmekWaiter(
                client.api,
                new CmekWaiter.Schedule(Duration.ofMillis(50), Duration.ofMillis(200), Duration.ofSeconds(2)),
                progress::add);
    }

    @AfterEach
    void stop() {
        OpenApiContract.assertConformsThenClose(sandbox);
    }

    @Test
    void readsOrganizationAndCluster() {
        assertEquals(Sandboxes.ORG_ID, client.api.organization().id());
        Cluster cluster = client.api.cluster(AWS_CLUSTER);
        assertEquals(CloudProvider.AWS, cluster.cloudProvider());
        assertEquals(Sandboxes.AWS_ACCOUNT, cluster.accountId());
        assertEquals(ClusterState.CREATED, cluster.state());
        assertEquals(List.of("us-east-1", "us-west-2"), cluster.regionNames());
        assertEquals(Map.of("us-east-1", 3, "us-west-2", 3), cluster.regionNodes());
    }

    @Test
    void sendsVersionHeaderAndNeverLogsTheKey() {
        client.api.organization();
        RecordedExchange x = sandbox.requestLog().exchanges().get(0);
        assertEquals("2024-09-16", x.requestHeader("cc-version").orElseThrow());
        assertTrue(sandbox.requestLog().exchanges().stream()
                .noneMatch(e -> e.toString().contains(Sandboxes.API_KEY)));
    }

    @Test
    void enable_rotate_revoke_lifecycle() {
        CmekClusterInfo accepted = client.api.enableCmek(AWS_CLUSTER, AWS);
        assertEquals(CmekStatus.ENABLING, accepted.status());
        CmekClusterInfo enabled = waiter.await(AWS_CLUSTER, CmekStatus.ENABLED, Duration.ofSeconds(10));
        assertEquals(
                AWS.find("us-east-1").orElseThrow().keySpec(),
                enabled.region("us-east-1").orElseThrow().currentSpec().orElseThrow());
        assertTrue(
                progress.stream().anyMatch(l -> l.contains("ENABLED: us-east-1 ENABLED, us-west-2 ENABLED")),
                progress.toString());

        KeySpec newKey = new KeySpec(
                KeyType.AWS_KMS,
                "arn:aws:kms:us-east-1:111122223333:key/00000000-1111-2222-3333-444444444444",
                Samples.AWS_ROLE);
        client.api.rotateCmek(AWS_CLUSTER, new Manifest(List.of(new RegionSpec("us-east-1", newKey))));
        CmekClusterInfo rotated = waiter.await(AWS_CLUSTER, CmekStatus.ENABLED, Duration.ofSeconds(10));
        CmekClusterInfo.RegionInfo east = rotated.region("us-east-1").orElseThrow();
        assertEquals(newKey, east.currentSpec().orElseThrow());
        assertEquals(2, east.keyInfos().size(), "key history keeps the old key");

        assertEquals(CmekStatus.REVOKING, client.api.revokeCmek(AWS_CLUSTER).status());
        assertEquals(
                CmekStatus.REVOKED,
                waiter.await(AWS_CLUSTER, CmekStatus.REVOKED, Duration.ofSeconds(10))
                        .status());
    }

    @Test
    void addRegion_sendsAllNodeCountsAndOnlyTheNewSpec() {
        client.api.enableCmek(AWS_CLUSTER, AWS);
        waiter.await(AWS_CLUSTER, CmekStatus.ENABLED, Duration.ofSeconds(10));
        Map<String, Integer> nodes = new LinkedHashMap<>(Map.of("us-east-1", 3, "us-west-2", 3));
        nodes.put("eu-west-1", 3);
        RegionSpec eu = new RegionSpec(
                "eu-west-1",
                new KeySpec(
                        KeyType.AWS_KMS,
                        "arn:aws:kms:eu-west-1:111122223333:key/00000000-1111-2222-3333-444444444444",
                        Samples.AWS_ROLE));
        Cluster cluster = client.api.addRegions(AWS_CLUSTER, nodes, List.of(eu));
        assertTrue(cluster.regionNames().contains("eu-west-1"));
        CmekClusterInfo info = waiter.await(AWS_CLUSTER, CmekStatus.ENABLED, Duration.ofSeconds(10));
        assertEquals(CmekStatus.ENABLED, info.region("eu-west-1").orElseThrow().status());
    }

    @Test
    void wrongKey_is401_rejected_withoutTheKeyInTheMessage() {
        Sandboxes.Client wrong = new Sandboxes.Client(
                Sandboxes.fastSettings(sandbox), "CCDB1_wrong_key_value", RequestPacer.cloudApiDefault());
        ApiException e = assertThrows(ApiException.class, () -> wrong.api.cluster(AWS_CLUSTER));
        assertEquals(401, e.httpStatus());
        assertEquals(ExitCode.REJECTED, e.exitCode());
        assertTrue(e.getMessage().contains("the API key was not accepted"), e.getMessage());
        assertFalse(e.getMessage().contains("CCDB1_wrong_key_value"));
    }

    @Test
    void unknownCluster_is404() {
        ApiException e =
                assertThrows(ApiException.class, () -> client.api.cluster("00000000-0000-4000-8000-000000000000"));
        assertEquals(404, e.httpStatus());
        assertEquals(5, e.code(), "the body's code is the gRPC code");
    }

    @Test
    void mutationDuringTransition_is409_andNotRetried() {
        client.api.enableCmek(AWS_CLUSTER, AWS);
        ApiException e = assertThrows(ApiException.class, () -> client.api.revokeCmek(AWS_CLUSTER));
        assertEquals(409, e.httpStatus());
        assertEquals(
                1,
                sandbox.requestLog().exchanges(x -> x.method().equals("PATCH")).size());
    }

    @Test
    void over10PerSecond_getsRetryAfter_andTheClientWaitsAsAsked() throws Exception {
        // A pacer far above the limit, so the sandbox must push back.
        Sandboxes.Client eager = new Sandboxes.Client(
                Sandboxes.fastSettings(sandbox), Sandboxes.API_KEY, new RequestPacer(1000, Duration.ofSeconds(1)));
        List<Cluster> results = fetchConcurrently(eager.api, 20);
        assertEquals(20, results.size());
        List<RecordedExchange> limited = sandbox.requestLog().exchanges(x -> x.status() == 429);
        assertFalse(limited.isEmpty(), "the sandbox limited some requests");
        assertTrue(
                limited.stream().allMatch(x -> x.responseHeader("retry-after").isPresent()));
        assertTrue(
                eager.notices.stream().anyMatch(n -> n.contains("rate limited, waiting 1000 ms as the server asked")),
                eager.notices.toString());
    }

    @Test
    void theDefaultPacer_staysUnderTheLimit() throws Exception {
        assertEquals(25, fetchConcurrently(client.api, 25).size());
        assertEquals(0, sandbox.requestLog().exchanges(x -> x.status() == 429).size());
    }

    @Test
    void notReadyCluster_mutationWaitsForCreated() {
        sandbox.holdCreating(AWS_CLUSTER, Duration.ofMillis(700));
        assertEquals(
                CmekStatus.ENABLING, client.api.enableCmek(AWS_CLUSTER, AWS).status());
        List<RecordedExchange> posts =
                sandbox.requestLog().exchanges(x -> x.method().equals("POST"));
        assertEquals(503, posts.get(0).status());
        assertEquals(200, posts.get(posts.size() - 1).status());
        assertTrue(
                client.notices.stream().anyMatch(n -> n.contains("cluster not ready (HTTP 503)")),
                client.notices.toString());
    }

    @Test
    void serverErrors_getsAreRetried_mutationsAreNot() {
        sandbox.failNextRequests(2, 500, "GET", ".*/clusters/.*");
        assertEquals(AWS_CLUSTER, client.api.cluster(AWS_CLUSTER).id());

        sandbox.failNextRequests(1, 500, "POST", ".*/cmek");
        ApiException e = assertThrows(ApiException.class, () -> client.api.enableCmek(AWS_CLUSTER, AWS));
        assertEquals(500, e.httpStatus());
        assertEquals(ExitCode.UNAVAILABLE, e.exitCode());
        assertEquals(
                1,
                sandbox.requestLog().exchanges(x -> x.method().equals("POST")).size());
    }

    @Test
    void getsGiveUpAfterTheirAttempts() {
        sandbox.failNextRequests(10, 503, "GET", ".*/organization");
        ApiException e = assertThrows(ApiException.class, () -> client.api.organization());
        assertEquals(503, e.httpStatus());
        assertEquals(
                5,
                sandbox.requestLog()
                        .exchanges(x -> x.path().endsWith("/organization"))
                        .size());
    }

    @Test
    void keyNotAccessibleYet_enableRetriesUntilItIs() {
        long until = System.nanoTime() + Duration.ofMillis(600).toNanos();
        sandbox.setRejectInaccessibleKeys(true);
        sandbox.setKeySpecCheck((cluster, key) ->
                System.nanoTime() < until ? Optional.of("AccessDenied: role cannot be assumed yet") : Optional.empty());
        assertEquals(
                CmekStatus.ENABLING, client.api.enableCmek(AWS_CLUSTER, AWS).status());
        List<RecordedExchange> posts =
                sandbox.requestLog().exchanges(x -> x.method().equals("POST"));
        assertTrue(posts.size() >= 2 && posts.get(0).status() == 400, "first attempt refused, later accepted");
        assertTrue(
                client.notices.stream().anyMatch(n -> n.contains("key not accessible yet")), client.notices.toString());
    }

    @Test
    void keyNeverAccessible_givesUpAtTheWindow() {
        sandbox.setRejectInaccessibleKeys(true);
        sandbox.setKeySpecCheck((cluster, key) -> Optional.of("AccessDenied"));
        Sandboxes.Client patient = new Sandboxes.Client(
                Sandboxes.fastSettings(sandbox).withPropagationWindow(Duration.ofMillis(500)),
                Sandboxes.API_KEY,
                RequestPacer.cloudApiDefault());
        long start = System.nanoTime();
        ApiException e = assertThrows(ApiException.class, () -> patient.api.enableCmek(AWS_CLUSTER, AWS));
        assertEquals(400, e.httpStatus());
        assertTrue(Duration.ofNanos(System.nanoTime() - start).compareTo(Duration.ofMillis(450)) >= 0);
    }

    @Test
    void malformedRequest_failsAtOnce_withoutPropagationRetries() {
        Manifest oneRegion = AWS.only(List.of("us-east-1"));
        ApiException e = assertThrows(ApiException.class, () -> client.api.enableCmek(AWS_CLUSTER, oneRegion));
        assertEquals(400, e.httpStatus());
        assertTrue(e.getMessage().contains("missing: [us-west-2]"), e.getMessage());
        assertEquals(
                1,
                sandbox.requestLog().exchanges(x -> x.method().equals("POST")).size());
    }

    @Test
    void failedOutcome_stopsTheWaitWithRegionAndMessage() {
        sandbox.failNextCmekOperation(GCP_CLUSTER, "us-central1", "permission denied on cryptoKeys.encrypt");
        Manifest gcp = ManifestCodec.parse(Samples.GCP_MANIFEST, "gcp");
        client.api.enableCmek(GCP_CLUSTER, gcp);
        CmekException e = assertThrows(
                CmekException.class, () -> waiter.await(GCP_CLUSTER, CmekStatus.ENABLED, Duration.ofSeconds(10)));
        assertEquals(ExitCode.OPERATION_FAILED, e.exitCode());
        assertEquals("region us-central1 is ENABLE_FAILED: permission denied on cryptoKeys.encrypt", e.getMessage());
    }

    @Test
    void wait_timesOutWithItsOwnExitCode() {
        sandbox.setTransitionDelay(Duration.ofSeconds(30));
        client.api.enableCmek(AWS_CLUSTER, AWS);
        CmekException e = assertThrows(
                CmekException.class, () -> waiter.await(AWS_CLUSTER, CmekStatus.ENABLED, Duration.ofMillis(400)));
        assertEquals(ExitCode.TIMEOUT, e.exitCode());
        assertTrue(e.getMessage().contains("did not reach ENABLED"), e.getMessage());
    }

    private static List<Cluster> fetchConcurrently(CloudApi api, int count) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Cluster>> futures = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                futures.add(pool.submit(() -> api.cluster(AWS_CLUSTER)));
            }
            List<Cluster> out = new ArrayList<>();
            for (Future<Cluster> f : futures) {
                out.add(f.get());
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }
}
