package dev.cmek.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;

/** Reading {@code cmek verify -o json} in tests: which controls failed, where. */
final class VerifyResults {
    private static final ObjectMapper JSON = new ObjectMapper();

    private VerifyResults() {}

    /** "region/control_id" of every failed control. */
    static List<String> failed(Cli.Result r) {
        try {
            JsonNode doc = JSON.readTree(r.out());
            List<String> out = new ArrayList<>();
            doc.get("regions")
                    .fields()
                    .forEachRemaining(region -> region.getValue()
                            .get("controls")
                            .forEach(c -> {
                                if (c.get("verdict").textValue().equals("FAIL")) {
                                    out.add(region.getKey() + "/" + c.get("id").textValue());
                                }
                            }));
            return out;
        } catch (Exception e) {
            throw new AssertionError("not a verify document: " + r.out() + "\n" + r.err(), e);
        }
    }

    /**
     * After a revocation and a restore: every grant is back in the cloud (every cloud control passes), and only
     * CockroachDB's own status still fails, REVOKED until support restores it (there is no API call that does).
     */
    static void grantsBackButCockroachStillRevoked(Cli.Result r) {
        assertEquals(7, r.exit(), () -> r.err() + "\n" + r.out());
        List<String> failed = failed(r);
        assertTrue(!failed.isEmpty() && failed.stream().allMatch(f -> f.endsWith("/crdb_status")), failed::toString);
        assertTrue(r.out().contains("REVOKED"), r.out());
    }
}
