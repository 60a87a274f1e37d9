package dev.cmek.cli;

import static dev.cmek.cli.Cli.ok;
import static dev.cmek.testing.Sandboxes.AWS_CLUSTER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cmek.aws.testing.MotoServer;
import dev.cmek.sandbox.CloudApiSandbox;
import dev.cmek.sandbox.CloudKeyChecks;
import dev.cmek.sandbox.OpenApiContract;
import dev.cmek.testing.FleetSandboxes;
import dev.cmek.testing.Sandboxes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI against AWS as it really behaves (moto behind the strict stand-in, on by default): temporary credentials,
 * no credentials, an SSO profile without a login, a fleet of many clusters under the control-plane quota, and a
 * multi-Region key rotated at its primary.
 */
class AwsAsItReallyBehavesTest {
    @RegisterExtension
    static final MotoServer MOTO = MotoServer.create();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static String imdsBefore;

    @TempDir
    Path dir;

    private CloudApiSandbox sandbox;

    /** No test may ask the EC2 instance metadata service (an address off this machine) for credentials. */
    @BeforeAll
    static void noInstanceMetadata() {
        imdsBefore = System.getProperty("aws.disableEc2Metadata");
        System.setProperty("aws.disableEc2Metadata", "true");
    }

    @AfterAll
    static void restoreInstanceMetadata() {
        if (imdsBefore == null) {
            System.clearProperty("aws.disableEc2Metadata");
        } else {
            System.setProperty("aws.disableEc2Metadata", imdsBefore);
        }
    }

    @AfterEach
    void stop() {
        if (sandbox != null) {
            try {
                OpenApiContract.assertConforms(sandbox.requestLog().exchanges());
            } finally {
                sandbox.close();
            }
        }
    }

    private void checkedSandbox(CloudApiSandbox s) {
        sandbox = s;
        sandbox.setKeySpecCheck(
                CloudKeyChecks.of(Optional.of(CloudKeyChecks.aws(MOTO.rawClients())), Optional.empty()));
        sandbox.setRejectInaccessibleKeys(true);
    }

    /** The API settings and the AWS endpoint, without any AWS credentials. */
    private Cli bare() {
        return new Cli().api(sandbox).env("AWS_ENDPOINT_URL", MOTO.endpoint().toString());
    }

    private Cli withSession() {
        return bare().aws(MOTO);
    }

    @Test
    void sessionCredentials_areUsedWithTheirToken_andWithoutItAwsRefusesInOneLine() {
        checkedSandbox(Sandboxes.start(Duration.ofMillis(100)));
        ok(withSession().run("plan", "--cluster", AWS_CLUSTER));

        Cli.Result noToken = bare().env("AWS_ACCESS_KEY_ID", MotoServer.ACCESS_KEY_ID)
                .env("AWS_SECRET_ACCESS_KEY", MotoServer.SECRET_ACCESS_KEY)
                .run("plan", "--cluster", AWS_CLUSTER);
        assertEquals(3, noToken.exit(), noToken.err());
        assertEquals(1, noToken.err().lines().count(), noToken.err());
        assertTrue(noToken.err().contains("security token included in the request is invalid"), noToken.err());
    }

    @Test
    void noCredentialsAtAll_isOneLineExitThree_namingWhatWasTried() throws Exception {
        checkedSandbox(Sandboxes.start(Duration.ofMillis(100)));
        Path empty = Files.writeString(dir.resolve("empty"), "");
        Cli.Result r = bare().env("AWS_CONFIG_FILE", empty.toString())
                .env("AWS_SHARED_CREDENTIALS_FILE", empty.toString())
                .run("plan", "--cluster", AWS_CLUSTER);

        assertEquals(3, r.exit(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains("no AWS credentials found"), r.err());
        assertTrue(r.err().contains("AWS_PROFILE") && r.err().contains("AWS_SESSION_TOKEN"), r.err());
        assertTrue(
                r.err().length() < 800,
                "one line, not the chain's dump: " + r.err().length() + " chars");
        assertEquals(0, MOTO.strict().totalCalls(), "nothing reached AWS");
    }

    @Test
    void aProfileThatIsNotThere_isOneLineExitThree_namingTheProfileAndTheConfigFile() throws Exception {
        checkedSandbox(Sandboxes.start(Duration.ofMillis(100)));
        Path config = Files.writeString(dir.resolve("config"), "[profile dev]\nregion = us-east-1\n");
        Path credentials = Files.writeString(dir.resolve("credentials"), "[dev]\n");
        Cli.Result r = bare().env("AWS_CONFIG_FILE", config.toString())
                .env("AWS_SHARED_CREDENTIALS_FILE", credentials.toString())
                .env("AWS_PROFILE", "nosuch")
                .run("plan", "--cluster", AWS_CLUSTER, "-o", "json");

        assertEquals(3, r.exit(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        String message = JSON.readTree(r.out()).get("error").get("message").asText();
        assertTrue(message.contains("profile nosuch not found in " + config), message);
        assertFalse(message.contains("EC2 instance profile"), "not everything the chain tried: " + message);
        assertEquals(0, MOTO.strict().totalCalls(), "nothing reached AWS");
    }

    @Test
    void ssoProfileWithoutALogin_saysToRunAwsSsoLogin() throws Exception {
        checkedSandbox(Sandboxes.start(Duration.ofMillis(100)));
        Path config = Files.writeString(dir.resolve("config"), """
                [profile dev]
                sso_start_url = https://my-sso-portal.awsapps.com/start
                sso_region = us-east-1
                sso_account_id = 111122223333
                sso_role_name = CmekAdmin
                region = us-east-1
                """);
        Path empty = Files.writeString(dir.resolve("credentials"), "");
        Cli.Result r = bare().env("AWS_CONFIG_FILE", config.toString())
                .env("AWS_SHARED_CREDENTIALS_FILE", empty.toString())
                .env("AWS_PROFILE", "dev")
                .run("plan", "--cluster", AWS_CLUSTER);

        assertEquals(3, r.exit(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains("aws sso login"), r.err());
        assertFalse(r.err().toLowerCase().contains("module"), "the SSO modules are on the class path: " + r.err());
    }

    @Test
    void fleetOfTwelveClusters_provisionedAtOnce_neverFailsOnThrottling() throws Exception {
        List<String> ids = FleetSandboxes.clusterIds(12);
        List<String> regions = List.of("us-east-1", "eu-west-1");
        checkedSandbox(FleetSandboxes.start(ids, regions, Duration.ofMillis(100)));
        String entries = ids.stream()
                .map(id -> "{\"id\": \"" + id + "\", \"provision\": true}")
                .collect(Collectors.joining(",\n  "));
        Path fleet = Files.writeString(dir.resolve("fleet.json"), "{\"clusters\": [\n  " + entries + "\n]}\n");

        Cli.Result r = withSession().run("fleet", fleet.toString(), "--parallel", "16", "-o", "json");

        assertEquals(0, r.exit(), () -> r.err() + "\n" + r.out());
        JsonNode doc = JSON.readTree(r.out());
        assertEquals(12, doc.get("clusters").size(), r.out());
        doc.get("clusters").forEach(c -> assertTrue(c.toString().contains("ENABLED"), c.toString()));
        var raw = MOTO.rawClients();
        for (String region : regions) {
            assertEquals(
                    ids.size(),
                    raw.kms(software.amazon.awssdk.regions.Region.of(region))
                            .listKeys()
                            .keys()
                            .size(),
                    "one key per cluster in " + region + ", no duplicate: "
                            + MOTO.strict().counts());
        }
        // About one connection per call in flight at the peak, not one per call past the JDK's default of 5 kept per
        // host: against AWS each new connection is a TCP and TLS handshake (SdkClients.CONNECTIONS_KEPT_PER_HOST;
        // with the default, 177 connections for 689 calls at a peak of 70).
        assertTrue(
                MOTO.strict().connections() <= MOTO.strict().peakInFlight() + 16,
                MOTO.strict().connections() + " connections for "
                        + MOTO.strict().totalCalls() + " calls, at most "
                        + MOTO.strict().peakInFlight() + " in flight");
        // The pacer spaces the calls as they leave the process; on a loaded machine (as on a real network) two may
        // still arrive inside the stand-in's one-second window, and the SDK's retry absorbs them. Without the pacer,
        // 16 threads would send 12 CreateKey per Region together against a window that takes 5.
        assertTrue(
                MOTO.strict().throttled() <= 2,
                "the process-wide pacer keeps every thread under the quota: "
                        + MOTO.strict().throttled() + " throttled; "
                        + MOTO.strict().counts());
    }

    @Test
    void multiRegionKey_provisionEnableRotateNewVersion_rotatesThePrimaryOnce() throws Exception {
        checkedSandbox(Sandboxes.start(Duration.ofMillis(100)));
        Path manifest = dir.resolve("m.json");
        ok(withSession()
                .run(
                        "enable",
                        "--cluster",
                        AWS_CLUSTER,
                        "--provision",
                        "--aws-multi-region-key",
                        "--out",
                        manifest.toString()));
        assertTrue(Files.readString(manifest).contains("mrk-"), Files.readString(manifest));

        ok(withSession().run("rotate", "--cluster", AWS_CLUSTER, "--new-version"));

        assertEquals(1, MOTO.strict().calls("RotateKeyOnDemand"), MOTO.strict().counts()::toString);
        assertEquals(1, MOTO.strict().counts().getOrDefault("kms/us-east-1 RotateKeyOnDemand", 0));
        ok(withSession().run("verify", "--cluster", AWS_CLUSTER));
    }
}
