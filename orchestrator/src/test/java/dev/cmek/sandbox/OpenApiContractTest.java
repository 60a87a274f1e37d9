package dev.cmek.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The contract helper itself: it must catch what the spec forbids, or the other tests prove nothing. */
class OpenApiContractTest {

    private static final String CLUSTER_PATH = "/api/v1/clusters/35c4abb2-bb66-46d7-afed-25ebef5ed2aa";

    @Test
    void sandboxCluster_conforms_butAnUndeclaredPropertyOrMissingRequiredFieldIsCaught() {
        String cluster;
        try (SandboxFixture api = new SandboxFixture()) {
            cluster = api.get(CLUSTER_PATH).raw().body();
            OpenApiContract.assertConforms(api.log());
        }
        assertEquals(List.of(), OpenApiContract.violations(response(200, cluster), true));

        String extra = cluster.replaceFirst("\\{", "{\"bogus\":1,");
        List<String> extraViolations = OpenApiContract.violations(response(200, extra), true);
        assertTrue(extraViolations.toString().contains("bogus"), extraViolations.toString());

        String noState = cluster.replaceFirst("\"state\":\"CREATED\",?", "");
        AssertionError e = assertThrows(
                AssertionError.class, () -> OpenApiContract.assertConforms(List.of(response(200, noState))));
        assertTrue(e.getMessage().contains("state"), e.getMessage());
    }

    @Test
    void badEnumInCmekAnswer_isCaught() {
        RecordedExchange bad = new RecordedExchange(
                Instant.now(),
                "GET",
                CLUSTER_PATH + "/cmek",
                "",
                Map.of(),
                "",
                200,
                Map.of("content-type", List.of("application/json")),
                "{\"status\":\"HALF_ENABLED\",\"region_infos\":[]}");
        assertTrue(OpenApiContract.violations(bad, true).toString().contains("HALF_ENABLED"));
    }

    @Test
    void errorAnswersMustHaveTheStatusShapeWhereTheSpecSaysSo() {
        RecordedExchange bad = new RecordedExchange(
                Instant.now(),
                "GET",
                CLUSTER_PATH,
                "",
                Map.of(),
                "",
                409,
                Map.of("content-type", List.of("application/json")),
                "{\"code\":\"ten\",\"message\":\"x\"}");
        assertTrue(!OpenApiContract.violations(bad, true).isEmpty(), "409 falls to 'default': Status");
    }

    private static RecordedExchange response(int status, String body) {
        return new RecordedExchange(
                Instant.now(),
                "GET",
                CLUSTER_PATH,
                "",
                Map.of("cc-version", List.of("2024-09-16")),
                "",
                status,
                Map.of("content-type", List.of("application/json")),
                body);
    }
}
