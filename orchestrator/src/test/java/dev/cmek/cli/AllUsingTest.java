package dev.cmek.cli;

import static dev.cmek.cli.Cli.exit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cmek.aws.ClusterId;
import dev.cmek.aws.PolicyDocument;
import dev.cmek.aws.ResourceNames;
import dev.cmek.aws.testing.MotoServer;
import dev.cmek.model.CloudProvider;
import dev.cmek.sandbox.CloudApiSandbox;
import dev.cmek.testing.FleetSandboxes;
import dev.cmek.testing.FleetSandboxes.GeneratedCluster;
import dev.cmek.workflow.AccountRevocation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cmek revoke --all-using ACCOUNT} against a generated organization mixing clouds, plans, states and key
 * accounts (the sandbox serves its cluster list in pages), with moto behind the strict stand-in for the one cluster
 * given real keys: only the clusters whose live keys live in the account are revoked, a 429 is ridden out, one
 * failing cluster does not stop the others, a re-run finishes it, and restore takes the index.
 */
class AllUsingTest {
    @RegisterExtension
    static final MotoServer MOTO = MotoServer.create();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ACCOUNT = MotoServer.ACCOUNT.value();
    private static final List<GeneratedCluster> ORG = FleetSandboxes.organization(16, 2);

    private CloudApiSandbox sandbox;

    @TempDir
    Path dir;

    @BeforeEach
    void start() {
        sandbox = FleetSandboxes.startOrganization(ORG, Duration.ofMillis(100));
        sandbox.setClusterPageSizes(5, 5);
    }

    @AfterEach
    void stop() {
        sandbox.close();
    }

    private Cli cli() {
        return new Cli().api(sandbox).aws(MOTO);
    }

    private static List<GeneratedCluster> using(String account) {
        return ORG.stream()
                .filter(c -> c.active()
                        && c.plan().equals("ADVANCED")
                        && c.keyAccount().filter(account::equals).isPresent())
                .toList();
    }

    private Set<String> patched() {
        return sandbox.requestLog().exchanges(x -> x.method().equals("PATCH")).stream()
                .map(x -> x.path().replaceAll(".*/clusters/([^/]+)/cmek", "$1"))
                .collect(Collectors.toSet());
    }

    private static boolean trusts(String clusterId) {
        String role = new ResourceNames(ClusterId.of(clusterId)).roleName();
        return PolicyDocument.parse(MOTO.rawClients()
                        .iam()
                        .getRole(b -> b.roleName(role))
                        .role()
                        .assumeRolePolicyDocument())
                .statements()
                .stream()
                .anyMatch(s -> "Allow".equals(s.path("Effect").asText()));
    }

    @Test
    void allUsing_revokesEveryClusterWhoseKeysLiveThere_ridesA429_andOneFailingClusterDoesNotStopTheOthers()
            throws Exception {
        List<GeneratedCluster> matching = using(ACCOUNT);
        assertTrue(matching.size() >= 3, matching.toString());
        // The first one gets real keys, and CockroachDB is moved to them.
        String real = matching.get(0).id();
        Path m = dir.resolve("m.json");
        exit(0, cli().run("provision", "--cluster", real, "--out", m.toString()));
        exit(0, cli().run("rotate", "--cluster", real, "--manifest", m.toString()));
        assertTrue(trusts(real));
        String failing = matching.get(1).id();
        sandbox.failNextRequests(1, 500, "PATCH", ".*/" + failing + "/cmek");
        sandbox.setRateLimitPerSecond(5);
        sandbox.requestLog().clear();
        Path evidence = dir.resolve("incident");

        Cli.Result r = exit(
                6,
                cli().run(
                                "revoke",
                                "--all-using",
                                ACCOUNT,
                                "--yes",
                                "--parallel",
                                "4",
                                "--timeout",
                                "2m",
                                "--evidence",
                                evidence.toString(),
                                "-o",
                                "json"));

        JsonNode doc = JSON.readTree(r.out());
        assertEquals(
                "cmek revoke --all-using " + ACCOUNT + " --yes --parallel 4 --timeout 2m --evidence " + evidence
                        + " -o json",
                doc.get("next_step").textValue(),
                "the command that finishes keeps every option as given");
        assertEquals(matching.size(), doc.get("clusters").size(), doc.toString());
        for (JsonNode c : doc.get("clusters")) {
            boolean failed = c.get("cluster_id").textValue().equals(failing);
            assertEquals(failed ? 6 : 0, c.get("exit_code").intValue(), c.toString());
            assertEquals(failed ? "FAILED" : "REVOKED", c.get("outcome").textValue(), c.toString());
            assertEquals(
                    "rwx------",
                    PosixFilePermissions.toString(Files.getPosixFilePermissions(
                            Path.of(c.get("evidence").textValue()))),
                    "each cluster's evidence is the responder's alone: " + c);
        }
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(evidence)));
        assertEquals(
                "rw-------",
                PosixFilePermissions.toString(
                        Files.getPosixFilePermissions(evidence.resolve(AccountRevocation.INDEX))));
        assertEquals(
                matching.stream().map(GeneratedCluster::id).collect(Collectors.toSet()),
                patched(),
                "REVOKE went to exactly the clusters whose keys live in " + ACCOUNT);
        assertFalse(
                sandbox.requestLog().exchanges(x -> x.status() == 429).isEmpty(), "the sandbox pushed back with 429");
        assertFalse(trusts(real), "the cluster with real keys lost its trust");
        JsonNode index = JSON.readTree(Files.readString(evidence.resolve(AccountRevocation.INDEX)));
        assertEquals(matching.size(), index.get("clusters").size());
        assertTrue(index.toString().contains("\"FAILED\""), index.toString());
        assertTrue(Files.exists(evidence.resolve(real).resolve("revocation.json")));

        sandbox.setRateLimitPerSecond(10);
        Cli.Result again = exit(
                0,
                cli().run("revoke", "--all-using", ACCOUNT, "--yes", "--evidence", evidence.toString(), "-o", "json"));
        JsonNode second = JSON.readTree(again.out());
        assertTrue(second.toString().contains("revoked completely by an earlier run"), second.toString());

        Cli.Result restored = exit(0, cli().run("restore", "--evidence", evidence.toString()));
        assertTrue(restored.out().contains("restored the grants of cluster " + real), restored.out());
        assertTrue(trusts(real), "restore took the index and put the trust back");
        VerifyAssertions.onlyCockroachStatusFails(cli(), real);
    }

    @Test
    void allUsing_dryRun_listsTheClustersWhoseKeysLiveThere_andSendsNothingButReads() throws Exception {
        List<GeneratedCluster> gcp = using(FleetSandboxes.KEY_PROJECTS_GCP.get(0));
        assertTrue(gcp.stream().allMatch(c -> c.cloud() == CloudProvider.GCP));

        JsonNode doc = JSON.readTree(exit(
                        0,
                        cli().run(
                                        "revoke",
                                        "--all-using",
                                        FleetSandboxes.KEY_PROJECTS_GCP.get(0),
                                        "--dry-run",
                                        "-o",
                                        "json"))
                .out());

        assertEquals(
                gcp.stream().map(GeneratedCluster::id).toList(),
                doc.get("clusters").findValuesAsText("cluster_id"));
        assertTrue(sandbox.requestLog().exchanges().stream()
                .allMatch(x -> x.method().equals("GET")));
        Cli.Result text = exit(0, cli().run("revoke", "--all-using", ACCOUNT, "--dry-run"));
        assertTrue(text.out().startsWith("would revoke " + using(ACCOUNT).size() + " cluster(s)"), text.out());
        for (GeneratedCluster c : using(ACCOUNT)) {
            assertTrue(text.out().contains(c.id()), text.out());
        }
    }

    @Test
    void allUsing_withTheApiDown_changesNothing_andNamesTheOneClusterRevokeThatWorksWithoutIt() throws Exception {
        Path evidence = dir.resolve("incident");
        String down;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            down = "http://127.0.0.1:" + s.getLocalPort();
        }

        Cli.Result r = exit(
                6,
                cli().env("COCKROACH_SERVER", down)
                        .run("revoke", "--all-using", ACCOUNT, "--yes", "--evidence", evidence.toString()));

        assertEquals(1, r.err().lines().filter(l -> l.startsWith("cmek: ")).count(), r.err());
        assertTrue(
                r.err()
                        .contains("nothing was changed; `cmek revoke --cluster ID --yes` removes one cluster's"
                                + " grants without it"),
                r.err());
        assertFalse(Files.exists(evidence), "no index begun for clusters never found");
    }

    @Test
    void allUsing_badInput_isOneLineAndSendsNothing() {
        for (String[] args : List.of(
                new String[] {"revoke", "--all-using", "not an account", "--yes"},
                new String[] {
                    "revoke", "--all-using", ACCOUNT, "--cluster", ORG.get(0).id(), "--yes"
                },
                new String[] {"revoke", "--yes"},
                new String[] {"revoke", "--all-using", ACCOUNT, "--yes", "--cloud-only", "--regions", "us-east-1"})) {
            Cli.Result r = exit(2, cli().run(args));
            assertEquals(1, r.err().lines().count(), r.err());
        }
        assertTrue(sandbox.requestLog().exchanges().isEmpty(), "nothing was sent");
    }

    @Test
    void allUsing_stdoutEntriesCarryTheIndexOutcome_andAClusterRevokedBefore_isAlreadyRevoked() throws Exception {
        List<GeneratedCluster> matching = using(ACCOUNT);
        String earlier = matching.get(0).id();
        exit(
                0,
                cli().run(
                                "revoke",
                                "--cluster",
                                earlier,
                                "--api-only",
                                "--yes",
                                "--evidence",
                                dir.resolve("earlier").toString()));
        Path evidence = dir.resolve("incident");

        Cli.Result r = exit(
                0,
                cli().run(
                                "revoke",
                                "--all-using",
                                ACCOUNT,
                                "--yes",
                                "--timeout",
                                "2m",
                                "--evidence",
                                evidence.toString(),
                                "-o",
                                "json"));

        java.util.Map<String, String> printed = new java.util.TreeMap<>();
        JSON.readTree(r.out())
                .get("clusters")
                .forEach(c -> printed.put(
                        c.get("cluster_id").textValue(), c.get("outcome").textValue()));
        java.util.Map<String, String> indexed = new java.util.TreeMap<>();
        JSON.readTree(evidence.resolve(AccountRevocation.INDEX).toFile())
                .get("clusters")
                .forEach(c -> indexed.put(
                        c.get("cluster_id").textValue(), c.get("outcome").textValue()));
        assertEquals(indexed, printed, "stdout says what index.json says");
        assertEquals(matching.size(), printed.size(), printed.toString());
        assertEquals("ALREADY_REVOKED", printed.get(earlier), printed.toString());
        matching.stream()
                .map(GeneratedCluster::id)
                .filter(id -> !id.equals(earlier))
                .forEach(id -> assertEquals("REVOKED", printed.get(id), id + ": " + printed));
    }
}
