package dev.cmek.cli;

import static dev.cmek.cli.Cli.exit;
import static dev.cmek.testing.Sandboxes.AWS_ACCOUNT;
import static dev.cmek.testing.Sandboxes.AWS_CLUSTER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cmek.aws.ClusterId;
import dev.cmek.aws.PolicyDocument;
import dev.cmek.aws.ResourceNames;
import dev.cmek.aws.SdkClients;
import dev.cmek.aws.testing.MotoServer;
import dev.cmek.aws.testing.StrictAws;
import dev.cmek.model.Manifest;
import dev.cmek.model.ManifestCodec;
import dev.cmek.sandbox.CloudApiSandbox;
import dev.cmek.sandbox.CloudKeyChecks;
import dev.cmek.testing.Sandboxes;
import dev.cmek.workflow.EvidenceFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.model.KeyListEntry;
import software.amazon.awssdk.services.kms.model.Tag;

/**
 * Breach response on AWS through the CLI, against moto behind the strict stand-in (AccessDenied per region, lost
 * replies, calls that never answer, a real SIGKILL after a write) and the Cloud API sandbox: the revocation fails
 * toward revoking, says what it left, resumes, and restore puts back exactly what was removed and refuses what it did
 * not make.
 */
class AwsBreachResponseTest {
    @RegisterExtension
    static final MotoServer MOTO = MotoServer.create();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<Region> REGIONS = List.of(Region.US_EAST_1, Region.US_WEST_2);
    private static final ResourceNames NAMES = new ResourceNames(ClusterId.of(AWS_CLUSTER));

    private CloudApiSandbox sandbox;
    private SdkClients raw;

    @TempDir
    Path dir;

    @BeforeEach
    void start() {
        raw = MOTO.rawClients();
        sandbox = Sandboxes.startCheckingKeys(
                Duration.ofMillis(100), CloudKeyChecks.of(Optional.of(CloudKeyChecks.aws(raw)), Optional.empty()));
    }

    @AfterEach
    void stop() {
        Sandboxes.closeConforming(sandbox);
        raw.close();
    }

    private Cli cli() {
        return new Cli().api(sandbox).aws(MOTO);
    }

    private Manifest enable() {
        Path m = dir.resolve("m.json");
        exit(0, cli().enableProvisioning(AWS_CLUSTER, m));
        return ManifestCodec.read(m);
    }

    private Cli.Result revoke(Path evidence, String... more) {
        List<String> args = new ArrayList<>(
                List.of("revoke", "--cluster", AWS_CLUSTER, "--yes", "--evidence", evidence.toString(), "-o", "json"));
        args.addAll(List.of(more));
        return cli().run(args.toArray(String[]::new));
    }

    /** The role's trust and every key policy of the account in the cluster's regions, as AWS holds them now. */
    private Map<String, PolicyDocument> snapshot() {
        Map<String, PolicyDocument> out = new TreeMap<>();
        raw.iam().listRolesPaginator().roles().stream()
                .filter(r -> r.roleName().equals(NAMES.roleName()))
                .forEach(r -> out.put("trust", PolicyDocument.parse(r.assumeRolePolicyDocument())));
        for (Region region : REGIONS) {
            for (KeyListEntry k : raw.kms(region).listKeysPaginator().keys()) {
                out.put(
                        k.keyArn(),
                        PolicyDocument.parse(raw.kms(region)
                                .getKeyPolicy(b -> b.keyId(k.keyId()).policyName("default"))
                                .policy()));
            }
        }
        return out;
    }

    private static boolean trusts(Map<String, PolicyDocument> snapshot) {
        return snapshot.get("trust").statements().stream()
                .anyMatch(s -> "Allow".equals(s.path("Effect").asText())
                        && s.toString().contains(AWS_ACCOUNT));
    }

    private static long grants(Map<String, PolicyDocument> snapshot) {
        return snapshot.entrySet().stream()
                .filter(e -> !e.getKey().equals("trust"))
                .filter(e -> e.getValue().statement(NAMES.grantSid()).isPresent())
                .count();
    }

    private int patches() {
        return sandbox.requestLog()
                .exchanges(x -> x.method().equals("PATCH") && x.path().endsWith("/cmek"))
                .size();
    }

    @Test
    void oneRegionRefusingTheCaller_theOthersAndTheTrustGo_revokeIsSent_exit8_thenARerunFinishesAndRestorePutsAllBack()
            throws Exception {
        Manifest manifest = enable();
        Map<String, PolicyDocument> before = snapshot();
        String west = manifest.find("us-west-2").orElseThrow().keySpec().uri();
        MOTO.strict().denyAccess("GetKeyPolicy", "us-west-2", null);
        Path evidence = dir.resolve("incident");

        Cli.Result partial = exit(8, revoke(evidence));

        JsonNode doc = JSON.readTree(partial.out());
        assertEquals("partial", doc.get("error").get("kind").textValue());
        assertTrue(doc.get("left").toString().contains("us-west-2"), doc.toString());
        assertTrue(doc.get("left").toString().contains("kms:GetKeyPolicy"), doc.toString());
        assertTrue(doc.get("next_step").textValue().contains("--evidence " + evidence), doc.toString());
        assertTrue(partial.err().contains("re-run with the same --evidence"), partial.err());
        assertTrue(doc.get("revoke_sent").booleanValue());
        assertEquals("REVOKED", doc.get("status").get("status").textValue());
        assertEquals(1, patches(), "REVOKE was sent although a region failed");
        Map<String, PolicyDocument> during = snapshot();
        assertFalse(trusts(during), "the trust is cut: " + during.get("trust"));
        assertTrue(during.get(west).statement(NAMES.grantSid()).isPresent(), "us-west-2 kept its grant");
        assertEquals(1, grants(during), "only us-west-2 is left");
        Cli.Result verify = exit(7, cli().run("verify", "--cluster", AWS_CLUSTER));
        assertTrue(verify.out().contains("us-west-2"), verify.out());

        MOTO.strict().reset();
        Cli.Result finished = exit(0, revoke(evidence));
        JsonNode done = JSON.readTree(finished.out());
        assertEquals(0, done.get("left").size(), done.toString());
        String removed = done.get("removed").toString();
        assertTrue(
                removed.contains("trust of arn:aws:iam::" + AWS_ACCOUNT + ":root"),
                "the first run's trust: " + removed);
        assertTrue(removed.contains(west), "the second run's key: " + removed);
        assertEquals(1, patches(), "REVOKE is not sent twice");
        assertEquals(0, grants(snapshot()));

        exit(0, cli().run("restore", "--evidence", evidence.toString()));
        assertEquals(before, snapshot(), "exactly what was removed is back");
        VerifyAssertions.onlyCockroachStatusFails(cli(), AWS_CLUSTER);
        JsonNode record = JSON.readTree(Files.readString(evidence.resolve(EvidenceFile.FILE_NAME)));
        WorkflowEndToEndTest.assertIntentBeforeEachRemoval(record);
        assertEquals(
                java.util.Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
                Files.getPosixFilePermissions(evidence.resolve(EvidenceFile.FILE_NAME)),
                "evidence is the responder's alone");
    }

    @Test
    void theCommandThatFinishes_isTheRevokeAsGiven_withEveryOptionKept() throws Exception {
        enable();
        MOTO.strict().denyAccess("GetKeyPolicy", "us-west-2", null);
        Path evidence = dir.resolve("incident");

        Cli.Result partial = exit(
                8,
                cli().run(
                                "revoke",
                                "--cluster",
                                AWS_CLUSTER,
                                "--yes",
                                "--immediate",
                                "--timeout",
                                "40s",
                                "--no-wait",
                                "--evidence",
                                evidence.toString(),
                                "-o",
                                "json"));

        assertEquals(
                "cmek revoke --cluster " + AWS_CLUSTER + " --yes --immediate --timeout 40s --no-wait --evidence "
                        + evidence + " -o json",
                JSON.readTree(partial.out()).get("next_step").textValue());
    }

    /** A port on the loopback interface where nothing listens: connections are refused at once. */
    private static String deadEndpoint() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return "http://127.0.0.1:" + s.getLocalPort();
        }
    }

    @Test
    void apiUnreachable_theGrantsStillGo_fromTheRolesOwnRecords_exit8_andTheApiOnlyRunItNamesFinishesIt()
            throws Exception {
        Manifest manifest = enable();
        Path evidence = dir.resolve("incident");
        String down = deadEndpoint();

        Cli.Result partial = exit(
                8,
                cli().env("COCKROACH_SERVER", down)
                        .run(
                                "revoke",
                                "--cluster",
                                AWS_CLUSTER,
                                "--yes",
                                "--evidence",
                                evidence.toString(),
                                "-o",
                                "json"));

        JsonNode doc = JSON.readTree(partial.out());
        assertEquals(
                "partial: " + (REGIONS.size() + 1) + " grant(s) removed, none left, REVOKE NOT sent (the Cloud API"
                        + " could not be read)",
                doc.get("headline").textValue());
        assertFalse(doc.get("revoke_sent").booleanValue());
        assertFalse(doc.get("api_read").booleanValue());
        assertTrue(doc.get("api_unreadable").textValue().contains("cannot reach " + down), doc.toString());
        String next = doc.get("next_step").textValue();
        assertEquals("cmek revoke --cluster " + AWS_CLUSTER + " --api-only --yes -o json --evidence " + evidence, next);
        assertEquals(0, grants(snapshot()), "every key lost the grant, found from the role's own tags");
        assertFalse(trusts(snapshot()));
        assertEquals(0, patches());
        manifest.regionSpecs()
                .forEach(r -> assertTrue(
                        doc.get("removed").toString().contains(r.keySpec().uri())));

        // The API is back: the command it named sends REVOKE and finishes the same record.
        JsonNode sent = JSON.readTree(exit(0, cli().run(commandWords(next))).out());
        assertTrue(sent.get("revoke_sent").booleanValue(), sent.toString());
        assertEquals("revoked", sent.get("outcome").textValue());
        assertEquals(1, patches());
        JsonNode record = JSON.readTree(Files.readString(evidence.resolve(EvidenceFile.FILE_NAME)));
        assertTrue(record.hasNonNull("completed_at"), "one record, finished");

        Cli.Result again = exit(0, revoke(evidence));
        assertEquals(
                "already_revoked", JSON.readTree(again.out()).get("outcome").textValue());
        assertEquals(1, patches(), "nothing sent again");
    }

    /** The words of a printed command, for running it again (no quoting is needed in these tests' paths). */
    private static String[] commandWords(String command) {
        List<String> words = new ArrayList<>(List.of(command.split(" ")));
        words.remove(0);
        return words.toArray(String[]::new);
    }

    @Test
    void cloudOnlyWithAManifest_thenApiOnlyWithTheSameEvidence_isTheReadmesSequence_oneRecordFinished()
            throws Exception {
        enable();
        Path manifest = dir.resolve("m.json");
        Path evidence = dir.resolve("incident");

        JsonNode cloud = JSON.readTree(exit(
                        0,
                        cli().env("COCKROACH_SERVER", deadEndpoint())
                                .run(
                                        "revoke",
                                        "--cluster",
                                        AWS_CLUSTER,
                                        "--yes",
                                        "--cloud-only",
                                        "--manifest",
                                        manifest.toString(),
                                        "--evidence",
                                        evidence.toString(),
                                        "-o",
                                        "json"))
                .out());
        assertEquals("cloud_step_done", cloud.get("outcome").textValue());
        assertTrue(cloud.get("headline").textValue().endsWith("REVOKE not sent (--cloud-only)"), cloud.toString());
        assertTrue(cloud.get("next_step").textValue().contains("--api-only"), cloud.toString());

        JsonNode api = JSON.readTree(exit(
                        0,
                        cli().run(
                                        "revoke",
                                        "--cluster",
                                        AWS_CLUSTER,
                                        "--yes",
                                        "--api-only",
                                        "--evidence",
                                        evidence.toString(),
                                        "-o",
                                        "json"))
                .out());
        assertTrue(api.get("revoke_sent").booleanValue(), api.toString());
        assertEquals(REGIONS.size() + 1, api.get("removed").size(), "the summary covers the cloud-only run too");
        assertEquals(1, patches());
        Cli.Result restored = exit(0, cli().run("restore", "--evidence", evidence.toString()));
        assertTrue(restored.out().contains("was revoked at"), restored.out());
    }

    @Test
    void awsUnreachable_theHeadlineSaysNothingWasRemoved_eachLeftReasonOnce_onStdoutOnly() throws Exception {
        enable();
        String down = deadEndpoint();

        Cli.Result partial = exit(
                8,
                cli().env("AWS_ENDPOINT_URL", down)
                        .run(
                                "revoke",
                                "--cluster",
                                AWS_CLUSTER,
                                "--yes",
                                "--evidence",
                                dir.resolve("e").toString()));

        String first = partial.out().lines().findFirst().orElse("");
        assertTrue(first.startsWith("partial: 0 grant(s) removed, "), first);
        assertTrue(first.endsWith(" left, REVOKE sent"), first);
        assertEquals(1, patches(), "REVOKE sent although AWS could not be reached");
        long reasons = partial.out()
                .lines()
                .filter(l -> l.contains("unreachable: " + down))
                .count();
        assertEquals(1, reasons, "one unreachable endpoint is said once: " + partial.out());
        assertFalse(partial.err().contains("LEFT:"), "progress is not the result: " + partial.err());
        assertFalse(partial.out().contains("grant kms:"), "an unreachable endpoint is not a permission");
    }

    @Test
    void plan_withAwsUnreachable_namesTheEndpoint_inOneLine_notAsAPermission() throws Exception {
        String down = deadEndpoint();
        Cli.Result r = cli().env("AWS_ENDPOINT_URL", down).run("plan", "--cluster", AWS_CLUSTER);
        assertEquals(6, r.exit(), r.all());
        List<String> errors =
                r.err().lines().filter(l -> l.startsWith("cmek: ")).toList();
        assertEquals(1, errors.size(), r.err());
        assertTrue(errors.get(0).contains(down) && errors.get(0).contains("unreachable"), errors.get(0));
        assertFalse(r.all().contains("HTTP 0") || r.all().contains("grant kms:"), r.all());
    }

    @Test
    void noAwsCredentials_theHeadlineSaysNothingWasRemoved_theReasonSaidOnce_revokeSent() throws Exception {
        enable();
        Path empty = Files.writeString(dir.resolve("empty"), "");

        Cli.Result r = exit(
                8,
                new Cli()
                        .api(sandbox)
                        .env("AWS_ENDPOINT_URL", MOTO.endpoint().toString())
                        .env("AWS_CONFIG_FILE", empty.toString())
                        .env("AWS_SHARED_CREDENTIALS_FILE", empty.toString())
                        .run(
                                "revoke",
                                "--cluster",
                                AWS_CLUSTER,
                                "--yes",
                                "--evidence",
                                dir.resolve("e").toString()));

        String first = r.out().lines().findFirst().orElse("");
        assertTrue(first.startsWith("partial: 0 grant(s) removed, "), first);
        assertTrue(first.endsWith(" left, REVOKE sent"), first);
        assertEquals(1, patches());
        assertEquals(
                1,
                r.out()
                        .lines()
                        .filter(l -> l.contains("no AWS credentials found"))
                        .count(),
                "the long reason is said once: " + r.out());
        assertTrue(trusts(snapshot()), "nothing was changed in AWS");
    }

    @Test
    void aRegionOfTheOtherCloud_isRefusedBeforeAnything() {
        Cli.Result r = exit(
                2,
                cli().run(
                                "revoke",
                                "--cluster",
                                AWS_CLUSTER,
                                "--yes",
                                "--cloud-only",
                                "--cloud",
                                "aws",
                                "--regions",
                                "us-central1",
                                "--evidence",
                                dir.resolve("e").toString()));
        assertTrue(r.err().contains("us-central1 is not an AWS Region"), r.err());
        assertFalse(Files.exists(dir.resolve("e")), "nothing written");
    }

    @Test
    void restore_ofARecordThatNeverSentRevoke_saysSo_insteadOfAnEmptyDate() throws Exception {
        enable();
        Path evidence = dir.resolve("incident");
        exit(
                0,
                cli().run(
                                "revoke",
                                "--cluster",
                                AWS_CLUSTER,
                                "--yes",
                                "--cloud-only",
                                "--manifest",
                                dir.resolve("m.json").toString(),
                                "--evidence",
                                evidence.toString()));

        Cli.Result restored = exit(0, cli().run("restore", "--evidence", evidence.toString()));

        assertTrue(restored.out().contains("This revocation never sent REVOKE"), restored.out());
        assertFalse(restored.out().contains("(not read)"), restored.out());
        assertFalse(restored.out().contains("was revoked at (REVOKE"), restored.out());
    }

    @Test
    void theEvidence_keepsTheTrustsIntentFirst_andEveryKeysAfterIt() throws Exception {
        enable();
        Path evidence = dir.resolve("incident");
        exit(0, revoke(evidence));
        List<String> intents = new ArrayList<>();
        JSON.readTree(Files.readString(evidence.resolve(EvidenceFile.FILE_NAME)))
                .get("steps")
                .forEach(step -> {
                    if (step.path("step").asText().equals(EvidenceFile.DOCUMENT_INTENT)) {
                        intents.add(step.path("type").asText());
                    }
                });
        assertEquals("role trust", intents.get(0), intents.toString());
        assertEquals(
                REGIONS.size(),
                intents.subList(1, intents.size()).stream()
                        .filter("key policy"::equals)
                        .count(),
                intents.toString());
    }

    @Test
    void roleMissing_isReportedNotACrash_theKeysLoseTheGrant_andRestorePutsThemBack() throws Exception {
        enable();
        raw.iam().deleteRole(b -> b.roleName(NAMES.roleName()));
        Map<String, PolicyDocument> before = snapshot();
        Path evidence = dir.resolve("incident");

        JsonNode doc = JSON.readTree(exit(0, revoke(evidence)).out());

        assertTrue(doc.get("notes").toString().contains("does not exist"), doc.toString());
        assertEquals(1, patches());
        assertEquals(0, grants(snapshot()));
        Cli.Result verify = exit(7, cli().run("verify", "--cluster", AWS_CLUSTER, "-o", "json"));
        assertTrue(verify.out().contains("does not exist"), verify.out());
        Cli.Result restored = exit(7, cli().run("restore", "--evidence", evidence.toString()));
        assertTrue(restored.out().contains("does not exist"), "verify says why: " + restored.out());
        assertEquals(before, snapshot(), "the key grants are back; the role was never cmek's to make again");
    }

    @Test
    void roleUntagged_isLeftAndNamed_exit8_andTheKeysStillLoseTheGrant() throws Exception {
        enable();
        raw.iam().untagRole(b -> b.roleName(NAMES.roleName()).tagKeys(ResourceNames.CLUSTER_TAG));
        Path evidence = dir.resolve("incident");

        Cli.Result r = exit(8, revoke(evidence));

        JsonNode doc = JSON.readTree(r.out());
        assertTrue(doc.get("left").toString().contains("not tagged"), doc.toString());
        assertTrue(trusts(snapshot()), "a role that is not ours is left untouched");
        assertEquals(0, grants(snapshot()));
        assertEquals(1, patches());
        Cli.Result verify = exit(7, cli().run("verify", "--cluster", AWS_CLUSTER));
        assertTrue(verify.out().contains("not tagged as ours"), verify.out());
    }

    @Test
    void keyPendingDeletionOutOfBand_stillLosesItsGrant_andVerifyReportsIt() throws Exception {
        Manifest manifest = enable();
        Map<String, PolicyDocument> before = snapshot();
        String west = manifest.find("us-west-2").orElseThrow().keySpec().uri();
        raw.kms(Region.US_WEST_2)
                .scheduleKeyDeletion(
                        b -> b.keyId(dev.cmek.aws.KeyArn.of(west).keyId()).pendingWindowInDays(7));
        Path evidence = dir.resolve("incident");

        exit(0, revoke(evidence));

        assertEquals(0, grants(snapshot()));
        Cli.Result verify = exit(7, cli().run("verify", "--cluster", AWS_CLUSTER));
        assertTrue(verify.out().contains("PendingDeletion"), verify.out());
        exit(7, cli().run("restore", "--evidence", evidence.toString()));
        assertEquals(before, snapshot(), "every grant is back, the pending key's too");
    }

    @Test
    void lostReplyOnTheFirstPolicyWrite_isRetried_andCountsAsRemoved() throws Exception {
        enable();
        Map<String, PolicyDocument> before = snapshot();
        MOTO.strict().loseReply("PutKeyPolicy", 1, StrictAws.LostReply.SERVER_ERROR);
        Path evidence = dir.resolve("incident");

        JsonNode doc = JSON.readTree(exit(0, revoke(evidence)).out());

        assertEquals(3, doc.get("removed").size(), doc.toString());
        assertEquals(0, grants(snapshot()));
        exit(0, cli().run("restore", "--evidence", evidence.toString()));
        assertEquals(before, snapshot());
    }

    @Test
    void orphanKeys_anOldGenerationAndAnUnaliasedTaggedKey_loseTheGrantToo() throws Exception {
        Manifest first = enable();
        exit(0, cli().run("rotate", "--cluster", AWS_CLUSTER, "--new-key", "--regions", "us-east-1"));
        String oldEast = first.find("us-east-1").orElseThrow().keySpec().uri();
        String role = first.find("us-east-1").orElseThrow().keySpec().authPrincipal();
        // A key an interrupted provision left: tagged ours, with the grant, but no alias and in no key spec.
        String orphan = raw.kms(Region.US_WEST_2)
                .createKey(b -> b.description("orphan")
                        .policy(new dev.cmek.aws.KeyPolicyGrant(NAMES.grantSid(), dev.cmek.aws.RoleArn.of(role))
                                .newKeyPolicy(MotoServer.ACCOUNT)
                                .json())
                        .tags(
                                Tag.builder()
                                        .tagKey(ResourceNames.CLUSTER_TAG)
                                        .tagValue(AWS_CLUSTER)
                                        .build(),
                                Tag.builder()
                                        .tagKey(ResourceNames.GENERATION_TAG)
                                        .tagValue("1")
                                        .build()))
                .keyMetadata()
                .arn();
        Map<String, PolicyDocument> before = snapshot();
        assertEquals(4, grants(before), "two first keys, one new key, one orphan");
        Path evidence = dir.resolve("incident");

        JsonNode doc = JSON.readTree(exit(0, revoke(evidence)).out());

        assertEquals(0, grants(snapshot()), snapshot().toString());
        String removed = doc.get("removed").toString();
        assertTrue(removed.contains(oldEast) && removed.contains(orphan), removed);
        exit(0, cli().run("restore", "--evidence", evidence.toString()));
        assertEquals(before, snapshot());
    }

    @Test
    void cloudOnly_withTheApiDownAndNoApiKey_revokesFromTheManifest_andRecordsThatTheApiWasNotRead() throws Exception {
        enable();
        Path manifest = dir.resolve("m.json");
        Map<String, PolicyDocument> before = snapshot();
        Path evidence = dir.resolve("incident");
        Cli offline = new Cli().aws(MOTO).env("COCKROACH_SERVER", "http://127.0.0.1:9");
        int apiBefore = sandbox.requestLog().size();

        Cli.Result r = exit(0, revokeFromManifest(offline, manifest, evidence, "-o", "json"));

        JsonNode doc = JSON.readTree(r.out());
        assertFalse(doc.get("api_read").booleanValue());
        assertFalse(doc.get("revoke_sent").booleanValue());
        assertEquals(apiBefore, sandbox.requestLog().size(), "the Cloud API was not called");
        assertFalse(trusts(snapshot()), "every Allow of our role's trust is gone");
        assertEquals(0, grants(snapshot()));
        JsonNode record = JSON.readTree(Files.readString(evidence.resolve(EvidenceFile.FILE_NAME)));
        assertFalse(record.get("api_read").booleanValue());
        assertTrue(record.get("account_id").isNull());

        Cli.Result restored = exit(0, new Cli().aws(MOTO).run("restore", "--evidence", evidence.toString()));
        assertTrue(restored.out().contains("not checked against the cluster"), restored.out());
        assertEquals(before, snapshot());
        exit(0, cli().run("verify", "--cluster", AWS_CLUSTER));

        // The same without a manifest: the regions and the cloud, the keys found by their tags.
        Path byRegions = dir.resolve("incident-2");
        exit(
                0,
                offline.run(
                        "revoke",
                        "--cluster",
                        AWS_CLUSTER,
                        "--yes",
                        "--cloud-only",
                        "--regions",
                        "us-east-1,us-west-2",
                        "--cloud",
                        "aws",
                        "--evidence",
                        byRegions.toString()));
        assertFalse(trusts(snapshot()));
        assertEquals(0, grants(snapshot()));
    }

    @Test
    void cloudOnly_anAwsEndpointThatIsNotAUrl_isBadInput_beforeAnythingIsWritten() throws Exception {
        enable();
        Path manifest = dir.resolve("m.json");
        Path evidence = dir.resolve("incident");
        // The AWS clients are built on a second thread once the manifest is read; the endpoint is checked before that,
        // on the command's own thread, so that bad input is still exit 2 with nothing written or sent.
        Cli broken = new Cli().aws(MOTO).env("AWS_ENDPOINT_URL", "http://user:secret@[not-a-host");

        Cli.Result r = exit(2, revokeFromManifest(broken, manifest, evidence));

        assertTrue(r.err().contains("AWS_ENDPOINT_URL is not a URL"), r.err());
        assertFalse(r.err().contains("secret"), "the value is not repeated: " + r.err());
        assertFalse(Files.exists(evidence), "nothing written");
        assertTrue(trusts(snapshot()), "nothing changed");
    }

    /**
     * Through the Cloud API too, an emulator endpoint that is not a URL is bad input found before the evidence record is
     * begun: exit 2, no file, no REVOKE, nothing changed in the cloud (it was found at the first AWS call, after the
     * record was begun).
     */
    @Test
    void anAwsEndpointThatIsNotAUrl_isBadInput_beforeTheRecordIsBegunOrRevokeSent() throws Exception {
        enable();
        Path evidence = dir.resolve("incident");
        Cli broken = cli().env("AWS_ENDPOINT_URL", "http://user:secret@[not-a-host");
        int patchesBefore = patches();

        Cli.Result r = exit(
                2,
                broken.run(
                        "revoke", "--cluster", AWS_CLUSTER, "--yes", "--evidence", evidence.toString(), "-o", "json"));

        assertTrue(r.out().contains("AWS_ENDPOINT_URL is not a URL"), r.out());
        assertFalse(r.out().contains("secret") || r.err().contains("secret"), "the value is not repeated");
        assertFalse(Files.exists(evidence), "nothing written");
        assertTrue(trusts(snapshot()), "nothing changed");
        assertEquals(patchesBefore, patches(), "no REVOKE was sent");
    }

    @Test
    void aCallThatNeverAnswers_isBoundedByTimeout_andReportedAsLeft() throws Exception {
        enable();
        MOTO.strict().neverAnswer("GetKeyPolicy", "us-west-2");
        Path evidence = dir.resolve("incident");
        long start = System.nanoTime();

        Cli.Result r = exit(8, revoke(evidence, "--timeout", "2s"));

        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertTrue(took.compareTo(Duration.ofSeconds(20)) < 0, "bounded: " + took);
        JsonNode doc = JSON.readTree(r.out());
        assertTrue(doc.get("left").toString().contains("us-west-2"), doc.toString());
        assertFalse(trusts(snapshot()));
        assertEquals(1, patches());
    }

    @Test
    void dryRun_listsTheTrustAndEveryKeyItFound_andChangesNothing() throws Exception {
        Manifest manifest = enable();
        Map<String, PolicyDocument> before = snapshot();
        Cli.Result r = exit(0, cli().run("revoke", "--cluster", AWS_CLUSTER, "--dry-run"));
        assertTrue(
                r.out()
                        .contains("would remove: role trust " + NAMES.roleName() + ": would remove the trust of"
                                + " arn:aws:iam::" + AWS_ACCOUNT + ":root"),
                r.out());
        for (var spec : manifest.regionSpecs()) {
            assertTrue(
                    r.out()
                            .contains(
                                    "would remove: key policy " + spec.keySpec().uri() + " (" + spec.region() + ")"),
                    r.out());
        }
        assertTrue(r.out().contains("then send REVOKE and wait for REVOKED"), r.out());
        assertEquals(before, snapshot());
        assertEquals(0, patches());
    }

    @Test
    void dryRun_ofARevokedCluster_plansNoRevoke_andListsWhatIsStillGranted() throws Exception {
        enable();
        exit(
                0,
                cli().run(
                                "revoke",
                                "--cluster",
                                AWS_CLUSTER,
                                "--yes",
                                "--api-only",
                                "--evidence",
                                dir.resolve("e").toString()));

        JsonNode doc = JSON.readTree(exit(0, cli().run("revoke", "--cluster", AWS_CLUSTER, "--dry-run", "-o", "json"))
                .out());

        assertFalse(doc.get("revoke_would_be_sent").booleanValue(), doc.toString());
        assertEquals(3, doc.get("would_remove").size(), "the trust and two keys still grant: " + doc);
        Cli.Result text = exit(0, cli().run("revoke", "--cluster", AWS_CLUSTER, "--dry-run"));
        assertTrue(text.out().contains("REVOKE would not be sent: the cluster is already REVOKED"), text.out());
    }

    @Test
    void apiOnly_doesNotSayRestoreWouldPutGrantsBack() throws Exception {
        enable();
        Cli.Result r = exit(
                0,
                cli().run(
                                "revoke",
                                "--cluster",
                                AWS_CLUSTER,
                                "--yes",
                                "--api-only",
                                "--evidence",
                                dir.resolve("e").toString()));
        assertEquals(
                "revoked: no grant removed (--api-only), REVOKE sent",
                r.out().lines().findFirst().orElse(""),
                r.out());
        assertFalse(r.out().contains("cmek restore"), r.out());
        Cli.Result restore =
                exit(2, cli().run("restore", "--evidence", dir.resolve("e").toString()));
        assertTrue(restore.err().contains("nothing to put back"), restore.err());
    }

    @Test
    void revokingAnAlreadyRevokedCluster_claimsNothingRemoved() throws Exception {
        enable();
        exit(0, revoke(dir.resolve("first")));
        JsonNode again = JSON.readTree(exit(0, revoke(dir.resolve("second"))).out());
        assertEquals(0, again.get("removed").size(), again.toString());
        assertEquals(1, patches(), "already REVOKED: not sent again");
    }

    /** Kills a real `cmek revoke` process with SIGKILL right after a write reached AWS, then finishes with a re-run. */
    @ParameterizedTest
    @ValueSource(strings = {"UpdateAssumeRolePolicy", "PutKeyPolicy"})
    void sigkillRightAfterAWrite_aRerunWithTheSameEvidenceFinishes_andRestorePutsAllBack(String write)
            throws Exception {
        enable();
        Map<String, PolicyDocument> before = snapshot();
        Path evidence = dir.resolve("incident");
        AtomicReference<Process> child = new AtomicReference<>();
        MOTO.strict().beforeReply(write, 1, () -> {
            Process p = child.get();
            p.destroyForcibly(); // SIGKILL on Linux: no shutdown hook, no last write
            try {
                p.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        ProcessBuilder pb = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        "dev.cmek.cli.Main",
                        "revoke",
                        "--cluster",
                        AWS_CLUSTER,
                        "--yes",
                        "--evidence",
                        evidence.toString())
                .redirectOutput(dir.resolve("child.out").toFile())
                .redirectError(dir.resolve("child.err").toFile());
        Map<String, String> env = pb.environment();
        env.put("COCKROACH_API_KEY", Sandboxes.API_KEY);
        env.put("COCKROACH_SERVER", sandbox.baseUri().toString());
        env.put("AWS_ENDPOINT_URL", MOTO.endpoint().toString());
        env.put("AWS_ACCESS_KEY_ID", MotoServer.ACCESS_KEY_ID);
        env.put("AWS_SECRET_ACCESS_KEY", MotoServer.SECRET_ACCESS_KEY);
        env.put("AWS_SESSION_TOKEN", MotoServer.SESSION_TOKEN);
        synchronized (child) {
            child.set(pb.start());
        }
        assertTrue(child.get().waitFor(120, TimeUnit.SECONDS), "the child ended");
        int code = child.get().exitValue();
        assertEquals(137, code, "killed by SIGKILL: " + Files.readString(dir.resolve("child.err")));
        JsonNode cut = JSON.readTree(Files.readString(evidence.resolve(EvidenceFile.FILE_NAME)));
        assertTrue(cut.toString().contains(EvidenceFile.DOCUMENT_INTENT), "the intent was kept before the write");
        assertFalse(cut.has("completed_at"));
        assertEquals(0, patches(), "killed before REVOKE");

        JsonNode done = JSON.readTree(exit(0, revoke(evidence)).out());

        assertTrue(done.get("removed").toString().contains("trust of"), done.toString());
        assertEquals(3, done.get("removed").size(), "the trust and both keys: " + done);
        assertFalse(trusts(snapshot()));
        assertEquals(0, grants(snapshot()));
        assertEquals(1, patches());
        exit(0, cli().run("restore", "--evidence", evidence.toString()));
        assertEquals(before, snapshot());
    }

    @Test
    void restore_refusesRecordsEditedToGrantWhatCmekNeverGrants_andWritesNothing() throws Exception {
        enable();
        Path evidence = dir.resolve("incident");
        exit(0, revoke(evidence));
        Map<String, PolicyDocument> revoked = snapshot();
        JsonNode original = JSON.readTree(Files.readString(evidence.resolve(EvidenceFile.FILE_NAME)));
        Predicate<ObjectNode> trustAllow = s -> "Allow".equals(s.path("Effect").asText())
                && s.path("Action").asText().equals("sts:AssumeRole");
        Predicate<ObjectNode> grant = s -> NAMES.grantSid().equals(s.path("Sid").asText());

        Map<String, JsonNode> edits = new TreeMap<>();
        edits.put("wildcard principal", editStatements(original, trustAllow, s -> {
            s.putObject("Principal").put("AWS", "*");
            return s;
        }));
        edits.put("dropped external id", editStatements(original, trustAllow, s -> {
            s.remove("Condition");
            return s;
        }));
        edits.put("another account", editStatements(original, trustAllow, s -> {
            s.putObject("Principal").put("AWS", "arn:aws:iam::999999999999:root");
            return s;
        }));
        edits.put("extra actions", editStatements(original, grant, s -> {
            ((ArrayNode) s.get("Action")).add("kms:*");
            return s;
        }));
        edits.put("grant to another account's role", editStatements(original, grant, s -> {
            s.putObject("Principal").put("AWS", "arn:aws:iam::999999999999:role/" + NAMES.roleName());
            return s;
        }));
        ObjectNode otherCluster = original.deepCopy();
        otherCluster.put("cluster_id", "00000000-0000-4000-8000-000000000042");
        edits.put("another cluster", otherCluster);

        for (Map.Entry<String, JsonNode> e : edits.entrySet()) {
            Path edited = dir.resolve("edited-" + e.getKey().replace(' ', '-'));
            Files.createDirectories(edited);
            Files.writeString(
                    edited.resolve(EvidenceFile.FILE_NAME),
                    JSON.writeValueAsString(EvidenceFile.resealed(e.getValue())));
            Cli.Result r = exit(2, new Cli().aws(MOTO).run("restore", "--evidence", edited.toString()));
            assertTrue(
                    r.err().contains("refused") && r.err().contains("nothing was written"),
                    e.getKey() + ": " + r.err());
            assertEquals(revoked, snapshot(), e.getKey() + ": nothing was written");
        }

        // A careless edit, digests not recomputed: caught and named by the digest.
        Path careless = dir.resolve("careless");
        Files.createDirectories(careless);
        String text = Files.readString(evidence.resolve(EvidenceFile.FILE_NAME));
        String edited = text.replace("kms:ReEncrypt*\\\"]", "kms:ReEncrypt*\\\",\\\"kms:*\\\"]");
        assertFalse(edited.equals(text), "the edit applies");
        Files.writeString(careless.resolve(EvidenceFile.FILE_NAME), edited);
        Cli.Result r = exit(2, new Cli().aws(MOTO).run("restore", "--evidence", careless.toString()));
        assertTrue(r.err().contains("changed after cmek wrote it") && r.err().contains("document_intent"), r.err());
        assertEquals(revoked, snapshot());

        // Another cluster named for the restore.
        Cli.Result named = exit(
                2,
                new Cli()
                        .aws(MOTO)
                        .run(
                                "restore",
                                "--evidence",
                                evidence.toString(),
                                "--cluster",
                                "00000000-0000-4000-8000-000000000042"));
        assertTrue(named.err().contains("not of 00000000-0000-4000-8000-000000000042"), named.err());
        exit(
                0,
                new Cli()
                        .aws(MOTO)
                        .run("restore", "--evidence", evidence.toString(), "--account", MotoServer.ACCOUNT.value()));
    }

    /**
     * The record with every matching statement of every intent edited the same way in its documents and its lists,
     * as a deliberate editor would keep them consistent.
     */
    static JsonNode editStatements(JsonNode record, Predicate<ObjectNode> which, UnaryOperator<ObjectNode> edit)
            throws Exception {
        ObjectNode copy = record.deepCopy();
        for (JsonNode step : copy.get("steps")) {
            if (!step.path("step").asText().equals(EvidenceFile.DOCUMENT_INTENT)) {
                continue;
            }
            ObjectNode intent = (ObjectNode) step.get("record");
            for (String doc : List.of("before", "after")) {
                if (intent.hasNonNull(doc)) {
                    ObjectNode d = (ObjectNode) JSON.readTree(intent.get(doc).asText());
                    ArrayNode statements = (ArrayNode) d.get("Statement");
                    for (int i = 0; i < statements.size(); i++) {
                        ObjectNode s = (ObjectNode) statements.get(i);
                        if (which.test(s)) {
                            statements.set(i, edit.apply(s.deepCopy()));
                        }
                    }
                    intent.put(doc, d.toString());
                }
            }
            for (String list : List.of("removed", "added")) {
                ArrayNode items = (ArrayNode) intent.get(list);
                for (int i = 0; i < items.size(); i++) {
                    ObjectNode s = (ObjectNode) JSON.readTree(items.get(i).asText());
                    if (which.test(s)) {
                        items.set(
                                i, JSON.getNodeFactory().textNode(edit.apply(s).toString()));
                    }
                }
            }
        }
        return copy;
    }

    /** {@code revoke --cloud-only --manifest FILE --evidence DIR} of the AWS cluster, without the Cloud API. */
    private static Cli.Result revokeFromManifest(Cli cli, Path manifest, Path evidence, String... more) {
        List<String> args = new ArrayList<>(List.of(
                "revoke",
                "--cluster",
                AWS_CLUSTER,
                "--yes",
                "--cloud-only",
                "--manifest",
                manifest.toString(),
                "--evidence",
                evidence.toString()));
        args.addAll(List.of(more));
        return cli.run(args.toArray(String[]::new));
    }
}
