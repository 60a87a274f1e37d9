package dev.cmek.cli;

import static dev.cmek.testing.Sandboxes.AWS_CLUSTER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cmek.aws.testing.MotoServer;
import dev.cmek.model.Manifest;
import dev.cmek.model.ManifestCodec;
import dev.cmek.model.RegionSpec;
import dev.cmek.sandbox.CloudApiSandbox;
import dev.cmek.sandbox.CloudKeyChecks;
import dev.cmek.testing.Sandboxes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.regions.Region;

/**
 * One AWS key serving regions other than its own. CockroachDB's AWS page allows it ("You can provide the same key for
 * all your cluster regions, a different key per region, or any mapping of keys to regions you may choose",
 * https://www.cockroachlabs.com/docs/cockroachcloud/cmek-ops-aws); we refuse it by default (a key ARN pasted for the
 * wrong region is the likelier case) and take it with {@code --aws-cross-region-keys}. Against moto behind the
 * strict stand-in and the sandbox, which reads the key back before accepting a spec.
 */
class CrossRegionKeysTest {
    @RegisterExtension
    static final MotoServer MOTO = MotoServer.create();

    private static final ObjectMapper JSON = new ObjectMapper();

    private CloudApiSandbox sandbox;

    @TempDir
    Path dir;

    @BeforeEach
    void startSandbox() {
        sandbox = Sandboxes.startCheckingKeys(
                Duration.ofMillis(100),
                CloudKeyChecks.of(Optional.of(CloudKeyChecks.aws(MOTO.clients())), Optional.empty()));
    }

    @AfterEach
    void stopSandbox() {
        Sandboxes.closeConforming(sandbox);
    }

    private Cli cli() {
        return new Cli().api(sandbox).aws(MOTO);
    }

    /** {@code provision} with one us-east-1 key for both of the cluster's regions, plus {@code more}. */
    private Cli.Result provisionWithOneKey(String key, Path out, String... more) {
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of(
                "provision",
                "--cluster",
                AWS_CLUSTER,
                "--existing-key",
                "us-east-1=" + key,
                "--existing-key",
                "us-west-2=" + key,
                "--out",
                out.toString()));
        args.addAll(java.util.List.of(more));
        return cli().run(args.toArray(String[]::new));
    }

    /**
     * A key of the user's in us-east-1, with automatic rotation on, as a customer's hardened key would be; made straight
     * in moto, long before the run (the stand-in's new-key window is for keys the run itself makes).
     */
    private String eastKey() {
        String arn = MOTO.rawClients()
                .kms(Region.US_EAST_1)
                .createKey(b -> b.description("the customer's own key"))
                .keyMetadata()
                .arn();
        MOTO.rawClients().kms(Region.US_EAST_1).enableKeyRotation(b -> b.keyId(arn));
        return arn;
    }

    @Test
    void provision_oneEastKeyForBothRegions_isRefusedByDefault_andNothingIsMade() {
        String east = eastKey();
        Path out = dir.resolve("cmek_config.json");
        Cli.Result r = provisionWithOneKey(east, out);
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("is a key in us-east-1, not in us-west-2"), r.err());
        assertTrue(r.err().contains("--aws-cross-region-keys"), "the refusal names the way through: " + r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(Files.notExists(out));
        assertEquals(0, MOTO.clients().iam().listRoles().roles().size(), "no role made before the refusal");
    }

    @Test
    void provisionAndEnable_oneEastKeyForBothRegions_withTheOptIn_grantsOnceAndEnables() throws Exception {
        String east = eastKey();
        Path out = dir.resolve("cmek_config.json");
        Cli.Result provisioned = provisionWithOneKey(east, out, "--aws-cross-region-keys");
        assertEquals(0, provisioned.exit(), provisioned.err());
        Manifest manifest = ManifestCodec.read(out);
        assertEquals(
                java.util.List.of(east, east),
                manifest.regionSpecs().stream().map(s -> s.keySpec().uri()).toList());

        assertEquals(1, roleGrants(east), "one grant on the shared key, not one per region");

        Cli.Result refused = cli().run("enable", "--cluster", AWS_CLUSTER, "--manifest", out.toString());
        assertEquals(2, refused.exit(), "the manifest is refused without the opt-in: " + refused.err());
        assertTrue(refused.err().contains("--aws-cross-region-keys"), refused.err());

        Cli.Result enabled = cli().run(
                        "enable",
                        "--cluster",
                        AWS_CLUSTER,
                        "--manifest",
                        out.toString(),
                        "--aws-cross-region-keys",
                        "-o",
                        "json");
        assertEquals(0, enabled.exit(), enabled.err());
        assertEquals("ENABLED", JSON.readTree(enabled.out()).path("status").asText(), enabled.out());
        Cli.Result again =
                cli().run("enable", "--cluster", AWS_CLUSTER, "--manifest", out.toString(), "--aws-cross-region-keys");
        assertEquals(0, again.exit(), "a re-run changes nothing: " + again.err());

        Cli.Result verified = cli().run("verify", "--cluster", AWS_CLUSTER, "-o", "json");
        assertEquals(0, verified.exit(), "the key is read in its own region for both: " + verified.out());

        Path evidence = dir.resolve("evidence");
        Cli.Result revoked = cli().run("revoke", "--cluster", AWS_CLUSTER, "--yes", "--evidence", evidence.toString());
        assertEquals(0, revoked.exit(), revoked.err());
        assertEquals(0, roleGrants(east), "the shared key's grant is gone");
        Cli.Result restored = cli().run("restore", "--evidence", evidence.toString());
        assertEquals(0, restored.exit(), restored.err());
        assertEquals(1, roleGrants(east), "and back, once");
    }

    private static long roleGrants(String key) throws Exception {
        JsonNode policy = JSON.readTree(MOTO.rawClients()
                .kms(Region.US_EAST_1)
                .getKeyPolicy(b -> b.keyId(key).policyName("default"))
                .policy());
        long grants = 0;
        for (JsonNode s : policy.path("Statement")) {
            if (s.path("Principal").path("AWS").asText().contains(":role/")) {
                grants++;
            }
        }
        return grants;
    }

    @Test
    void manifestValidateAndBuild_crossRegionKey_refusedByDefault_acceptedWithTheOptIn() throws Exception {
        String east = eastKey();
        String role = "arn:aws:iam::" + MotoServer.ACCOUNT + ":role/crdb-cmek-shared";
        Path file = dir.resolve("m.json");
        ManifestCodec.write(
                file,
                new Manifest(java.util.List.of(new RegionSpec(
                        "us-west-2", new dev.cmek.model.KeySpec(dev.cmek.model.KeyType.AWS_KMS, east, role)))));

        Cli.Result refused = cli().run("manifest", "validate", file.toString());
        assertEquals(2, refused.exit(), refused.err());
        assertTrue(refused.err().contains("is a key in us-east-1, not in us-west-2"), refused.err());
        assertEquals(
                0,
                cli().run("manifest", "validate", file.toString(), "--aws-cross-region-keys")
                        .exit());

        Cli.Result buildRefused =
                cli().run("manifest", "build", "--region", "us-west-2", "--uri", east, "--principal", role);
        assertEquals(2, buildRefused.exit(), buildRefused.err());
        Cli.Result built = cli().run(
                        "manifest",
                        "build",
                        "--region",
                        "us-west-2",
                        "--uri",
                        east,
                        "--principal",
                        role,
                        "--aws-cross-region-keys");
        assertEquals(0, built.exit(), built.err());
        assertTrue(built.out().contains(east), built.out());
    }
}
