package dev.cmek.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cmek.sandbox.CloudApiSandbox;
import dev.cmek.sandbox.OpenApiContract;
import dev.cmek.sandbox.RecordedExchange;
import dev.cmek.testing.FleetSandboxes;
import dev.cmek.testing.FleetSandboxes.GeneratedCluster;
import dev.cmek.testing.Sandboxes;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link HttpCloudApi#listClusters()} against the sandbox's paged cluster list; every exchange is checked against the spec. */
class ListClustersTest {
    private CloudApiSandbox sandbox;

    @AfterEach
    void stop() {
        OpenApiContract.assertConformsThenClose(sandbox);
    }

    private Sandboxes.Client organization(List<GeneratedCluster> clusters) {
        sandbox = FleetSandboxes.startOrganization(clusters, Duration.ofMillis(100));
        return Sandboxes.client(sandbox);
    }

    private static List<String> activeIds(List<GeneratedCluster> clusters) {
        return clusters.stream()
                .filter(GeneratedCluster::active)
                .map(GeneratedCluster::id)
                .toList();
    }

    private static List<String> ids(List<Cluster> clusters) {
        return clusters.stream().map(Cluster::id).toList();
    }

    private List<RecordedExchange> listRequests() {
        return sandbox.requestLog().exchanges(x -> x.path().equals("/api/v1/clusters"));
    }

    @Test
    void listClusters_moreClustersThanOnePage_followsNextPage_andAnswersEachActiveClusterOnce() {
        List<GeneratedCluster> org = FleetSandboxes.organization(640, 1); // 512 active: one more than a page of 500
        Sandboxes.Client client = organization(org);

        List<Cluster> clusters = client.api.listClusters();

        assertEquals(activeIds(org), ids(clusters), "every active cluster once, by name");
        List<RecordedExchange> pages = listRequests();
        assertEquals(2, pages.size(), pages.toString());
        assertEquals("pagination.limit=500", pages.get(0).query());
        assertTrue(
                pages.get(1).query().startsWith("pagination.limit=500&pagination.page="),
                pages.get(1).query());
        Cluster first = clusters.get(0);
        assertEquals(dev.cmek.model.CloudProvider.AWS, first.cloudProvider());
        assertEquals(List.of("us-east-1"), first.regionNames());
    }

    @Test
    void listClusters_serverMaximumBelowTheAskedSize_followsEveryShorterPage() {
        List<GeneratedCluster> org = FleetSandboxes.organization(25, 2);
        Sandboxes.Client client = organization(org);
        sandbox.setClusterPageSizes(3, 4);

        List<Cluster> clusters = client.api.listClusters();

        assertEquals(activeIds(org), ids(clusters));
        assertEquals(6, listRequests().size(), "21 active clusters, at most 4 a page");
        assertTrue(listRequests().stream().allMatch(x -> x.query().startsWith("pagination.limit=500")));
    }

    @Test
    void listClusters_rateLimitedInTheMiddle_waitsAsAsked_andResumesAtThatPage() {
        List<GeneratedCluster> org = FleetSandboxes.organization(25, 2);
        Sandboxes.Client client = organization(org);
        sandbox.setClusterPageSizes(4, 4);
        sandbox.setRateLimitPerSecond(3); // below the client's 10/s, so the fourth page is refused at first

        List<Cluster> clusters = client.api.listClusters();

        assertEquals(activeIds(org), ids(clusters), "nothing lost or repeated around the 429");
        List<RecordedExchange> pages = listRequests();
        List<Integer> statuses = pages.stream().map(RecordedExchange::status).toList();
        assertEquals(List.of(200, 200, 200, 429), statuses.subList(0, 4), statuses.toString());
        assertEquals(pages.get(3).query(), pages.get(4).query(), "the refused page is asked again");
        assertEquals(
                6,
                pages.stream()
                        .filter(x -> x.status() == 200)
                        .map(RecordedExchange::query)
                        .distinct()
                        .count(),
                "six pages, each answered once");
        assertTrue(
                client.notices.stream().anyMatch(n -> n.contains("(page 4): rate limited, waiting 1000 ms")),
                client.notices.toString());
    }

    @Test
    void listClusters_serverErrorOnAPage_isRetriedLikeEveryGet() {
        List<GeneratedCluster> org = FleetSandboxes.organization(12, 1);
        Sandboxes.Client client = organization(org);
        sandbox.setClusterPageSizes(5, 5);
        sandbox.failNextRequests(2, 503, "GET", "/api/v1/clusters");

        List<Cluster> clusters = client.api.listClusters();

        assertEquals(activeIds(org), ids(clusters));
        assertEquals(2, listRequests().stream().filter(x -> x.status() == 503).count());
        assertFalse(client.notices.isEmpty());
    }
}
