package dev.cmek.terraform;

import static dev.cmek.testing.Sandboxes.AWS_CLUSTER;
import static dev.cmek.testing.Sandboxes.GCP_CLUSTER;
import static dev.cmek.testing.Sandboxes.STANDARD_CLUSTER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cmek.cli.Cli;
import dev.cmek.sandbox.CloudApiSandbox;
import dev.cmek.sandbox.SandboxConfig;
import dev.cmek.testing.Sandboxes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input to {@code cmek export terraform}: exit 2, one line {@code cmek: ...}, nothing written. */
class ExportTerraformInputTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private CloudApiSandbox sandbox;

    @TempDir
    Path dir;

    @BeforeEach
    void startSandbox() {
        sandbox = Sandboxes.start(Duration.ofMillis(100));
    }

    @AfterEach
    void stopSandbox() {
        Sandboxes.closeConforming(sandbox);
    }

    private Cli cli() {
        return new Cli().api(sandbox).env("CMEK_GCP_PROJECT", "acme-keys");
    }

    /** {@code r} failed with exit 2 and said why on exactly one line of stderr; returns that line. */
    private static String refused(Cli.Result r) {
        assertEquals(2, r.exit(), () -> "stderr: " + r.err() + "\nstdout: " + r.out());
        List<String> lines = r.err().lines().filter(l -> !l.isBlank()).toList();
        assertEquals(1, lines.size(), r.err());
        assertTrue(lines.get(0).startsWith("cmek: "), lines.get(0));
        return lines.get(0);
    }

    @Test
    void unknownCluster_isRefused_andNothingIsWritten() {
        Path out = dir.resolve("export");
        String line = refused(cli().run(
                        "export",
                        "terraform",
                        "--cluster",
                        "00000000-0000-4000-8000-000000000000",
                        "--out",
                        out.toString()));
        assertTrue(line.contains("not found"), line);
        assertFalse(Files.exists(out));
    }

    @Test
    void clusterThatCannotUseCmek_isRefused_andNothingIsWritten() {
        Path out = dir.resolve("export");
        refused(cli().run("export", "terraform", "--cluster", STANDARD_CLUSTER, "--out", out.toString()));
        assertFalse(Files.exists(out));
    }

    @Test
    void azureCluster_withoutTenant_orWithOptionsOfAnotherCloud_isRefused_beforeAzureIsRead() {
        String azureCluster = "6f1d7a0e-3b2c-4d5e-8f90-a1b2c3d4e5f6";
        CloudApiSandbox withAzure = CloudApiSandbox.builder()
                .config(SandboxConfig.parse("""
                        {"organization": {"id": "%s", "name": "acme"},
                         "clusters": [
                           {"id": "%s", "name": "orders", "cloud_provider": "AZURE",
                            "plan": "ADVANCED", "state": "CREATED", "network_visibility": "PRIVATE",
                            "regions": [{"name": "eastus", "node_count": 3}]}
                         ]}
                        """.formatted(Sandboxes.ORG_ID, azureCluster)))
                .apiKey(Sandboxes.API_KEY)
                .build()
                .start();
        try {
            Path out = dir.resolve("export");
            // No Azure tenant or credentials here: bad input, said before Azure is asked anything.
            String noTenant = refused(new Cli()
                    .api(withAzure)
                    .run("export", "terraform", "--cluster", azureCluster, "--out", out.toString(), "--import"));
            assertTrue(noTenant.contains("--azure-tenant"), noTenant);
            String gcpOnAzure = refused(new Cli()
                    .api(withAzure)
                    .run(
                            "export",
                            "terraform",
                            "--cluster",
                            azureCluster,
                            "--out",
                            out.toString(),
                            "--gcp-protection",
                            "HSM"));
            assertTrue(gcpOnAzure.contains("--gcp-protection"), gcpOnAzure);
            assertFalse(Files.exists(out));
            assertTrue(
                    withAzure.requestLog().exchanges().stream()
                            .allMatch(e -> e.method().equals("GET")),
                    "reads only: " + withAzure.requestLog().exchanges());
        } finally {
            Sandboxes.closeConforming(withAzure);
        }
    }

    @Test
    void optionsOfTheOtherCloud_areRefused_beforeAnyCloudIsRead() {
        Path out = dir.resolve("export");
        String gcpOnAws = refused(cli().run(
                        "export",
                        "terraform",
                        "--cluster",
                        AWS_CLUSTER,
                        "--out",
                        out.toString(),
                        "--gcp-project",
                        "p-1234"));
        assertTrue(gcpOnAws.contains("--gcp-project"), gcpOnAws);
        String awsOnGcp = refused(cli().run(
                        "export",
                        "terraform",
                        "--cluster",
                        GCP_CLUSTER,
                        "--out",
                        out.toString(),
                        "--aws-multi-region-key"));
        assertTrue(awsOnGcp.contains("--aws-multi-region-key"), awsOnGcp);
        String period = refused(cli().run(
                        "export",
                        "terraform",
                        "--cluster",
                        AWS_CLUSTER,
                        "--out",
                        out.toString(),
                        "--rotation-period",
                        "30"));
        assertTrue(period.contains("--rotation-period"), period);
        assertFalse(Files.exists(out));
    }

    @Test
    void directoryNotEmpty_withoutForce_isRefused_beforeAnyRequest_andLeftAsItWas() throws Exception {
        Path out = Files.createDirectories(dir.resolve("export"));
        Path mine = Files.writeString(out.resolve("notes.txt"), "mine");
        Cli.Result r =
                cli().run("export", "terraform", "--cluster", AWS_CLUSTER, "--out", out.toString(), "-o", "json");
        String line = refused(r);
        assertTrue(line.contains("--force"), line);
        JsonNode error = JSON.readTree(r.out()).path("error");
        assertEquals(2, error.path("exit_code").asInt(), r.out());
        assertEquals("bad_input", error.path("kind").asText(), r.out());
        try (var files = Files.list(out)) {
            assertEquals(List.of(mine), files.toList());
        }
        assertEquals("mine", Files.readString(mine));
        assertTrue(sandbox.requestLog().exchanges().isEmpty(), "nothing sent");
    }

    @Test
    void outIsAFile_orHasNoParent_isRefused() throws Exception {
        Path file = Files.writeString(dir.resolve("file"), "x");
        refused(cli().run("export", "terraform", "--cluster", AWS_CLUSTER, "--out", file.toString()));
        refused(cli().run(
                        "export",
                        "terraform",
                        "--cluster",
                        AWS_CLUSTER,
                        "--out",
                        dir.resolve("no/such/dir").toString()));
        assertEquals("x", Files.readString(file));
        assertFalse(Files.exists(dir.resolve("no")));
    }

    @Test
    void noApiKey_isRefused_beforeAnythingIsWritten() {
        Path out = dir.resolve("export");
        Cli.Result r = new Cli()
                .env("COCKROACH_SERVER", sandbox.baseUri().toString())
                .run("export", "terraform", "--cluster", AWS_CLUSTER, "--out", out.toString());
        refused(r);
        assertFalse(Files.exists(out));
    }
}
