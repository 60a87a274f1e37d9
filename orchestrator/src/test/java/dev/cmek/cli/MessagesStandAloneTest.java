package dev.cmek.cli;

import static dev.cmek.cli.Cli.exit;
import static dev.cmek.cli.Cli.ok;
import static dev.cmek.testing.Sandboxes.AWS_CLUSTER;
import static dev.cmek.testing.Sandboxes.GCP_CLUSTER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cmek.aws.ClusterId;
import dev.cmek.aws.ResourceNames;
import dev.cmek.aws.testing.MotoServer;
import dev.cmek.testing.CheckingSandbox;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A script logs {@code error.message} and nothing else; an engineer pastes the hint. So a message names what failed
 * without pointing at a report above it, and a hint is a command to paste, with the real cluster id.
 */
class MessagesStandAloneTest {
    @RegisterExtension
    static final MotoServer MOTO = MotoServer.create();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ROLE = new ResourceNames(ClusterId.of(AWS_CLUSTER)).roleName();

    @RegisterExtension
    final CheckingSandbox api = CheckingSandbox.aws(MOTO);

    @TempDir
    Path dir;

    private Cli cli() {
        return api.cli();
    }

    private static JsonNode error(Cli.Result r) throws Exception {
        return JSON.readTree(r.out()).get("error");
    }

    @Test
    void failedVerifyAndAudit_nameWhatFailed_andTheFixIsACommandForThisCluster() throws Exception {
        ok(cli().enableProvisioning(AWS_CLUSTER, dir.resolve("cmek_config.json")));
        // The role's trust drifts: another account may assume it.
        MOTO.rawClients()
                .iam()
                .updateAssumeRolePolicy(b -> b.roleName(ROLE)
                        .policyDocument("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                                + "\"Principal\":{\"AWS\":\"arn:aws:iam::999999999999:root\"},"
                                + "\"Action\":\"sts:AssumeRole\"}]}"));

        Cli.Result verify = exit(7, cli().run("verify", "--cluster", AWS_CLUSTER, "-o", "json"));
        String message = error(verify).get("message").asText();
        assertFalse(message.contains("see above"), message);
        assertTrue(
                message.contains(AWS_CLUSTER)
                        && message.contains("principal_trust (")
                        && message.contains("us-east-1")
                        && message.contains("us-west-2"),
                message);
        String fix =
                JSON.readTree(verify.out()).get("regions").get("us-east-1").get("controls").findValues("fix").stream()
                        .map(JsonNode::asText)
                        .filter(f -> f.contains("--aws-repair-drift"))
                        .findFirst()
                        .orElseThrow(() -> new AssertionError(verify.out()));
        assertTrue(fix.contains("`cmek provision --cluster " + AWS_CLUSTER + " --aws-repair-drift`"), fix);

        Cli.Result audit = exit(7, cli().run("audit", "-o", "json"));
        String audited = error(audit).get("message").asText();
        assertFalse(audited.contains("see above"), audited);
        assertTrue(audited.contains(AWS_CLUSTER + " principal_trust"), audited);
    }

    @Test
    void aRoleOfOurNameThatIsNotOurs_givesTheExactTagCommand_inPlanAndProvision() throws Exception {
        MOTO.rawClients()
                .iam()
                .createRole(b ->
                        b.roleName(ROLE).assumeRolePolicyDocument("{\"Version\":\"2012-10-17\",\"Statement\":[]}"));
        String tag = "aws iam tag-role --role-name " + ROLE + " --tags Key=crdb-cmek-cluster,Value=" + AWS_CLUSTER;

        String planned = error(exit(3, cli().run("plan", "--cluster", AWS_CLUSTER, "-o", "json")))
                .get("message")
                .asText();
        assertTrue(planned.contains(tag), planned);
        assertFalse(planned.contains("see the changes"), planned);
        String provisioned = error(exit(
                        3,
                        cli().run(
                                        "provision",
                                        "--cluster",
                                        AWS_CLUSTER,
                                        "--out",
                                        dir.resolve("m.json").toString(),
                                        "-o",
                                        "json")))
                .get("message")
                .asText();
        assertTrue(provisioned.contains(tag), provisioned);
        assertFalse(provisioned.contains("<cluster id>"), provisioned);
    }

    @Test
    void aWaitThatTimesOut_saysWhichStatusCommandToRun() throws Exception {
        Path manifest = dir.resolve("cmek_config.json");
        ok(cli().run("provision", "--cluster", AWS_CLUSTER, "--out", manifest.toString()));
        api.sandbox().setTransitionDelay(Duration.ofSeconds(30));
        String message = error(exit(
                        5,
                        cli().run(
                                        "enable",
                                        "--cluster",
                                        AWS_CLUSTER,
                                        "--manifest",
                                        manifest.toString(),
                                        "--timeout",
                                        "300ms",
                                        "-o",
                                        "json")))
                .get("message")
                .asText();
        assertTrue(message.endsWith("check with `cmek status --cluster " + AWS_CLUSTER + "`"), message);
    }

    @Test
    void aClusterWithoutCmek_getsANextStep() throws Exception {
        JsonNode status = JSON.readTree(
                ok(cli().run("status", "--cluster", GCP_CLUSTER, "-o", "json")).out());
        assertEquals("DISABLED", status.get("status").asText());
        assertEquals(
                "cmek enable --cluster " + GCP_CLUSTER + " --provision",
                status.get("next_step").asText());
        String text = ok(cli().run("status", "--cluster", GCP_CLUSTER)).out();
        assertTrue(text.contains("next: `cmek plan --cluster " + GCP_CLUSTER + "`"), text);

        String verified = error(exit(2, cli().run("verify", "--cluster", AWS_CLUSTER, "-o", "json")))
                .get("message")
                .asText();
        assertTrue(verified.endsWith("`cmek enable --cluster " + AWS_CLUSTER + " --provision`"), verified);
    }
}
