package dev.cmek.cli;

import static dev.cmek.cli.Cli.ok;
import static dev.cmek.testing.Sandboxes.AWS_CLUSTER;
import static dev.cmek.testing.Sandboxes.GCP_CLUSTER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cmek.aws.testing.MotoServer;
import dev.cmek.gcp.emulator.GcpEmulator;
import dev.cmek.model.Manifest;
import dev.cmek.model.ManifestCodec;
import dev.cmek.sandbox.CloudApiSandbox;
import dev.cmek.sandbox.CloudKeyChecks;
import dev.cmek.sandbox.OpenApiContract;
import dev.cmek.testing.Sandboxes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.model.KeyListEntry;
import software.amazon.awssdk.services.kms.model.KeyState;

/**
 * Every workflow command end to end, as a user runs it: the CLI against the Cloud API sandbox, with moto for AWS (behind
 * the strict stand-in: eventual consistency, throttling, session credentials, see StrictAws) and
 * the gRPC emulator for GCP behind it. The sandbox checks each submitted key spec in those emulators the way
 * CockroachDB would, and refuses keys it cannot use yet. The CLI harness fails any run that prints the API key.
 */
class WorkflowEndToEndTest {
    @RegisterExtension
    static final MotoServer MOTO = MotoServer.create();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String GCP_PROJECT = "acme-keys";
    private static GcpEmulator gcp;
    private CloudApiSandbox sandbox;

    @TempDir
    Path dir;

    @BeforeAll
    static void startGcp() {
        gcp = GcpEmulator.start(0);
    }

    @AfterAll
    static void stopGcp() {
        gcp.close();
    }

    @BeforeEach
    void startSandbox() {
        gcp.reset();
        sandbox = Sandboxes.start(Duration.ofMillis(100));
        sandbox.setKeySpecCheck(CloudKeyChecks.of(
                Optional.of(CloudKeyChecks.aws(MOTO.rawClients())), Optional.of(CloudKeyChecks.gcp(gcp))));
        sandbox.setRejectInaccessibleKeys(true);
    }

    @AfterEach
    void stopSandbox() {
        try {
            OpenApiContract.assertConforms(sandbox.requestLog().exchanges());
        } finally {
            sandbox.close();
        }
    }

    private Cli cli() {
        return new Cli().api(sandbox).aws(MOTO).gcp(gcp).env("CMEK_GCP_PROJECT", GCP_PROJECT);
    }

    @Test
    void aws_planProvisionEnableVerifyRotateAddRegionRevokeRestore() throws Exception {
        Cli.Result plan = ok(cli().run("plan", "--cluster", AWS_CLUSTER));
        assertTrue(plan.out().contains("would create"), plan.out());
        assertEquals(0, roles(), "plan changes nothing");

        Path manifestFile = dir.resolve("cmek_config.json");
        ok(cli().run("provision", "--cluster", AWS_CLUSTER, "--out", manifestFile.toString()));
        Manifest manifest = ManifestCodec.read(manifestFile);
        assertEquals(List.of("us-east-1", "us-west-2"), manifest.regions());
        assertEquals(1, roles());
        assertEquals(2, ourKeys());
        JsonNode again = JSON.readTree(
                ok(cli().run("provision", "--cluster", AWS_CLUSTER, "--out", manifestFile.toString(), "-o", "json"))
                        .out());
        assertFalse(again.get("changed").booleanValue(), "a second run changes nothing");

        ok(cli().run("enable", "--cluster", AWS_CLUSTER, "--manifest", manifestFile.toString()));
        ok(cli().run("verify", "--cluster", AWS_CLUSTER));

        JsonNode rotated = JSON.readTree(ok(cli().run("rotate", "--cluster", AWS_CLUSTER, "--new-key", "-o", "json"))
                .out());
        String newEast =
                rotated.get("regions").get(0).get("key_spec").get("uri").textValue();
        assertNotEquals(manifest.find("us-east-1").orElseThrow().keySpec().uri(), newEast);
        assertEquals(4, ourKeys(), "a new key per region; the old ones stay");
        String oldPolicy = MOTO.rawClients()
                .kms(Region.US_EAST_1)
                .getKeyPolicy(b -> b.keyId(manifest.find("us-east-1")
                                .orElseThrow()
                                .keySpec()
                                .uri())
                        .policyName("default"))
                .policy();
        assertTrue(oldPolicy.contains("CrdbCmekGrant"), "the old key keeps its grant until the operator removes it");
        ok(cli().run("verify", "--cluster", AWS_CLUSTER));
        ok(cli().run("rotate", "--cluster", AWS_CLUSTER, "--new-version", "--regions", "us-east-1"));

        Cli.Result added = ok(cli().run(
                        "add-region",
                        "--cluster",
                        AWS_CLUSTER,
                        "--region",
                        "eu-west-1",
                        "--nodes",
                        "3",
                        "--provision"));
        assertTrue(added.out().contains("eu-west-1"), added.out());
        ok(cli().run("verify", "--cluster", AWS_CLUSTER));

        Path evidence = dir.resolve("evidence");
        JsonNode revoked = JSON.readTree(ok(cli().run(
                                "revoke",
                                "--cluster",
                                AWS_CLUSTER,
                                "--yes",
                                "--immediate",
                                "--evidence",
                                evidence.toString(),
                                "-o",
                                "json"))
                .out());
        assertEquals("REVOKED", revoked.get("status").get("status").textValue());
        assertTrue(revoked.get("removed").size() >= 4, revoked.toString());
        JsonNode record = JSON.readTree(Files.readString(evidence.resolve("revocation.json")));
        List<String> steps = record.get("steps").findValuesAsText("step");
        assertEquals("intent", steps.get(0), steps.toString());
        assertEquals(
                List.of("cloud_step_done", "api_revoke_sent", "api_revoked", "summary"),
                steps.subList(steps.size() - 4, steps.size()));
        assertIntentBeforeEachRemoval(record);
        assertTrue(record.toString().contains("\"type\":\"role trust\""), record.toString());
        assertFalse(Files.readString(evidence.resolve("revocation.json")).contains(Sandboxes.API_KEY));
        Cli.Result broken = cli().run("verify", "--cluster", AWS_CLUSTER);
        assertEquals(7, broken.exit(), broken.out());

        Cli.Result restored = ok(cli().run("restore", "--evidence", evidence.toString()));
        assertTrue(
                restored.out().contains("Tell CockroachDB support: CMEK access for cluster " + AWS_CLUSTER),
                restored.out());
        VerifyResults.grantsBackButCockroachStillRevoked(cli().run("verify", "--cluster", AWS_CLUSTER, "-o", "json"));
        assertNoKeyDestroyed();
    }

    @Test
    void aws_verifyAndRevoke_whenRoleUntaggedKeyPendingDeletionOrRoleDeleted_reportInsteadOfCrashing()
            throws Exception {
        ok(cli().enableProvisioning(AWS_CLUSTER, dir.resolve("m.json")));
        Manifest manifest = ManifestCodec.read(dir.resolve("m.json"));
        String role = new dev.cmek.aws.ResourceNames(dev.cmek.aws.ClusterId.of(AWS_CLUSTER)).roleName();
        var raw = MOTO.rawClients();

        raw.iam().untagRole(b -> b.roleName(role).tagKeys(dev.cmek.aws.ResourceNames.CLUSTER_TAG));
        Cli.Result untagged = cli().run("verify", "--cluster", AWS_CLUSTER);
        assertEquals(7, untagged.exit(), untagged.err());
        assertTrue(untagged.out().contains("not tagged as ours"), untagged.out());

        String west = dev.cmek.aws.KeyArn.of(
                        manifest.find("us-west-2").orElseThrow().keySpec().uri())
                .keyId();
        raw.kms(Region.US_WEST_2).scheduleKeyDeletion(b -> b.keyId(west).pendingWindowInDays(7));
        Cli.Result pending = cli().run("verify", "--cluster", AWS_CLUSTER);
        assertEquals(7, pending.exit(), pending.err());
        assertTrue(pending.out().contains("PendingDeletion"), pending.out());

        raw.iam().deleteRole(b -> b.roleName(role));
        Cli.Result deleted = cli().run("verify", "--cluster", AWS_CLUSTER, "-o", "json");
        assertEquals(7, deleted.exit(), deleted.err());
        assertTrue(deleted.out().contains("does not exist"), deleted.out());

        JsonNode revoked = JSON.readTree(ok(cli().run(
                                "revoke",
                                "--cluster",
                                AWS_CLUSTER,
                                "--yes",
                                "--evidence",
                                dir.resolve("evidence").toString(),
                                "-o",
                                "json"))
                .out());
        assertEquals("REVOKED", revoked.get("status").get("status").textValue());
        assertTrue(revoked.get("removed").size() >= 1, revoked.toString());
    }

    @Test
    void gcp_enableProvisionRotateRevokeRestore() throws Exception {
        Cli.Result enabled = ok(cli().enableProvisioning(GCP_CLUSTER, dir.resolve("m.json"), "-o", "json"));
        assertEquals("ENABLED", JSON.readTree(enabled.out()).get("status").textValue());
        assertEquals(1, gcp.serviceAccountCount());
        ok(cli().run("verify", "--cluster", GCP_CLUSTER));
        ok(cli().enableProvisioning(GCP_CLUSTER, dir.resolve("m.json")));
        assertEquals(1, gcp.cryptoKeyCount(), "re-run made nothing new");

        JsonNode rotated = JSON.readTree(ok(cli().run("rotate", "--cluster", GCP_CLUSTER, "--new-key", "-o", "json"))
                .out());
        assertTrue(
                rotated.get("regions")
                        .get(0)
                        .get("key_spec")
                        .get("uri")
                        .textValue()
                        .endsWith("/cryptoKeys/crdb-cmek-g2"),
                rotated.toString());
        ok(cli().run("rotate", "--cluster", GCP_CLUSTER, "--new-version"));

        Path evidence = dir.resolve("evidence");
        ok(cli().run("revoke", "--cluster", GCP_CLUSTER, "--yes", "--immediate", "--evidence", evidence.toString()));
        assertEquals(7, cli().run("verify", "--cluster", GCP_CLUSTER).exit());
        ok(cli().run("restore", "--evidence", evidence.toString()));
        VerifyResults.grantsBackButCockroachStillRevoked(cli().run("verify", "--cluster", GCP_CLUSTER, "-o", "json"));
        assertEquals(
                0,
                gcp.callCounts().entrySet().stream()
                        .filter(e -> e.getKey().contains("Destroy")
                                || e.getKey().contains("Delete")
                                || e.getKey().endsWith("UpdateCryptoKey"))
                        .mapToInt(java.util.Map.Entry::getValue)
                        .sum(),
                "no destroy, delete or key update call: " + gcp.callCounts());
    }

    @Test
    void jsonAndText_holdTheSameFacts() throws Exception {
        ok(cli().enableProvisioning(GCP_CLUSTER, dir.resolve("m.json")));
        JsonNode status = JSON.readTree(
                ok(cli().run("status", "--cluster", GCP_CLUSTER, "-o", "json")).out());
        String text = ok(cli().run("status", "--cluster", GCP_CLUSTER)).out();
        assertTrue(text.contains("CMEK " + status.get("status").textValue()), text);
        for (JsonNode region : status.get("regions")) {
            assertTrue(
                    text.contains(region.get("region").textValue())
                            && text.contains(region.get("status").textValue())
                            && text.contains(region.get("key_spec").get("uri").textValue() + " as "
                                    + region.get("key_spec")
                                            .get("auth_principal")
                                            .textValue()),
                    text);
        }
        JsonNode verify = JSON.readTree(
                ok(cli().run("verify", "--cluster", GCP_CLUSTER, "-o", "json")).out());
        String verifyText = ok(cli().run("verify", "--cluster", GCP_CLUSTER)).out();
        assertTrue(verify.get("ok").booleanValue());
        verify.get("regions")
                .fields()
                .forEachRemaining(e -> assertTrue(
                        verifyText.contains(e.getKey())
                                && verifyText.contains(e.getValue().get("key").textValue()),
                        verifyText));
        JsonNode plan = JSON.readTree(
                ok(cli().run("plan", "--cluster", GCP_CLUSTER, "-o", "json")).out());
        String planText = ok(cli().run("plan", "--cluster", GCP_CLUSTER)).out();
        for (JsonNode change : plan.get("changes")) {
            assertTrue(planText.contains(change.get("resource").textValue()), planText);
        }
    }

    @Test
    void iamPropagationDelay_enableRetriesUntilTheKeyIsUsable() {
        gcp.propagationDelay(Duration.ofMillis(1500));
        Cli.Result r = ok(cli().enableProvisioning(GCP_CLUSTER, dir.resolve("m.json")));
        assertTrue(r.err().contains("key not accessible yet"), r.err());
        gcp.propagation(GcpEmulator.DEFAULT_PROPAGATION);
    }

    @Test
    void aKeyCockroachCannotUse_isRefusedOnceThePropagationWindowIsSpent() throws Exception {
        Path manifestFile = dir.resolve("cmek_config.json");
        ok(cli().run("provision", "--cluster", AWS_CLUSTER, "--out", manifestFile.toString()));
        Manifest provisioned = ManifestCodec.read(manifestFile);
        String role = provisioned.regionSpecs().get(0).keySpec().authPrincipal();
        String ungranted = MOTO.rawClients()
                .kms(Region.US_EAST_1)
                .createKey(b -> b.description("no grant for CockroachDB"))
                .keyMetadata()
                .arn();
        Path handMade = Files.writeString(
                dir.resolve("hand.json"),
                ManifestCodec.format(new Manifest(List.of(
                        new dev.cmek.model.RegionSpec(
                                "us-east-1",
                                new dev.cmek.model.KeySpec(dev.cmek.model.KeyType.AWS_KMS, ungranted, role)),
                        provisioned.find("us-west-2").orElseThrow()))));
        Cli.Result r = cli().run(
                        "enable",
                        "--cluster",
                        AWS_CLUSTER,
                        "--manifest",
                        handMade.toString(),
                        "--propagation-timeout",
                        "1s");
        assertEquals(3, r.exit(), r.err());
        assertTrue(r.err().contains("AccessDenied") && r.err().contains(ungranted), r.err());
        var posts = sandbox.requestLog().exchanges(x -> x.method().equals("POST"));
        assertFalse(posts.isEmpty(), "the enable was sent and refused, not skipped");
        assertTrue(posts.stream().allMatch(x -> x.status() == 400), "never enabled");
    }

    @Test
    void runCutShort_isFinishedByARerun_withoutDuplicates() {
        sandbox.failNextRequests(1, 500, "POST", ".*/cmek");
        Cli.Result cut = cli().enableProvisioning(AWS_CLUSTER, dir.resolve("m.json"));
        assertEquals(6, cut.exit(), cut.err());
        assertEquals(2, ourKeys());
        ok(cli().enableProvisioning(AWS_CLUSTER, dir.resolve("m.json")));
        assertEquals(1, roles());
        assertEquals(2, ourKeys(), "no duplicate keys");
    }

    @Test
    void revokeCutShort_isFinishedByTheSameCommand_andRestoreUsesTheFirstRecord() throws Exception {
        ok(cli().enableProvisioning(AWS_CLUSTER, dir.resolve("m.json")));
        Path evidence = dir.resolve("evidence");
        sandbox.failNextRequests(1, 500, "PATCH", ".*/cmek");
        Cli.Result cut = cli().run("revoke", "--cluster", AWS_CLUSTER, "--yes", "--evidence", evidence.toString());
        assertEquals(6, cut.exit(), cut.err());
        assertEquals(7, cli().run("verify", "--cluster", AWS_CLUSTER).exit(), "the cloud step had run");

        ok(cli().run("revoke", "--cluster", AWS_CLUSTER, "--yes", "--evidence", evidence.toString()));
        JsonNode record = JSON.readTree(Files.readString(evidence.resolve("revocation.json")));
        List<String> steps = record.get("steps").findValuesAsText("step");
        assertEquals(1, java.util.Collections.frequency(steps, "resumed"), steps.toString());
        assertTrue(
                steps.indexOf("document_intent") < steps.indexOf("resumed"),
                "the first run's intents stay in the record: " + steps);
        assertTrue(record.hasNonNull("completed_at"));
        String finished = Files.readString(evidence.resolve("revocation.json"));
        Cli.Result again = cli().run("revoke", "--cluster", AWS_CLUSTER, "--yes", "--evidence", evidence.toString());
        assertEquals(0, again.exit(), again.err());
        assertTrue(again.out().startsWith("already revoked, nothing to do"), again.out());
        assertEquals(finished, Files.readString(evidence.resolve("revocation.json")), "never written again");

        ok(cli().run("restore", "--evidence", evidence.toString()));
        VerifyResults.grantsBackButCockroachStillRevoked(cli().run("verify", "--cluster", AWS_CLUSTER, "-o", "json"));
    }

    @Test
    void rateLimitedAndFailedOutcomes() {
        sandbox.setRateLimitPerSecond(3);
        ok(cli().enableProvisioning(AWS_CLUSTER, dir.resolve("m.json")));
        assertFalse(sandbox.requestLog().exchanges(x -> x.status() == 429).isEmpty(), "the sandbox pushed back");
        sandbox.setRateLimitPerSecond(10);

        sandbox.failNextCmekOperation(
                GCP_CLUSTER, "us-central1", "permission denied on cryptoKeyVersions.useToEncrypt");
        Cli.Result failed = cli().enableProvisioning(GCP_CLUSTER, dir.resolve("g.json"));
        assertEquals(4, failed.exit(), failed.err());
        assertTrue(failed.err().contains("region us-central1 is ENABLE_FAILED: permission denied"), failed.err());
    }

    @Test
    void badInput_isOneLine_exitTwo_andChangesNothing() throws Exception {
        Path garbage = Files.writeString(dir.resolve("revocation.json"), "{\"format\":\"something else\"}");
        List<Cli.Result> results = List.of(
                cli().run("provision", "--cluster", "00000000-0000-4000-8000-000000000000"),
                cli().run("enable", "--cluster", "00000000-0000-4000-8000-000000000000", "--provision"),
                cli().run("rotate", "--cluster", AWS_CLUSTER, "--new-key", "--regions", "eu-central-1"),
                cli().run(
                                "add-region",
                                "--cluster",
                                AWS_CLUSTER,
                                "--region",
                                "Not A Region",
                                "--nodes",
                                "3",
                                "--provision"),
                cli().run(
                                "add-region",
                                "--cluster",
                                AWS_CLUSTER,
                                "--region",
                                "eu-west-1",
                                "--nodes",
                                "0",
                                "--provision"),
                cli().run("revoke", "--cluster", AWS_CLUSTER),
                cli().run("revoke", "--cluster", AWS_CLUSTER, "--yes", "--cloud-only", "--api-only"),
                cli().run("restore", "--evidence", dir.resolve("nowhere").toString()),
                cli().run("restore", "--evidence", garbage.toString()),
                new Cli()
                        .env("COCKROACH_API_KEY", Sandboxes.API_KEY)
                        .env("COCKROACH_SERVER", sandbox.baseUri().toString())
                        .run("provision", "--cluster", GCP_CLUSTER),
                cli().run("provision", "--cluster", AWS_CLUSTER, "--existing-key", "us-east-1"),
                cli().run("verify", "--cluster", AWS_CLUSTER));
        for (Cli.Result r : results) {
            assertEquals(2, r.exit(), r.err());
            assertEquals(1, r.err().lines().count(), r.err());
            assertTrue(r.err().startsWith("cmek: "), r.err());
        }
        assertEquals(0, roles(), "nothing was made in AWS");
        assertEquals(0, gcp.serviceAccountCount(), "nothing was made in GCP");
        assertTrue(
                sandbox.requestLog().exchanges().stream()
                        .allMatch(x -> x.method().equals("GET")),
                "nothing was sent but reads");
    }

    /** Every document reported REMOVED has its intent kept in an earlier step. */
    static void assertIntentBeforeEachRemoval(JsonNode record) {
        List<JsonNode> steps = new java.util.ArrayList<>();
        record.get("steps").forEach(steps::add);
        int removed = 0;
        for (int i = 0; i < steps.size(); i++) {
            JsonNode s = steps.get(i);
            if (s.path("step").asText().equals("document_outcome")
                    && s.path("fate").asText().equals("REMOVED")) {
                removed++;
                String resource = s.path("resource").asText();
                boolean before = steps.subList(0, i).stream()
                        .anyMatch(x -> x.path("step").asText().equals("document_intent")
                                && x.path("resource").asText().equals(resource));
                assertTrue(before, "no intent kept before " + resource + " was removed: " + record);
            }
        }
        assertTrue(removed > 0, record.toString());
    }

    private static int roles() {
        return (int) MOTO.rawClients().iam().listRolesPaginator().roles().stream()
                .filter(r -> r.roleName().startsWith("crdb-cmek-"))
                .count();
    }

    private static int ourKeys() {
        int count = 0;
        for (Region region : List.of(Region.US_EAST_1, Region.US_WEST_2, Region.EU_WEST_1)) {
            count += (int) MOTO.rawClients().kms(region).listAliasesPaginator().aliases().stream()
                    .filter(a -> a.aliasName().startsWith("alias/crdb-cmek-"))
                    .count();
        }
        return count;
    }

    private static void assertNoKeyDestroyed() {
        for (Region region : List.of(Region.US_EAST_1, Region.US_WEST_2, Region.EU_WEST_1)) {
            var kms = MOTO.rawClients().kms(region);
            for (KeyListEntry key : kms.listKeysPaginator().keys()) {
                KeyState state =
                        kms.describeKey(b -> b.keyId(key.keyId())).keyMetadata().keyState();
                assertEquals(KeyState.ENABLED, state, "key " + key.keyArn() + " in " + region);
            }
        }
    }
}
