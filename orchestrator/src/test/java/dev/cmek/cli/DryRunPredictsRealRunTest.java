package dev.cmek.cli;

import static dev.cmek.cli.Cli.exit;
import static dev.cmek.cli.Cli.ok;
import static dev.cmek.testing.Sandboxes.AWS_CLUSTER;
import static dev.cmek.testing.Sandboxes.STANDARD_CLUSTER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cmek.aws.testing.MotoServer;
import dev.cmek.testing.CheckingSandbox;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.regions.Region;

/**
 * A dry run asks every question the real run asks, CMEK status included, and exits with the real run's code; so does
 * {@code manifest validate --cluster} for the command the manifest is for. Each situation runs the dry run (and the
 * validation) first, then the real run, as a script that checks before it acts would, and compares exit codes and the
 * JSON error.
 */
class DryRunPredictsRealRunTest {
    @RegisterExtension
    static final MotoServer MOTO = MotoServer.create();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String EU_KEY = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

    @RegisterExtension
    final CheckingSandbox api = CheckingSandbox.aws(MOTO);

    @TempDir
    Path dir;

    private Cli cli() {
        return api.cli();
    }

    @Test
    void enableWithAManifest_dryRunAndValidate_exitAsTheRealEnable_inEachCmekState() throws Exception {
        Path manifest = dir.resolve("cmek_config.json");
        ok(cli().run("provision", "--cluster", AWS_CLUSTER, "--out", manifest.toString()));
        Path partial = dir.resolve("one-region.json");
        JsonNode full = JSON.readTree(manifest.toFile());
        ((com.fasterxml.jackson.databind.node.ArrayNode) full.get("region_specs")).remove(1);
        Files.writeString(partial, full.toString());

        // CMEK DISABLED, a manifest missing a region: all three refuse it.
        predicts(2, partial, "enable", "--cluster", AWS_CLUSTER, "--manifest", partial.toString());
        // CMEK DISABLED, the manifest fits: all three go ahead (and the real run enables).
        predicts(0, manifest, "enable", "--cluster", AWS_CLUSTER, "--manifest", manifest.toString());
        // ENABLED with these keys: nothing to do, exit 0 all three.
        predicts(0, manifest, "enable", "--cluster", AWS_CLUSTER, "--manifest", manifest.toString());

        ok(cli().run("rotate", "--cluster", AWS_CLUSTER, "--new-key"));
        // ENABLED with other keys (the manifest is a generation old): all three refuse it, exit 2.
        JsonNode refused = predicts(2, manifest, "enable", "--cluster", AWS_CLUSTER, "--manifest", manifest.toString());
        assertTrue(refused.get("error").get("message").asText().contains("already ENABLED"), refused.toString());

        // A cluster that cannot use CMEK at all.
        predicts(2, manifest, "enable", "--cluster", STANDARD_CLUSTER, "--manifest", manifest.toString());
    }

    @Test
    void rotateAndAddRegionWithAManifest_onAClusterWithoutCmek_dryRunRefusesAsTheRealRunDoes() throws Exception {
        Path manifest = dir.resolve("cmek_config.json");
        ok(cli().run("provision", "--cluster", AWS_CLUSTER, "--out", manifest.toString()));
        predicts(2, manifest, "rotate", "--cluster", AWS_CLUSTER, "--manifest", manifest.toString());

        Path eu = dir.resolve("eu.json");
        Files.writeString(
                eu,
                "{\"region_specs\": [{\"region\": \"eu-west-1\", \"key_spec\": {\"type\": \"AWS_KMS\", \"uri\": \""
                        + EU_KEY + "\", \"auth_principal\": \"arn:aws:iam::111122223333:role/r\"}}]}");
        JsonNode refused = predicts(
                2,
                eu,
                "add-region",
                "--cluster",
                AWS_CLUSTER,
                "--region",
                "eu-west-1",
                "--nodes",
                "3",
                "--manifest",
                eu.toString());
        assertTrue(refused.get("error").get("message").asText().contains("DISABLED"), refused.toString());
        assertEquals(
                List.of(),
                api.sandbox().requestLog().exchanges(x -> !x.method().equals("GET")),
                "nothing but reads was sent");
    }

    @Test
    void fleet_dryRun_exitsAsTheRealRun_forAManifestAGenerationOld() throws Exception {
        Path manifest = dir.resolve("cmek_config.json");
        ok(cli().enableProvisioning(AWS_CLUSTER, manifest));
        ok(cli().run("rotate", "--cluster", AWS_CLUSTER, "--new-key"));
        Path fleet = dir.resolve("fleet.json");
        Files.writeString(
                fleet, "{\"clusters\": [{\"id\": \"" + AWS_CLUSTER + "\", \"manifest\": \"cmek_config.json\"}]}");

        JsonNode dry = json(exit(2, cli().run("fleet", fleet.toString(), "--dry-run", "-o", "json")));
        JsonNode real = json(exit(2, cli().run("fleet", fleet.toString(), "-o", "json")));
        assertEquals(2, dry.get("clusters").get(0).get("exit_code").asInt(), dry.toString());
        assertEquals(2, real.get("clusters").get(0).get("exit_code").asInt(), real.toString());
        assertTrue(dry.get("error").get("message").asText().contains(AWS_CLUSTER), dry.toString());
    }

    @Test
    void enableProvisioning_onAClusterUsingKeysItDidNotMake_refusesInTheDryRunAndBeforeMakingAnyKey() throws Exception {
        // The cluster runs on keys the customer brought (cmek only granted its role on them).
        String east = broughtKey(Region.US_EAST_1);
        String west = broughtKey(Region.US_WEST_2);
        Path brought = dir.resolve("brought.json");
        ok(cli().run(
                        "provision",
                        "--cluster",
                        AWS_CLUSTER,
                        "--existing-key",
                        "us-east-1=" + east,
                        "--existing-key",
                        "us-west-2=" + west,
                        "--out",
                        brought.toString()));
        ok(cli().run("enable", "--cluster", AWS_CLUSTER, "--manifest", brought.toString()));
        int keys = awsKeys();
        Path out = dir.resolve("cmek_config.json");

        JsonNode dry = json(exit(
                2,
                cli().run(
                                "enable",
                                "--cluster",
                                AWS_CLUSTER,
                                "--provision",
                                "--out",
                                out.toString(),
                                "--dry-run",
                                "-o",
                                "json")));
        JsonNode real = json(exit(2, cli().enableProvisioning(AWS_CLUSTER, out, "-o", "json")));
        assertEquals(dry.get("error").get("message"), real.get("error").get("message"));
        assertEquals(keys, awsKeys(), "no key was made for a run that was going to be refused");
        assertFalse(Files.exists(out), "no manifest of keys the cluster does not use");

        Path fleet = dir.resolve("fleet.json");
        Files.writeString(fleet, "{\"clusters\": [{\"id\": \"" + AWS_CLUSTER + "\", \"provision\": true}]}");
        exit(2, cli().run("fleet", fleet.toString(), "--dry-run", "-o", "json"));
        exit(2, cli().run("fleet", fleet.toString(), "-o", "json"));
        assertEquals(keys, awsKeys(), "nor by the fleet");
    }

    /**
     * Runs {@code args} with {@code --dry-run}, then {@code manifest validate} of {@code manifest} for the same purpose,
     * then {@code args} for real: all three must exit {@code expected}. Returns the real run's JSON.
     */
    private JsonNode predicts(int expected, Path manifest, String... args) throws Exception {
        List<String> dry = new ArrayList<>(Arrays.asList(args));
        dry.addAll(List.of("--dry-run", "-o", "json"));
        JsonNode dryRun = json(exit(expected, cli().run(dry.toArray(String[]::new))));
        String purpose = args[0].equals("add-region") ? "add_region" : args[0];
        String cluster = args[Arrays.asList(args).indexOf("--cluster") + 1];
        json(exit(
                expected,
                cli().run(
                                "manifest",
                                "validate",
                                manifest.toString(),
                                "--cluster",
                                cluster,
                                "--for",
                                purpose,
                                "-o",
                                "json")));
        List<String> real = new ArrayList<>(Arrays.asList(args));
        real.addAll(List.of("-o", "json"));
        JsonNode result = json(exit(expected, cli().run(real.toArray(String[]::new))));
        if (expected != 0) {
            assertEquals(result.get("error").get("message"), dryRun.get("error").get("message"));
        }
        return result;
    }

    private static JsonNode json(Cli.Result r) throws Exception {
        return JSON.readTree(r.out());
    }

    private static String broughtKey(Region region) {
        return MOTO.rawClients()
                .kms(region)
                .createKey(b -> b.description("brought"))
                .keyMetadata()
                .arn();
    }

    private static int awsKeys() {
        int count = 0;
        for (Region region : List.of(Region.US_EAST_1, Region.US_WEST_2)) {
            count += MOTO.rawClients().kms(region).listKeysPaginator().keys().stream()
                    .mapToInt(k -> 1)
                    .sum();
        }
        return count;
    }
}
