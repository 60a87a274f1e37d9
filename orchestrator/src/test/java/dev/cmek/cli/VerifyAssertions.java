package dev.cmek.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** What `cmek verify` shows once a revocation was restored in the cloud but CockroachDB has yet to re-enable. */
final class VerifyAssertions {
    private static final ObjectMapper JSON = new ObjectMapper();

    private VerifyAssertions() {}

    /**
     * After restore every control passes in the cloud; only CockroachDB's own status (REVOKED until its support
     * re-enables the cluster) fails: exit 7, and {@code crdb_status} the only failed control in every region.
     */
    static void onlyCockroachStatusFails(Cli cli, String clusterId) throws IOException {
        Cli.Result r = cli.run("verify", "--cluster", clusterId, "-o", "json");
        assertEquals(7, r.exit(), () -> "stderr: " + r.err() + "\nstdout: " + r.out());
        JsonNode regions = JSON.readTree(r.out()).path("regions");
        assertFalse(regions.isEmpty(), r.out());
        List<String> failed = new ArrayList<>();
        regions.fields()
                .forEachRemaining(region -> region.getValue().path("controls").forEach(c -> {
                    if (c.path("verdict").asText().equals("FAIL")) {
                        failed.add(region.getKey() + ":" + c.path("id").asText());
                    }
                }));
        List<String> expected = new ArrayList<>();
        regions.fieldNames().forEachRemaining(region -> expected.add(region + ":crdb_status"));
        assertEquals(expected, failed, r.out());
    }
}
