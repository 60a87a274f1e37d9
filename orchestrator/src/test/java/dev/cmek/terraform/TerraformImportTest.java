package dev.cmek.terraform;

import static dev.cmek.cli.Cli.ok;
import static dev.cmek.testing.Sandboxes.AWS_CLUSTER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cmek.aws.testing.MotoServer;
import dev.cmek.cli.Cli;
import dev.cmek.sandbox.CloudApiSandbox;
import dev.cmek.testing.Sandboxes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.regions.Region;

/**
 * {@code --import} on AWS: what cmek provisioned is adopted by the exported configuration with no change, applied by
 * the real AWS provider against moto behind its strict stand-in. Skips, saying why, without terraform and the provider's
 * mirror.
 */
class TerraformImportTest {
    @RegisterExtension
    static final MotoServer MOTO = MotoServer.create();

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
        return new Cli().api(sandbox).aws(MOTO);
    }

    @Test
    void keyPerRegion_importAfterProvision_plansOnlyImports_thenNoChanges() throws Exception {
        Terraform tf = Terraform.requireAwsProvider().aws(MOTO);
        ok(cli().run(
                        "provision",
                        "--cluster",
                        AWS_CLUSTER,
                        "--out",
                        dir.resolve("m.json").toString()));
        Path out = dir.resolve("export");
        ok(cli().run("export", "terraform", "--cluster", AWS_CLUSTER, "--out", out.toString(), "--import"));

        Path aws = out.resolve("aws");
        assertEquals(
                Map.of(
                        "aws_iam_role.cmek", "no-op",
                        "aws_kms_key.us_east_1", "no-op",
                        "aws_kms_alias.us_east_1", "no-op",
                        "aws_kms_key.us_west_2", "no-op",
                        "aws_kms_alias.us_west_2", "no-op"),
                importPlan(tf, aws));
        Terraform.Result applied = tf.run(aws, "apply", "-input=false", "-no-color", "tfplan");
        assertEquals(0, applied.exit(), applied.all());
        assertTrue(applied.out().contains("5 imported, 0 added, 0 changed, 0 destroyed"), applied.out());
        Terraform.Result again = tf.run(aws, "plan", "-input=false", "-no-color", "-detailed-exitcode");
        assertEquals(0, again.exit(), "after adoption the plan shows no changes:\n" + again.all());

        JsonNode provision = JSON.readTree(ok(cli().run(
                                "provision",
                                "--cluster",
                                AWS_CLUSTER,
                                "--out",
                                dir.resolve("m2.json").toString(),
                                "-o",
                                "json"))
                .out());
        assertFalse(provision.get("changed").booleanValue(), "adoption changed nothing cmek made: " + provision);
    }

    @Test
    void multiRegionKey_importAfterProvision_plansOnlyImports() throws Exception {
        Terraform tf = Terraform.requireAwsProvider().aws(MOTO);
        ok(cli().run(
                        "provision",
                        "--cluster",
                        AWS_CLUSTER,
                        "--aws-multi-region-key",
                        "--out",
                        dir.resolve("m.json").toString()));
        Path out = dir.resolve("export");
        ok(cli().run(
                        "export",
                        "terraform",
                        "--cluster",
                        AWS_CLUSTER,
                        "--aws-multi-region-key",
                        "--out",
                        out.toString(),
                        "--import"));
        assertEquals(
                Map.of(
                        "aws_iam_role.cmek", "no-op",
                        "aws_kms_key.us_east_1", "no-op",
                        "aws_kms_alias.us_east_1", "no-op",
                        "aws_kms_replica_key.us_west_2", "no-op",
                        "aws_kms_alias.us_west_2", "no-op"),
                importPlan(tf, out.resolve("aws")));
    }

    @Test
    void keysYouBring_importAfterProvision_plansOnlyImports_ofTheRoleAndTheirPolicies() throws Exception {
        Terraform tf = Terraform.requireAwsProvider().aws(MOTO);
        String east = yourKey(Region.US_EAST_1);
        String west = yourKey(Region.US_WEST_2);
        List<String> keys = List.of("--existing-key", "us-east-1=" + east, "--existing-key", "us-west-2=" + west);
        List<String> provision = new ArrayList<>(List.of(
                "provision",
                "--cluster",
                AWS_CLUSTER,
                "--out",
                dir.resolve("m.json").toString()));
        provision.addAll(keys);
        ok(cli().run(provision.toArray(String[]::new)));
        Path out = dir.resolve("export");
        List<String> export = new ArrayList<>(
                List.of("export", "terraform", "--cluster", AWS_CLUSTER, "--out", out.toString(), "--import"));
        export.addAll(keys);
        ok(cli().run(export.toArray(String[]::new)));
        HclReader.Block config = HclReader.directory(out.resolve("aws"));
        for (String label : List.of("us_east_1", "us_west_2")) {
            assertEquals(
                    new HclReader.Ref("true"),
                    config.block("resource", "aws_kms_key_policy", label)
                            .block("lifecycle")
                            .attr("prevent_destroy"),
                    "destroying the policy would put the key's default back, without your statements: " + label);
        }
        assertEquals(
                Map.of(
                        "aws_iam_role.cmek", "no-op",
                        "aws_kms_key_policy.us_east_1", "no-op",
                        "aws_kms_key_policy.us_west_2", "no-op"),
                importPlan(tf, out.resolve("aws")));
    }

    /** A key of the account, with its default policy, made out of band. */
    private static String yourKey(Region region) {
        return MOTO.rawClients()
                .kms(region)
                .createKey(b -> b.description("ours, not cmek's").keyUsage("ENCRYPT_DECRYPT"))
                .keyMetadata()
                .arn();
    }

    /**
     * {@code terraform init} and {@code plan -out=tfplan} in {@code dir}: each resource's planned actions, every one of
     * which must be an import.
     */
    private static Map<String, String> importPlan(Terraform tf, Path dir) throws Exception {
        Terraform.Result fmt = tf.run(dir.getParent(), "fmt", "-check", "-recursive", "-diff", "-no-color");
        assertEquals(0, fmt.exit(), fmt.all());
        Terraform.Result init = tf.init(dir);
        assertEquals(0, init.exit(), init.all());
        Terraform.Result plan = tf.run(dir, "plan", "-input=false", "-no-color", "-out=tfplan");
        assertEquals(0, plan.exit(), plan.all());
        Terraform.Result show = tf.run(dir, "show", "-json", "tfplan");
        assertEquals(0, show.exit(), show.all());
        Map<String, String> actions = new TreeMap<>();
        for (JsonNode c : JSON.readTree(show.out()).path("resource_changes")) {
            assertTrue(c.path("change").has("importing"), "not an import: " + c.path("address") + "\n" + plan.out());
            List<String> a = new ArrayList<>();
            c.path("change").path("actions").forEach(x -> a.add(x.asText()));
            actions.put(c.path("address").asText(), String.join(",", a));
        }
        assertTrue(plan.out().contains("0 to add, 0 to change, 0 to destroy"), plan.out());
        return actions;
    }
}
