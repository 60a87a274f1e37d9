package dev.cmek.cli;

import static dev.cmek.testing.Sandboxes.AWS_CLUSTER;
import static dev.cmek.testing.Sandboxes.GCP_CLUSTER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cmek.ExitCode;
import dev.cmek.aws.testing.MotoServer;
import dev.cmek.gcp.emulator.GcpEmulator;
import dev.cmek.model.ManifestCodec;
import dev.cmek.sandbox.CloudApiSandbox;
import dev.cmek.sandbox.CloudKeyChecks;
import dev.cmek.sandbox.SandboxConfig;
import dev.cmek.testing.Sandboxes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.regions.Region;

/**
 * Every check that must come before the first change in a cloud, against moto and the GCP emulator: a cluster that
 * cannot use CMEK, an output path that cannot be written, an option of the other cloud, a key of another region.
 * Each is exit 2 with a one-line reason, and afterwards moto and the emulator hold nothing. Also the JSON of the
 * commands that need a cloud (verify, revoke, restore) is snake_case, and a write through a link keeps the link.
 */
class ChecksBeforeChangesTest {
    @RegisterExtension
    static final MotoServer MOTO = MotoServer.create();

    private static final ObjectMapper JSON = new ObjectMapper();
    static final String PUBLIC_CLUSTER = "22222222-3333-4444-8555-666666666666";
    static final String CREATING_CLUSTER = "33333333-4444-4555-8666-777777777777";
    static final String STANDARD_GCP_CLUSTER = "44444444-5555-4666-8777-888888888888";

    private static GcpEmulator gcp;
    private CloudApiSandbox sandbox;

    @TempDir
    Path dir;

    @BeforeAll
    static void startGcp() {
        gcp = GcpEmulator.start(0);
    }

    @AfterAll
    static void stopGcp() {
        gcp.close();
    }

    @BeforeEach
    void startSandbox() {
        gcp.reset();
        String extra = """
                ,{"id": "%s", "name": "public", "cloud_provider": "AWS", "account_id": "%s", "plan": "ADVANCED",
                  "state": "CREATED", "network_visibility": "PUBLIC", "regions": [{"name": "us-east-1", "node_count": 3}]},
                 {"id": "%s", "name": "creating", "cloud_provider": "AWS", "account_id": "%s", "plan": "ADVANCED",
                  "state": "CREATING", "network_visibility": "PRIVATE", "regions": [{"name": "us-east-1", "node_count": 3}]},
                 {"id": "%s", "name": "small-gcp", "cloud_provider": "GCP", "account_id": "%s", "plan": "STANDARD",
                  "state": "CREATED", "regions": [{"name": "us-central1", "node_count": 3}]}
                """.formatted(
                        PUBLIC_CLUSTER,
                        Sandboxes.AWS_ACCOUNT,
                        CREATING_CLUSTER,
                        Sandboxes.AWS_ACCOUNT,
                        STANDARD_GCP_CLUSTER,
                        Sandboxes.GCP_ACCOUNT);
        String config = Sandboxes.CONFIG.substring(0, Sandboxes.CONFIG.lastIndexOf(']')) + extra + "]}";
        sandbox = CloudApiSandbox.builder()
                .config(SandboxConfig.parse(config))
                .apiKey(Sandboxes.API_KEY)
                .transitionDelay(Duration.ofMillis(100))
                .build()
                .start();
        sandbox.setKeySpecCheck(CloudKeyChecks.of(
                Optional.of(CloudKeyChecks.aws(MOTO.clients())), Optional.of(CloudKeyChecks.gcp(gcp))));
        sandbox.setRejectInaccessibleKeys(true);
    }

    @AfterEach
    void stopSandbox() {
        sandbox.close();
    }

    private Cli cli() {
        return new Cli().api(sandbox).aws(MOTO).gcp(gcp).env("CMEK_GCP_PROJECT", "acme-keys");
    }

    /** Runs, expects exit 2 with {@code reason} in the one error line, and nothing made in either cloud. */
    private void refusedBeforeAnyChange(String reason, String... args) throws Exception {
        Cli.Result r = cli().run(args);
        assertEquals(2, r.exit(), () -> String.join(" ", args) + "\nstderr: " + r.err());
        assertTrue(r.err().contains(reason), r.err());
        CliContractTest.assertNoClassNames(r);
        assertEquals(0, roles(), "no role made by " + String.join(" ", args));
        assertEquals(0, ourKeys(), "no key made by " + String.join(" ", args));
        assertEquals(0, gcp.cryptoKeyCount(), "no GCP key made by " + String.join(" ", args));
        assertEquals(0, gcp.serviceAccountCount(), "no service account made by " + String.join(" ", args));
        assertTrue(
                sandbox.requestLog().exchanges().stream()
                        .allMatch(x -> x.method().equals("GET")),
                "nothing but reads sent to the API");
    }

    @Test
    void planAndProvision_ofAClusterThatCannotUseCmek_makeNothing() throws Exception {
        String out = dir.resolve("m.json").toString();
        refusedBeforeAnyChange(
                "on the STANDARD plan (CMEK needs ADVANCED)",
                "provision",
                "--cluster",
                Sandboxes.STANDARD_CLUSTER,
                "--out",
                out);
        refusedBeforeAnyChange("on the STANDARD plan", "plan", "--cluster", Sandboxes.STANDARD_CLUSTER);
        refusedBeforeAnyChange(
                "on the STANDARD plan", "enable", "--cluster", Sandboxes.STANDARD_CLUSTER, "--provision", "--out", out);
        refusedBeforeAnyChange(
                "network visibility is PUBLIC (CMEK needs a PRIVATE cluster)",
                "provision",
                "--cluster",
                PUBLIC_CLUSTER,
                "--out",
                out);
        refusedBeforeAnyChange(
                "its state is CREATING (CMEK needs CREATED: wait for it and run this again)",
                "provision",
                "--cluster",
                CREATING_CLUSTER,
                "--out",
                out);
        refusedBeforeAnyChange("on the STANDARD plan", "provision", "--cluster", STANDARD_GCP_CLUSTER, "--out", out);
        Path fleet = Files.writeString(
                dir.resolve("fleet.json"),
                "{\"clusters\": [{\"id\": \"" + Sandboxes.STANDARD_CLUSTER + "\", \"provision\": true}]}");
        Cli.Result r = cli().run("fleet", fleet.toString(), "-o", "json");
        assertEquals(2, r.exit(), r.err());
        assertTrue(JSON.readTree(r.out())
                .get("clusters")
                .get(0)
                .get("message")
                .textValue()
                .contains("cannot use CMEK"));
        assertEquals(0, roles());
        assertEquals(0, ourKeys());
        assertFalse(Files.exists(Path.of(out)));
    }

    @Test
    void provision_toAPathThatCannotBeWritten_makesNothing() throws Exception {
        Path directory = Files.createDirectories(dir.resolve("a-directory"));
        refusedBeforeAnyChange(
                "is a directory; give a file name",
                "provision",
                "--cluster",
                AWS_CLUSTER,
                "--out",
                directory.toString());
        refusedBeforeAnyChange(
                "cannot create files in /proc", "provision", "--cluster", AWS_CLUSTER, "--out", "/proc/x");
        refusedBeforeAnyChange(
                "does not exist; create it first",
                "provision",
                "--cluster",
                GCP_CLUSTER,
                "--out",
                dir.resolve("missing/parent/m.json").toString());
        refusedBeforeAnyChange(
                "is not a regular file", "enable", "--cluster", AWS_CLUSTER, "--provision", "--out", "/dev/null");
        assertTrue(Files.exists(Path.of("/dev/null")) && !Files.isRegularFile(Path.of("/dev/null")));
    }

    @Test
    void optionsOfTheOtherCloud_andKeysOfAnotherRegion_areRefusedBeforeAnythingIsMade() throws Exception {
        String out = dir.resolve("m.json").toString();
        refusedBeforeAnyChange(
                "the cluster is on AWS: --gcp-protection applies only to GCP clusters",
                "provision",
                "--cluster",
                AWS_CLUSTER,
                "--gcp-protection",
                "HSM",
                "--out",
                out);
        refusedBeforeAnyChange(
                "--gcp-key-location, --gcp-project apply only to GCP clusters",
                "plan",
                "--cluster",
                AWS_CLUSTER,
                "--gcp-key-location",
                "global",
                "--gcp-project",
                "acme-keys");
        refusedBeforeAnyChange(
                "the cluster is on GCP: --aws-multi-region-key applies only to AWS clusters",
                "enable",
                "--cluster",
                GCP_CLUSTER,
                "--provision",
                "--aws-multi-region-key",
                "--out",
                out);
        refusedBeforeAnyChange(
                "the cluster is on GCP: --aws-cross-region-keys applies only to AWS clusters",
                "provision",
                "--cluster",
                GCP_CLUSTER,
                "--aws-cross-region-keys",
                "--out",
                out);
        refusedBeforeAnyChange(
                "is a key in us-east-1, not in us-west-2",
                "provision",
                "--cluster",
                AWS_CLUSTER,
                "--existing-key",
                "us-west-2=arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
                "--out",
                out);
    }

    @Test
    void provision_throughASymbolicLink_writesTheTarget_andKeepsTheLink() throws Exception {
        Path target = dir.resolve("configs/cmek_config.json");
        Files.createDirectories(target.getParent());
        Path link = Files.createSymbolicLink(dir.resolve("current.json"), Path.of("configs/cmek_config.json"));
        Cli.Result r = cli().run("provision", "--cluster", AWS_CLUSTER, "--out", link.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(Files.isSymbolicLink(link), "the link is still a link");
        assertEquals(
                List.of("us-east-1", "us-west-2"), ManifestCodec.read(target).regions());
        try (var files = Files.list(target.getParent())) {
            assertEquals(List.of(target), files.toList(), "no temporary file left behind");
        }
    }

    @Test
    void aws_verifyRevokeRestore_speakSnakeCase_andFailuresCarryTheErrorObject() throws Exception {
        Path manifest = dir.resolve("cmek_config.json");
        assertEquals(0, cli().enableProvisioning(AWS_CLUSTER, manifest).exit());
        Cli.Result verified = cli().run("verify", "--cluster", AWS_CLUSTER, "-o", "json");
        assertEquals(0, verified.exit(), verified.err());
        JsonNode ok = JSON.readTree(verified.out());
        assertTrue(ok.get("ok").booleanValue() && ok.has("principal_findings"), ok.toString());
        CliContractTest.assertSnakeCase(ok, "verify");

        Cli.Result badEvidence =
                cli().run("revoke", "--cluster", AWS_CLUSTER, "--yes", "--evidence", "/proc/evidence", "-o", "json");
        assertEquals(2, badEvidence.exit(), badEvidence.err());
        CliContractTest.assertErrorDocument(badEvidence, ExitCode.BAD_INPUT);
        assertEquals(0, cli().run("verify", "--cluster", AWS_CLUSTER).exit(), "no grant was removed");

        Path evidence = dir.resolve("incident");
        Cli.Result revoked =
                cli().run("revoke", "--cluster", AWS_CLUSTER, "--yes", "--evidence", evidence.toString(), "-o", "json");
        assertEquals(0, revoked.exit(), revoked.err());
        CliContractTest.assertSnakeCase(JSON.readTree(revoked.out()), "revoke");

        Cli.Result broken = cli().run("verify", "--cluster", AWS_CLUSTER, "-o", "json");
        assertEquals(7, broken.exit(), broken.err());
        JsonNode findings = CliContractTest.assertErrorDocument(broken, ExitCode.VERIFY_FAILED);
        assertTrue(findings.get("message").textValue().contains("verification found"), findings.toString());
        assertFalse(JSON.readTree(broken.out()).get("ok").booleanValue());

        Cli.Result restored = cli().run("restore", "--evidence", evidence.toString(), "-o", "json");
        assertEquals(0, restored.exit(), restored.err());
        JsonNode doc = JSON.readTree(restored.out());
        CliContractTest.assertSnakeCase(doc, "restore");
        assertTrue(doc.get("verify").has("principal_findings"), doc.toString());
        assertFalse(doc.get("verify").has("principalFindings"), doc.toString());
    }

    @Test
    void restore_needsNoApiKey() throws Exception {
        Path manifest = dir.resolve("cmek_config.json");
        assertEquals(0, cli().enableProvisioning(AWS_CLUSTER, manifest).exit());
        Path evidence = dir.resolve("incident");
        assertEquals(
                0,
                cli().run("revoke", "--cluster", AWS_CLUSTER, "--yes", "--evidence", evidence.toString())
                        .exit());
        Cli.Result restored = new Cli()
                .env("AWS_ENDPOINT_URL", MOTO.endpoint().toString())
                .env("AWS_ACCESS_KEY_ID", MotoServer.ACCESS_KEY_ID)
                .env("AWS_SECRET_ACCESS_KEY", MotoServer.SECRET_ACCESS_KEY)
                .env("AWS_SESSION_TOKEN", MotoServer.SESSION_TOKEN)
                .run("restore", "--evidence", evidence.toString());
        assertEquals(0, restored.exit(), restored.err());
        VerifyResults.grantsBackButCockroachStillRevoked(cli().run("verify", "--cluster", AWS_CLUSTER, "-o", "json"));
    }

    private static int roles() {
        return (int) MOTO.clients().iam().listRolesPaginator().roles().stream()
                .filter(r -> r.roleName().startsWith("crdb-cmek-"))
                .count();
    }

    private static int ourKeys() {
        int count = 0;
        for (Region region : List.of(Region.US_EAST_1, Region.US_WEST_2)) {
            count += (int) MOTO.clients().kms(region).listKeysPaginator().keys().stream()
                    .count();
        }
        return count;
    }
}
