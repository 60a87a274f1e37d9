package dev.cmek.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cmek.testing.FleetSandboxes;
import dev.cmek.testing.FleetSandboxes.GeneratedCluster;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code GET /api/v1/clusters}: filtering, order, keyset pages and their errors; every exchange is checked against the spec. */
class ClusterListTest {

    /** c-0000..c-0024: 21 active; c-0008 and c-0018 CREATION_FAILED, c-0009 and c-0019 DELETED. */
    private static final List<GeneratedCluster> ORGANIZATION = FleetSandboxes.organization(25, 2);

    private static final String LIST = "/api/v1/clusters";

    @RegisterExtension
    final SandboxFixture api = SandboxFixture.serving(FleetSandboxes.organizationConfig(ORGANIZATION), true);

    private static List<String> names(boolean inactiveToo) {
        return ORGANIZATION.stream()
                .filter(c -> inactiveToo || c.active())
                .map(GeneratedCluster::name)
                .toList();
    }

    private static List<String> names(JsonNode page) {
        return StreamSupport.stream(page.get("clusters").spliterator(), false)
                .map(c -> c.get("name").asText())
                .toList();
    }

    private JsonNode list(String query) {
        SandboxFixture.Reply reply = api.get(LIST + query);
        assertEquals(200, reply.status(), reply.body().toString());
        return reply.body();
    }

    private static String token(JsonNode page, String which) {
        return URLEncoder.encode(page.path("pagination").path(which).asText(), StandardCharsets.UTF_8);
    }

    @Test
    void list_withoutParameters_isEveryActiveClusterByName_inOnePage() {
        JsonNode page = list("");

        assertEquals(names(false), names(page));
        assertEquals(21, page.get("clusters").size());
        assertFalse(
                page.path("pagination").has("next_page"), page.get("pagination").toString());
        assertFalse(page.path("pagination").has("previous_page"));
        JsonNode first = page.get("clusters").get(0);
        assertEquals(FleetSandboxes.clusterId(0), first.get("id").asText());
        assertFalse(first.has("cmek"), "the sandbox's seed is never served");
    }

    @Test
    void list_showInactive_addsDeletedAndCreationFailedClusters() {
        JsonNode page = list("?show_inactive=true");

        assertEquals(names(true), names(page));
        List<String> states = StreamSupport.stream(page.get("clusters").spliterator(), false)
                .map(c -> c.get("state").asText())
                .distinct()
                .sorted()
                .toList();
        assertEquals(List.of("CREATED", "CREATION_FAILED", "DELETED"), states);
        assertEquals(names(false), names(list("?show_inactive=false")));
    }

    @Test
    void list_withALimit_pagesForwardByNextPage_andBackByPreviousPage() {
        List<JsonNode> pages = new ArrayList<>();
        JsonNode page = list("?pagination.limit=6");
        pages.add(page);
        while (page.path("pagination").has("next_page")) {
            page = list("?pagination.limit=6&pagination.page=" + token(page, "next_page"));
            pages.add(page);
        }

        assertEquals(
                List.of(6, 6, 6, 3),
                pages.stream().map(p -> p.get("clusters").size()).toList());
        assertEquals(
                names(false),
                pages.stream().flatMap(p -> names(p).stream()).toList(),
                "every active cluster once, in order");
        assertFalse(pages.get(0).path("pagination").has("previous_page"));
        JsonNode back = list("?pagination.limit=6&pagination.page=" + token(pages.get(2), "previous_page"));
        assertEquals(names(pages.get(1)), names(back));
        assertEquals(
                names(pages.get(2)), names(list("?pagination.limit=6&pagination.page=" + token(back, "next_page"))));
    }

    @Test
    void list_descendingByCreationTime_reversesTheOrder_andPagesTheSameWay() {
        JsonNode first = list("?pagination.sort_by=CREATED_AT&pagination.sort_order=DESC&pagination.limit=15");
        JsonNode rest = list("?pagination.sort_by=CREATED_AT&pagination.sort_order=DESC&pagination.limit=15"
                + "&pagination.page=" + token(first, "next_page"));

        List<String> both = new ArrayList<>(names(first));
        both.addAll(names(rest));
        List<String> expected = new ArrayList<>(names(false));
        Collections.reverse(expected);
        assertEquals(expected, both);
    }

    @Test
    void list_byDeletionTime_putsDeletedClustersByTheirDeletion_andActiveOnesByCreation() {
        JsonNode page = list("?show_inactive=true&pagination.sort_by=DELETED_AT");

        List<String> order = names(page);
        // c-0009 was deleted 30 days after it was created, so it sorts after every cluster created since.
        assertEquals("c-0009", order.get(order.size() - 2));
        assertEquals("c-0019", order.get(order.size() - 1));
    }

    @Test
    void list_asOfTime_leavesOutClustersCreatedLater() {
        // c-0000 was created at 2024-01-01T00:00:00Z and each next one an hour later.
        JsonNode page = list("?pagination.as_of_time=2024-01-01T04:30:00Z");

        assertEquals(List.of("c-0000", "c-0001", "c-0002", "c-0003", "c-0004"), names(page));
    }

    @Test
    void list_limitAboveTheMaximum_isCutToIt_andNoLimitMeansTheDefault() {
        api.sandbox.setClusterPageSizes(4, 7);

        JsonNode capped = list("?pagination.limit=500");
        assertEquals(names(false).subList(0, 7), names(capped));
        assertTrue(capped.path("pagination").has("next_page"));
        assertEquals(names(false).subList(0, 4), names(list("")));
        assertEquals(names(false).subList(0, 4), names(list("?pagination.limit=0")), "0 is protobuf's unset");
    }

    @Test
    void list_answersEveryClusterInTheClusterShape_withCmekNotShownThere() {
        JsonNode page = list("?show_inactive=true");

        JsonNode deleted = page.get("clusters").get(9);
        assertEquals("DELETED", deleted.get("state").asText());
        assertEquals("2024-01-31T09:00:00Z", deleted.get("deleted_at").asText());
        for (GeneratedCluster c : ORGANIZATION) {
            int status = api.get(LIST + "/" + c.id() + "/cmek").status();
            assertEquals(c.cmekEnabled() ? 200 : 404, status, c.toString());
        }
    }

    @Test
    void list_otherMethods_are405() {
        SandboxFixture.Reply reply = api.send("DELETE", LIST, null).assertError(405, "not allowed");
        assertEquals("GET", reply.raw().headers().firstValue("allow").orElse(""));
        api.sandbox.requestLog().clear(); // a method the spec does not declare is outside it by construction
    }
}
