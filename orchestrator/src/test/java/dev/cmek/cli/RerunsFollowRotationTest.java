package dev.cmek.cli;

import static dev.cmek.cli.Cli.ok;
import static dev.cmek.testing.Sandboxes.AWS_CLUSTER;
import static dev.cmek.testing.Sandboxes.GCP_CLUSTER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cmek.aws.testing.MotoServer;
import dev.cmek.sandbox.CloudApiSandbox;
import dev.cmek.sandbox.CloudKeyChecks;
import dev.cmek.sandbox.SandboxConfig;
import dev.cmek.testing.AzureEmulatorFixture;
import dev.cmek.testing.GcpEmulatorFixture;
import dev.cmek.testing.Sandboxes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.regions.Region;

/**
 * An onboarding script re-runs its steps. After each change of keys a cluster goes through (rotate --new-key, rotate
 * --new-version, add-region, a new key for one region only), every command such a script runs, run twice, must land on
 * the keys the cluster uses now: exit 0, the JSON naming those keys, a manifest of those keys, and nothing made. Run as
 * a script runs them: exit code and the JSON document, against moto, the GCP emulator and the sandbox checking keys.
 */
class RerunsFollowRotationTest {
    @RegisterExtension
    static final MotoServer MOTO = MotoServer.create();

    @RegisterExtension
    static final GcpEmulatorFixture GCP = new GcpEmulatorFixture();

    @RegisterExtension
    static final AzureEmulatorFixture AZURE = new AzureEmulatorFixture();

    private static final String AZURE_CLUSTER = "6f1d7a0e-3b2c-4d5e-8f90-a1b2c3d4e5f6";
    private static final String AZURE_APP = "0b7c9d1e-2f3a-4b5c-9d6e-7f8091a2b3c4";

    private static final ObjectMapper JSON = new ObjectMapper();
    private CloudApiSandbox sandbox;

    @TempDir
    Path dir;

    @BeforeEach
    void startSandbox() {
        sandbox = Sandboxes.startCheckingKeys(
                Duration.ofMillis(100),
                CloudKeyChecks.of(
                        Optional.of(CloudKeyChecks.aws(MOTO.rawClients())),
                        Optional.of(CloudKeyChecks.gcp(GCP.emulator()))));
    }

    @AfterEach
    void stopSandbox() {
        Sandboxes.closeConforming(sandbox);
    }

    private Cli cli() {
        return new Cli()
                .api(sandbox)
                .aws(MOTO)
                .gcp(GCP.emulator())
                .env("CMEK_GCP_PROJECT", "acme-keys")
                .azure(AZURE.emulator());
    }

    @Test
    void aws_everyRerun_landsOnTheKeysInUse_afterEachRotationAndANewRegion() throws Exception {
        Path manifest = dir.resolve("cmek_config.json");
        ok(cli().enableProvisioning(AWS_CLUSTER, manifest));
        IntSupplier keys = RerunsFollowRotationTest::awsKeys;

        ok(cli().run("rotate", "--cluster", AWS_CLUSTER, "--new-key"));
        rerunsConverge(AWS_CLUSTER, manifest, keys, Optional.empty(), "after rotate --new-key");

        ok(cli().run("rotate", "--cluster", AWS_CLUSTER, "--new-version"));
        rerunsConverge(AWS_CLUSTER, manifest, keys, Optional.empty(), "after rotate --new-version");

        ok(cli().run("add-region", "--cluster", AWS_CLUSTER, "--region", "eu-west-1", "--nodes", "3", "--provision"));
        rerunsConverge(AWS_CLUSTER, manifest, keys, Optional.of("eu-west-1"), "after add-region");

        ok(cli().run("rotate", "--cluster", AWS_CLUSTER, "--new-key", "--regions", "us-west-2"));
        rerunsConverge(AWS_CLUSTER, manifest, keys, Optional.of("eu-west-1"), "after a new key for us-west-2 only");
    }

    @Test
    void gcp_everyRerun_landsOnTheKeysInUse_afterEachRotationAndANewRegion() throws Exception {
        Path manifest = dir.resolve("cmek_config.json");
        ok(cli().enableProvisioning(GCP_CLUSTER, manifest));
        IntSupplier keys = () -> GCP.emulator().cryptoKeyCount();

        ok(cli().run("rotate", "--cluster", GCP_CLUSTER, "--new-key"));
        rerunsConverge(GCP_CLUSTER, manifest, keys, Optional.empty(), "after rotate --new-key");

        ok(cli().run("rotate", "--cluster", GCP_CLUSTER, "--new-version"));
        rerunsConverge(GCP_CLUSTER, manifest, keys, Optional.empty(), "after rotate --new-version");

        ok(cli().run("add-region", "--cluster", GCP_CLUSTER, "--region", "us-east1", "--nodes", "3", "--provision"));
        rerunsConverge(GCP_CLUSTER, manifest, keys, Optional.of("us-east1"), "after add-region");

        ok(cli().run("rotate", "--cluster", GCP_CLUSTER, "--new-key", "--regions", "us-east1"));
        rerunsConverge(GCP_CLUSTER, manifest, keys, Optional.of("us-east1"), "after a new key for us-east1 only");
    }

    @Test
    void azure_everyRerun_landsOnTheKeysInUse_afterEachRotationAndANewRegion() throws Exception {
        // An organization with one Azure cluster, its keys checked against the Azure emulator as CockroachDB would.
        Sandboxes.closeConforming(sandbox);
        SandboxConfig config = SandboxConfig.parse("""
                {"organization": {"id": "%s", "name": "acme"},
                 "clusters": [{"id": "%s", "name": "orders", "cloud_provider": "AZURE",
                   "azure_cluster_identity_client_id": "%s",
                   "regions": [{"name": "eastus", "node_count": 3}, {"name": "westus2", "node_count": 3}]}]}
                """.formatted(Sandboxes.ORG_ID, AZURE_CLUSTER, AZURE_APP));
        sandbox = CloudApiSandbox.builder()
                .config(config)
                .apiKey(Sandboxes.API_KEY)
                .transitionDelay(Duration.ofMillis(100))
                .build()
                .start();
        sandbox.setKeySpecCheck(CloudKeyChecks.of(
                Optional.empty(), Optional.empty(), Optional.of(CloudKeyChecks.azure(AZURE.emulator()))));
        sandbox.setRejectInaccessibleKeys(true);
        AZURE.registerClusterApps(config);
        Path manifest = dir.resolve("cmek_config.json");
        ok(cli().enableProvisioning(AZURE_CLUSTER, manifest));
        IntSupplier keys = () -> AZURE.emulator().vaults().stream()
                .mapToInt(v -> AZURE.emulator().keys(v.name()).size())
                .sum();

        ok(cli().run("rotate", "--cluster", AZURE_CLUSTER, "--new-key"));
        rerunsConverge(AZURE_CLUSTER, manifest, keys, Optional.empty(), "after rotate --new-key");

        ok(cli().run("rotate", "--cluster", AZURE_CLUSTER, "--new-version"));
        rerunsConverge(AZURE_CLUSTER, manifest, keys, Optional.empty(), "after rotate --new-version");

        ok(cli().run("add-region", "--cluster", AZURE_CLUSTER, "--region", "centralus", "--nodes", "3", "--provision"));
        rerunsConverge(AZURE_CLUSTER, manifest, keys, Optional.of("centralus"), "after add-region");

        ok(cli().run("rotate", "--cluster", AZURE_CLUSTER, "--new-key", "--regions", "westus2"));
        rerunsConverge(AZURE_CLUSTER, manifest, keys, Optional.of("centralus"), "after a new key for westus2 only");
    }

    /**
     * Each command a script re-runs, twice: plan, provision, enable --provision, enable --manifest (and both dry runs),
     * a fleet with the cluster provisioned, add-region again (once one was added), verify and the daily re-wrap.
     */
    private void rerunsConverge(
            String cluster, Path manifest, IntSupplier keyCount, Optional<String> added, String after)
            throws Exception {
        Map<String, JsonNode> live = live(cluster);
        int keys = keyCount.getAsInt();
        Path fleet = dir.resolve("fleet.json");
        Files.writeString(fleet, "{\"clusters\": [{\"id\": \"" + cluster + "\", \"provision\": true}]}");
        for (int run = 1; run <= 2; run++) {
            String when = after + ", run " + run;

            JsonNode plan = json(cli().run("plan", "--cluster", cluster, "-o", "json"));
            assertEquals(live, specs(plan.get("region_specs")), when + ": plan names the keys in use");
            List<String> wouldWrite = new ArrayList<>();
            plan.get("changes").forEach(c -> {
                if (c.get("action").asText().startsWith("WOULD_")) {
                    wouldWrite.add(c.toString());
                }
            });
            assertEquals(List.of(), wouldWrite, when + ": plan would change nothing");

            JsonNode provisioned =
                    json(cli().run("provision", "--cluster", cluster, "--out", manifest.toString(), "-o", "json"));
            assertFalse(provisioned.get("changed").booleanValue(), when + ": " + provisioned);
            assertEquals(live, specs(provisioned.get("region_specs")), when + ": provision");
            assertEquals(live, manifestSpecs(manifest), when + ": the manifest provision wrote");

            JsonNode planned = json(cli().run(
                            "enable",
                            "--cluster",
                            cluster,
                            "--provision",
                            "--out",
                            manifest.toString(),
                            "--dry-run",
                            "-o",
                            "json"));
            assertTrue(planned.get("then").asText().startsWith("nothing to do"), when + ": " + planned);

            JsonNode enabled = json(cli().enableProvisioning(cluster, manifest, "-o", "json"));
            assertEquals("ALREADY_ENABLED", enabled.get("action").asText(), when + ": enable --provision");
            assertEquals(live, manifestSpecs(manifest), when + ": the manifest enable --provision wrote");

            JsonNode dryRun = json(cli().run(
                            "enable",
                            "--cluster",
                            cluster,
                            "--manifest",
                            manifest.toString(),
                            "--dry-run",
                            "-o",
                            "json"));
            assertEquals("NOTHING", dryRun.get("would").asText(), when + ": " + dryRun);
            JsonNode again =
                    json(cli().run("enable", "--cluster", cluster, "--manifest", manifest.toString(), "-o", "json"));
            assertEquals("ALREADY_ENABLED", again.get("action").asText(), when + ": enable --manifest");

            JsonNode fleetRun = json(cli().run("fleet", fleet.toString(), "--recheck", "-o", "json"));
            assertEquals(
                    "ALREADY_ENABLED",
                    fleetRun.get("clusters").get(0).get("outcome").asText(),
                    when + ": " + fleetRun);
            assertEquals(live, manifestSpecs(dir.resolve("cmek_config-" + cluster + ".json")), when + ": fleet");

            if (added.isPresent()) {
                JsonNode region = json(cli().run(
                                "add-region",
                                "--cluster",
                                cluster,
                                "--region",
                                added.get(),
                                "--nodes",
                                "3",
                                "--provision",
                                "-o",
                                "json"));
                assertEquals("REGION_ALREADY_PRESENT", region.get("action").asText(), when + ": add-region");
            }

            JsonNode verify = json(cli().run("verify", "--cluster", cluster, "-o", "json"));
            assertTrue(verify.get("ok").booleanValue(), when + ": " + verify);
            JsonNode rewrap = json(cli().run("rotate", "--cluster", cluster, "--rewrap", "--if-rotated", "-o", "json"));
            assertEquals("NOTHING_ROTATED", rewrap.get("action").asText(), when + ": " + rewrap);
        }
        assertEquals(live, live(cluster), after + ": the re-runs changed no key CockroachDB uses");
        assertEquals(keys, keyCount.getAsInt(), after + ": the re-runs made no key");
    }

    /** The key spec each region uses, from {@code cmek status -o json}. */
    private Map<String, JsonNode> live(String cluster) throws Exception {
        JsonNode status = json(cli().run("status", "--cluster", cluster, "-o", "json"));
        Map<String, JsonNode> out = new TreeMap<>();
        status.get("regions").forEach(r -> out.put(r.get("region").asText(), r.get("key_spec")));
        return out;
    }

    private static Map<String, JsonNode> specs(JsonNode regionSpecs) {
        Map<String, JsonNode> out = new TreeMap<>();
        regionSpecs.forEach(r -> out.put(r.get("region").asText(), r.get("key_spec")));
        return out;
    }

    private static Map<String, JsonNode> manifestSpecs(Path file) throws Exception {
        return specs(JSON.readTree(file.toFile()).get("region_specs"));
    }

    private static JsonNode json(Cli.Result r) throws Exception {
        return JSON.readTree(ok(r).out());
    }

    /** Every key in the Regions the test uses, whatever its alias: a key made twice would show here. */
    private static int awsKeys() {
        int count = 0;
        for (Region region : List.of(Region.US_EAST_1, Region.US_WEST_2, Region.EU_WEST_1)) {
            count += MOTO.rawClients().kms(region).listKeysPaginator().keys().stream()
                    .mapToInt(k -> 1)
                    .sum();
        }
        return count;
    }
}
