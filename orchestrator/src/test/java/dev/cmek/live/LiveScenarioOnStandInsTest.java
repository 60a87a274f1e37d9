package dev.cmek.live;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cmek.aws.testing.MotoServer;
import dev.cmek.testing.AzureEmulatorFixture;
import dev.cmek.testing.GcpEmulatorFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The live tier's scenario, run in CI against the stand-ins (StrictAws in front of moto, the GCP and Azure emulators) instead of
 * real accounts: proves the scenario itself works, so a user's live run fails only where the real cloud differs. It
 * is not live coverage.
 */
class LiveScenarioOnStandInsTest {
    @RegisterExtension
    static final MotoServer MOTO = MotoServer.create();

    @RegisterExtension
    static final GcpEmulatorFixture GCP = new GcpEmulatorFixture();

    @RegisterExtension
    static final AzureEmulatorFixture AZURE = new AzureEmulatorFixture();

    @Test
    void awsScenario_onStrictAws(@TempDir Path dir) throws Exception {
        Map<String, String> env = Map.of(
                "AWS_ENDPOINT_URL", MOTO.endpoint().toString(),
                "AWS_ACCESS_KEY_ID", MotoServer.ACCESS_KEY_ID,
                "AWS_SECRET_ACCESS_KEY", MotoServer.SECRET_ACCESS_KEY,
                "AWS_SESSION_TOKEN", MotoServer.SESSION_TOKEN);
        LiveScenario.Outcome outcome = LiveAwsAcceptanceTest.run(
                dir, env, MOTO.account().value(), List.of("us-east-1", "eu-west-1"), MOTO.clients());
        assertReport(outcome, 2);
    }

    @Test
    void gcpScenario_onTheEmulator(@TempDir Path dir) throws Exception {
        String host = GCP.emulator().endpoint().orElseThrow();
        Map<String, String> env = Map.of("CLOUDKMS_EMULATOR_HOST", host, "IAM_EMULATOR_HOST", host);
        LiveScenario.Outcome outcome = LiveGcpAcceptanceTest.run(
                dir, env, "acme-live-keys", List.of("us-central1", "europe-west1"), Duration.ofSeconds(10));
        assertReport(outcome, 2);
    }

    @Test
    void azureScenario_onTheEmulator(@TempDir Path dir) throws Exception {
        String app = "5d0e2f4a-6b8c-4d1e-9f3a-5b7c9d1e3f5a";
        AZURE.emulator().registerMultiTenantApp(app, "cmek live test: stands in for CockroachDB's app");
        LiveScenario.Outcome outcome =
                LiveAzureAcceptanceTest.run(dir, AZURE.emulator().env(), app, List.of("eastus", "westeurope"));
        assertReport(outcome, 2);
    }

    private static void assertReport(LiveScenario.Outcome outcome, int regions) throws Exception {
        assertTrue(Files.exists(outcome.report()), "the run lists what it created");
        assertEquals(
                regions,
                outcome.provisioned().path("region_specs").size(),
                outcome.provisioned().toString());
        String report = Files.readString(outcome.report());
        assertTrue(report.contains(outcome.clusterId()) && report.contains("Clean up"), report);
    }
}
