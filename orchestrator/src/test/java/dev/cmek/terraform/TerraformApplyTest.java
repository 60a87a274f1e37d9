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
import dev.cmek.core.Change;
import dev.cmek.model.ManifestCodec;
import dev.cmek.testing.CheckingSandbox;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * What Terraform makes from an export is cmek's own: the real AWS provider applies the export to moto (behind its strict
 * stand-in), then cmek's plan and provision find everything made, enable submits the outputs' key specs (which the
 * sandbox checks in moto as CockroachDB would) and every control of verify passes. Skips, saying why, without terraform
 * and the provider's mirror.
 */
class TerraformApplyTest {
    @RegisterExtension
    static final MotoServer MOTO = MotoServer.create();

    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    final CheckingSandbox api = CheckingSandbox.aws(MOTO);

    @TempDir
    Path dir;

    private Cli cli() {
        return api.cli();
    }

    @Test
    void terraformMadeKeys_provisionMakesNothing_enableAndVerifyPass() throws Exception {
        Terraform tf = Terraform.requireAwsProvider().aws(MOTO);
        Path out = dir.resolve("export");
        ok(cli().run("export", "terraform", "--cluster", AWS_CLUSTER, "--out", out.toString()));
        Path aws = out.resolve("aws");
        Terraform.Result init = tf.init(aws);
        assertEquals(0, init.exit(), init.all());
        Terraform.Result apply = tf.run(aws, "apply", "-input=false", "-no-color", "-auto-approve");
        assertEquals(0, apply.exit(), apply.all());
        assertTrue(apply.out().contains("5 added, 0 changed, 0 destroyed"), apply.out());
        JsonNode outputs = JSON.readTree(tf.run(aws, "output", "-json").out());
        String role = outputs.path("auth_principal").path("value").asText();
        Map<String, String> uris = new LinkedHashMap<>();
        outputs.path("key_uris")
                .path("value")
                .fields()
                .forEachRemaining(f -> uris.put(f.getKey(), f.getValue().asText()));
        assertEquals(List.of("us-east-1", "us-west-2"), List.copyOf(uris.keySet()));

        JsonNode plan = JSON.readTree(
                ok(cli().run("plan", "--cluster", AWS_CLUSTER, "-o", "json")).out());
        for (JsonNode c : plan.path("changes")) {
            assertEquals(Change.Action.UNCHANGED.name(), c.path("action").asText(), "cmek plan over Terraform's: " + c);
        }
        Path manifest = dir.resolve("cmek_config.json");
        JsonNode provision = JSON.readTree(
                ok(cli().run("provision", "--cluster", AWS_CLUSTER, "--out", manifest.toString(), "-o", "json"))
                        .out());
        assertFalse(provision.get("changed").booleanValue(), "provision over Terraform's made nothing: " + provision);
        for (JsonNode spec : provision.path("region_specs")) {
            String region = spec.path("region").asText();
            assertEquals(uris.get(region), spec.path("key_spec").path("uri").asText(), region);
            assertEquals(role, spec.path("key_spec").path("auth_principal").asText(), region);
        }

        // The outputs are the key specs: a manifest built from them is the one provision wrote.
        List<String> build = new ArrayList<>(List.of("manifest", "build"));
        outputs.path("cmek_regions")
                .path("value")
                .forEach(r -> build.addAll(List.of(
                        "--region",
                        r.path("region").asText(),
                        "--uri",
                        r.path("key").path("uri").asText(),
                        "--principal",
                        r.path("key").path("auth_principal").asText())));
        Path fromOutputs = dir.resolve("from_outputs.json");
        build.addAll(List.of("--out", fromOutputs.toString()));
        ok(cli().run(build.toArray(String[]::new)));
        assertEquals(ManifestCodec.read(manifest), ManifestCodec.read(fromOutputs));

        ok(cli().run("enable", "--cluster", AWS_CLUSTER, "--manifest", fromOutputs.toString()));
        Cli.Result verify = ok(cli().run("verify", "--cluster", AWS_CLUSTER));
        assertTrue(verify.out().contains("every control passes in every region"), verify.out());

        assertEquals(outputs.path("cmek_regions").path("value"), regionsCockroachReads(tf, out));
        TerraformGcpExportTest.assertNoSecrets(out);
    }

    /**
     * What {@code cockroach/} gives cockroach_cmek as its regions, evaluated by Terraform against the state the cloud
     * directory just wrote: its variables and remote state as exported (the defaults), and the resource's
     * {@code regions} expression as an output. The CockroachDB provider is not installed here; the remote state data
     * source is built into Terraform.
     */
    private static JsonNode regionsCockroachReads(Terraform tf, Path export) throws Exception {
        HclReader.Block cockroach = HclReader.directory(export.resolve("cockroach"));
        HclReader.Ref regions = (HclReader.Ref)
                cockroach.block("resource", "cockroach_cmek", "this").attr("regions");
        Path check = Files.createDirectories(export.resolve("cockroach-check"));
        Files.copy(export.resolve("cockroach/variables.tf"), check.resolve("variables.tf"));
        String main = Files.readString(export.resolve("cockroach/main.tf"));
        Files.writeString(
                check.resolve("main.tf"),
                main.substring(0, main.indexOf("resource \"cockroach_cmek\"")) + "output \"regions\" {\n  value = "
                        + regions.text() + "\n}\n");
        Terraform.Result init = tf.run(check, "init", "-input=false", "-no-color");
        assertEquals(0, init.exit(), init.all());
        Terraform.Result apply = tf.run(check, "apply", "-input=false", "-no-color", "-auto-approve");
        assertEquals(0, apply.exit(), apply.all());
        return JSON.readTree(tf.run(check, "output", "-json", "regions").out());
    }
}
