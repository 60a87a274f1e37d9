package dev.cmek.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cmek.sandbox.CloudApiSandbox;
import dev.cmek.testing.FleetSandboxes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cmek fleet} end to end against a sandbox of four clusters. The harness fails any run that prints the API key. */
class FleetCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> REGIONS = List.of("us-east-1", "us-west-2", "eu-west-1");
    private static final List<String> IDS = FleetSandboxes.clusterIds(4);

    @TempDir
    Path dir;

    private CloudApiSandbox sandbox;
    private Path fleet;

    @BeforeEach
    void start() {
        sandbox = FleetSandboxes.start(IDS, REGIONS, Duration.ofMillis(200));
        fleet = FleetSandboxes.writeFleet(dir, IDS, REGIONS);
    }

    @AfterEach
    void stop() {
        sandbox.close();
    }

    /** {@code cmek fleet ...} through the real entry point. */
    private FleetRun cli() {
        Cli cli = new Cli().api(sandbox);
        return args -> {
            String[] withCommand = new String[args.length + 1];
            withCommand[0] = "fleet";
            System.arraycopy(args, 0, withCommand, 1, args.length);
            return cli.run(withCommand);
        };
    }

    private interface FleetRun {
        Cli.Result run(String... args);
    }

    @Test
    void fleet_allEnabled_printsEachClusterAndASummary_andWritesState() throws Exception {
        Cli.Result r = cli().run(fleet.toString());

        assertEquals(0, r.exit(), r.err());
        List<String> out = r.out().lines().toList();
        assertEquals(5, out.size(), r.out());
        for (int i = 0; i < IDS.size(); i++) {
            assertTrue(out.get(i).startsWith(IDS.get(i) + "  ENABLED"), out.get(i));
        }
        assertTrue(
                out.get(4).startsWith("4 clusters: 4 enabled, 0 already enabled, 0 skipped, 0 failed; exit code 0"),
                out.get(4));
        assertEquals(
                4,
                r.err()
                        .lines()
                        .filter(l -> l.matches("\\[\\d/4] .* ENABLED in .*"))
                        .count(),
                r.err());
        JsonNode state = JSON.readTree(dir.resolve("fleet.json.state.json").toFile());
        IDS.forEach(id -> assertEquals(
                "ENABLED", state.get("clusters").get(id).get("outcome").asText()));
    }

    @Test
    void fleet_oneClusterFails_othersEnabled_exitIsItsCode_jsonHoldsTheSameFacts() throws Exception {
        sandbox.failNextCmekOperation(IDS.get(1), "eu-west-1", "access denied to key k2");

        Cli.Result r = cli().run(fleet.toString(), "--output", "json");

        assertEquals(4, r.exit(), r.err());
        JsonNode doc = JSON.readTree(r.out());
        JsonNode clusters = doc.get("clusters");
        assertEquals(4, clusters.size());
        JsonNode bad = clusters.get(1);
        assertEquals(IDS.get(1), bad.get("cluster_id").asText());
        assertEquals("FAILED", bad.get("outcome").asText());
        assertEquals(4, bad.get("exit_code").asInt());
        assertTrue(bad.get("message").asText().contains("access denied to key k2"), bad.toString());
        for (int i : new int[] {0, 2, 3}) {
            assertEquals("ENABLED", clusters.get(i).get("outcome").asText());
            assertEquals(0, clusters.get(i).get("exit_code").asInt());
        }
        JsonNode summary = doc.get("summary");
        assertEquals(
                List.of(4, 3, 0, 0, 1, 4),
                List.of(
                        summary.get("total").asInt(),
                        summary.get("enabled").asInt(),
                        summary.get("already_enabled").asInt(),
                        summary.get("skipped").asInt(),
                        summary.get("failed").asInt(),
                        summary.get("exit_code").asInt()));
        assertTrue(r.err().contains(IDS.get(1) + " FAILED (exit 4)"), r.err());

        // Text for the same outcome (a fresh sandbox with the same failure) states the same facts.
        stop();
        start();
        Files.deleteIfExists(dir.resolve("fleet.json.state.json"));
        sandbox.failNextCmekOperation(IDS.get(1), "eu-west-1", "access denied to key k2");
        Cli.Result text = cli().run(fleet.toString());
        assertEquals(4, text.exit());
        assertTrue(
                text.out()
                        .lines()
                        .anyMatch(l -> l.startsWith(IDS.get(1) + "  FAILED (exit 4)")
                                && l.contains("access denied to key k2")),
                text.out());
        assertTrue(
                text.out().contains("4 clusters: 3 enabled, 0 already enabled, 0 skipped, 1 failed; exit code 4"),
                text.out());
    }

    @Test
    void fleet_rerunAfterFailure_onlyTouchesTheFailedCluster_andRecheckLooksAtAll() throws Exception {
        sandbox.failNextCmekOperation(IDS.get(3), "us-east-1", "key disabled");
        assertEquals(4, cli().run(fleet.toString()).exit());
        sandbox.requestLog().clear();

        Cli.Result again = cli().run(fleet.toString(), "--output", "json");

        assertEquals(0, again.exit(), again.err());
        JsonNode clusters = JSON.readTree(again.out()).get("clusters");
        for (int i = 0; i < 3; i++) {
            assertEquals("SKIPPED", clusters.get(i).get("outcome").asText());
            String id = IDS.get(i);
            assertEquals(
                    0,
                    sandbox.requestLog().exchanges(x -> x.path().contains(id)).size(),
                    id);
        }
        assertEquals("ENABLED", clusters.get(3).get("outcome").asText());
        assertEquals(
                1,
                sandbox.requestLog().exchanges(x -> !x.method().equals("GET")).size(),
                "one PUT for the failed cluster");

        sandbox.requestLog().clear();
        Cli.Result recheck = cli().run(fleet.toString(), "--recheck", "--output", "json");
        assertEquals(0, recheck.exit(), recheck.err());
        assertEquals(
                4,
                JSON.readTree(recheck.out())
                        .get("summary")
                        .get("already_enabled")
                        .asInt());
        assertEquals(
                0,
                sandbox.requestLog().exchanges(x -> !x.method().equals("GET")).size(),
                "nothing changed");
    }

    @Test
    void fleet_badFleetFile_exits2_withOneLine_andSendsNothing() throws Exception {
        Path bad = Files.writeString(
                dir.resolve("bad.json"),
                "{\"clusters\": [{\"id\": \"" + IDS.get(0) + "\", \"manifest\": \"m.json\", \"region\": \"x\"}]}");

        Cli.Result r = cli().run(bad.toString());

        assertEquals(2, r.exit(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains("clusters[0]: unknown field \"region\""), r.err());
        assertEquals("", r.out());
        assertEquals(0, sandbox.requestLog().size());
        assertTrue(Files.notExists(dir.resolve("bad.json.state.json")));
    }

    @Test
    void fleet_help_documentsTheFileFormatAndExitCode() {
        Cli.Result r = cli().run("--help");
        assertEquals(0, r.exit());
        assertTrue(
                r.out().contains("\"provision\": true") && r.out().contains("first failed cluster in fleet-file order"),
                r.out());
    }

    @Test
    void fleet_dryRun_checksEveryClusterAndChangesNothing() throws Exception {
        Cli.Result ok = cli().run(fleet.toString(), "--dry-run");
        assertEquals(0, ok.exit(), ok.err());
        assertEquals(
                IDS.size(),
                ok.out()
                        .lines()
                        .filter(l -> l.contains("would enable CMEK on cluster"))
                        .count(),
                ok.out());

        Files.writeString(dir.resolve("cmek_config.json"), "{\"region_specs\": []}");
        Cli.Result bad = cli().run(fleet.toString(), "--dry-run", "-o", "json");
        assertEquals(2, bad.exit(), bad.err());
        JsonNode doc = JSON.readTree(bad.out());
        assertTrue(doc.get("dry_run").booleanValue());
        assertTrue(doc.get("clusters").get(0).get("would").asText().contains("region_specs is empty"), bad.out());
        assertTrue(
                sandbox.requestLog().exchanges().stream()
                        .allMatch(x -> x.method().equals("GET")),
                "nothing but reads");
        assertTrue(!Files.exists(dir.resolve("fleet.json.state.json")), "no state written");
    }
}
