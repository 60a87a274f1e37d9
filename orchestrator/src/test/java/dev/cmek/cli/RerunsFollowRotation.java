package dev.cmek.cli;

import static dev.cmek.cli.Cli.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cmek.aws.testing.MotoServer;
import dev.cmek.sandbox.CloudApiSandbox;
import dev.cmek.sandbox.CloudKeyChecks;
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
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.regions.Region;

/**
 * An onboarding script re-runs its steps. After each change of keys a cluster goes through (rotate --new-key, rotate
 * --new-version, add-region, a new key for one region only), every command such a script runs, run twice, must land on
 * the keys the cluster uses now: exit 0, the JSON naming those keys, a manifest of those keys, and nothing made. Run as
 * a script runs them: exit code and the JSON document, against moto, the GCP emulator and the sandbox checking keys.
 * One class per cloud, so that the test JVMs share them out.
 */
abstract class RerunsFollowRotation {
    @RegisterExtension
    static final MotoServer MOTO = MotoServer.create();

    @RegisterExtension
    static final GcpEmulatorFixture GCP = new GcpEmulatorFixture();

    @RegisterExtension
    static final AzureEmulatorFixture AZURE = new AzureEmulatorFixture();

    static final String AZURE_CLUSTER = "6f1d7a0e-3b2c-4d5e-8f90-a1b2c3d4e5f6";
    static final String AZURE_APP = "0b7c9d1e-2f3a-4b5c-9d6e-7f8091a2b3c4";

    private static final ObjectMapper JSON = new ObjectMapper();
    CloudApiSandbox sandbox;

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

    Cli cli() {
        return new Cli()
                .api(sandbox)
                .aws(MOTO)
                .gcp(GCP.emulator())
                .env("CMEK_GCP_PROJECT", "acme-keys")
                .azure(AZURE.emulator());
    }

    /**
     * Each command a script re-runs, twice: plan, provision, enable --provision, enable --manifest (and both dry runs),
     * a fleet with the cluster provisioned, add-region again (once one was added), verify and the daily re-wrap.
     */
    void rerunsConverge(String cluster, Path manifest, IntSupplier keyCount, Optional<String> added, String after)
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
    static int awsKeys() {
        int count = 0;
        for (Region region : List.of(Region.US_EAST_1, Region.US_WEST_2, Region.EU_WEST_1)) {
            count += MOTO.rawClients().kms(region).listKeysPaginator().keys().stream()
                    .mapToInt(k -> 1)
                    .sum();
        }
        return count;
    }
}
