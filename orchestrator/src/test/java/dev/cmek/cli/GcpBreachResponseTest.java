package dev.cmek.cli;

import static dev.cmek.cli.Cli.exit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.cloud.kms.v1.CryptoKey;
import com.google.cloud.kms.v1.KeyRingName;
import com.google.iam.admin.v1.GetServiceAccountRequest;
import com.google.iam.v1.GetIamPolicyRequest;
import com.google.iam.v1.GetPolicyOptions;
import com.google.iam.v1.Policy;
import dev.cmek.ExitCode;
import dev.cmek.gcp.GcpClients;
import dev.cmek.gcp.emulator.EmulatedMethod;
import dev.cmek.gcp.emulator.GcpEmulator;
import dev.cmek.model.Manifest;
import dev.cmek.model.ManifestCodec;
import dev.cmek.sandbox.CloudApiSandbox;
import dev.cmek.sandbox.CloudKeyChecks;
import dev.cmek.sandbox.SandboxConfig;
import dev.cmek.testing.GcpEmulatorFixture;
import dev.cmek.testing.Sandboxes;
import dev.cmek.workflow.EvidenceFile;
import io.grpc.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Breach response on GCP through the CLI, against the emulator (strict by default: propagation windows on) with its
 * knobs for PERMISSION_DENIED on one resource, lost replies and calls that never answer, and a three-region cluster in
 * the Cloud API sandbox.
 */
class GcpBreachResponseTest {
    @RegisterExtension
    static final GcpEmulatorFixture GCP = new GcpEmulatorFixture();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PROJECT = "acme-keys";
    private static final String CLUSTER = "b1a2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d";
    private static final String CRDB_ACCOUNT = "crl-prod-ledger";
    private static final List<String> REGIONS = List.of("us-central1", "us-east1", "europe-west1");
    private static final String SA = "crdb-cmek-0e1f2a3b4c5d@" + PROJECT + ".iam.gserviceaccount.com";
    private static final String CRDB =
            "serviceAccount:crl-kms-user-0e1f2a3b4c5d@" + CRDB_ACCOUNT + ".iam.gserviceaccount.com";
    private static final String CONFIG = """
            {"organization": {"id": "%s", "name": "acme"},
             "clusters": [
               {"id": "%s", "name": "ledger", "cloud_provider": "GCP", "account_id": "%s",
                "plan": "ADVANCED", "state": "CREATED", "network_visibility": "PRIVATE",
                "regions": [{"name": "us-central1", "node_count": 3}, {"name": "us-east1", "node_count": 3},
                            {"name": "europe-west1", "node_count": 3}]}]}
            """.formatted(Sandboxes.ORG_ID, CLUSTER, CRDB_ACCOUNT);

    private GcpEmulator gcp;
    private CloudApiSandbox sandbox;
    private GcpClients clients;

    @TempDir
    Path dir;

    @BeforeEach
    void start() {
        gcp = GCP.emulator();
        sandbox = CloudApiSandbox.builder()
                .config(SandboxConfig.parse(CONFIG))
                .apiKey(Sandboxes.API_KEY)
                .transitionDelay(Duration.ofMillis(100))
                .build()
                .start();
        sandbox.setKeySpecCheck(CloudKeyChecks.of(Optional.empty(), Optional.of(CloudKeyChecks.gcp(gcp))));
        sandbox.setRejectInaccessibleKeys(true);
        clients = GcpClients.overChannel(gcp.channel());
    }

    @AfterEach
    void stop() {
        clients.close();
        Sandboxes.closeConforming(sandbox);
    }

    private Cli cli() {
        return GCP.env(new Cli().api(sandbox)).env("CMEK_GCP_PROJECT", PROJECT);
    }

    private Manifest enable() {
        Path m = dir.resolve("m.json");
        exit(0, cli().enableProvisioning(CLUSTER, m));
        return ManifestCodec.read(m);
    }

    private Cli.Result revoke(Path evidence, String... more) {
        List<String> args = new ArrayList<>(
                List.of("revoke", "--cluster", CLUSTER, "--yes", "--evidence", evidence.toString(), "-o", "json"));
        args.addAll(List.of(more));
        return cli().run(args.toArray(String[]::new));
    }

    private Policy policy(String resource) {
        boolean key = resource.startsWith("projects/");
        GetIamPolicyRequest req = GetIamPolicyRequest.newBuilder()
                .setResource(key ? resource : "projects/" + PROJECT + "/serviceAccounts/" + resource)
                .setOptions(GetPolicyOptions.newBuilder().setRequestedPolicyVersion(3))
                .build();
        return key ? clients.kms().getIamPolicy(req) : clients.iam().getIamPolicy(req);
    }

    /** Every binding of our service account and of every key of our key rings, as the emulator holds them. */
    private Map<String, String> snapshot() {
        Map<String, String> out = new TreeMap<>();
        out.put(SA, bindings(policy(SA)));
        for (String region : REGIONS) {
            KeyRingName ring = KeyRingName.of(PROJECT, region, "crdb-cmek-" + CLUSTER);
            try {
                for (CryptoKey k : clients.kms().listCryptoKeys(ring).iterateAll()) {
                    out.put(k.getName(), bindings(policy(k.getName())));
                }
            } catch (com.google.api.gax.rpc.NotFoundException e) {
                // no ring in this region
            }
        }
        return out;
    }

    private static String bindings(Policy p) {
        List<String> out = new ArrayList<>();
        p.getBindingsList().forEach(b -> b.getMembersList().forEach(m -> out.add(b.getRole() + " " + m)));
        out.sort(null);
        return out.toString();
    }

    private static long grantsLeft(Map<String, String> snapshot) {
        return snapshot.values().stream()
                .filter(b -> b.contains("cryptoKeyEncrypterDecrypter serviceAccount:" + SA) || b.contains(CRDB))
                .count();
    }

    private boolean disabled() {
        return clients.iam()
                .getServiceAccount(GetServiceAccountRequest.newBuilder()
                        .setName("projects/" + PROJECT + "/serviceAccounts/" + SA)
                        .build())
                .getDisabled();
    }

    @Test
    void oneLocationRefusingTheCaller_theTokenCreatorAndTheOthersGo_revokeIsSent_exit8_thenARerunAndRestore()
            throws Exception {
        Manifest manifest = enable();
        Map<String, String> before = snapshot();
        String east = manifest.find("us-east1").orElseThrow().keySpec().uri();
        gcp.denyPermissionOn(
                EmulatedMethod.GET_KEY_IAM_POLICY,
                "projects/" + PROJECT + "/locations/us-east1/",
                "cloudkms.cryptoKeys.getIamPolicy");
        Path evidence = dir.resolve("incident");

        JsonNode doc = JSON.readTree(exit(8, revoke(evidence)).out());

        assertTrue(doc.get("left").toString().contains(east), doc.toString());
        assertTrue(doc.get("left").toString().contains("cloudkms.cryptoKeys.getIamPolicy"), doc.toString());
        assertTrue(doc.get("revoke_sent").booleanValue());
        assertEquals("REVOKED", doc.get("status").get("status").textValue());
        Cli.Result verify = exit(7, cli().run("verify", "--cluster", CLUSTER));
        assertTrue(verify.out().contains("us-east1"), "verify reports the refusal, never crashes: " + verify.out());
        gcp.clearFailures(); // the fix
        Map<String, String> during = snapshot();
        assertFalse(during.get(SA).contains(CRDB), "the token creator is gone: " + during);
        assertEquals(1, grantsLeft(during), "only us-east1 keeps its grant: " + during);

        JsonNode done = JSON.readTree(exit(0, revoke(evidence)).out());
        assertTrue(done.get("removed").toString().contains("roles/iam.serviceAccountTokenCreator"), done.toString());
        assertTrue(done.get("removed").toString().contains(east), done.toString());
        assertEquals(0, grantsLeft(snapshot()));

        exit(0, cli().run("restore", "--evidence", evidence.toString()));
        assertEquals(before, snapshot());
    }

    @Test
    void lostReplyOnTheFirstPolicyWrite_countsAsRemoved_andRestorePutsItBack() throws Exception {
        enable();
        Map<String, String> before = snapshot();
        gcp.loseReplyOfNext(EmulatedMethod.SET_SERVICE_ACCOUNT_IAM_POLICY, 1, Status.Code.UNAVAILABLE);
        Path evidence = dir.resolve("incident");

        JsonNode doc = JSON.readTree(exit(0, revoke(evidence)).out());

        assertTrue(doc.get("removed").toString().contains(CRDB.substring("serviceAccount:".length())), doc.toString());
        assertEquals(0, grantsLeft(snapshot()));
        exit(0, cli().run("restore", "--evidence", evidence.toString()));
        assertEquals(before, snapshot(), "the token creator whose reply was lost is back");
    }

    @Test
    void disablingRefusedPartWay_isLeftAndNamed_andEverythingKeptIsRestored() throws Exception {
        enable();
        Map<String, String> before = snapshot();
        gcp.denyPermission(EmulatedMethod.DISABLE_SERVICE_ACCOUNT, "iam.serviceAccounts.disable");
        Path evidence = dir.resolve("incident");

        JsonNode doc = JSON.readTree(exit(8, revoke(evidence, "--immediate")).out());

        assertTrue(doc.get("left").toString().contains("iam.serviceAccounts.disable"), doc.toString());
        assertEquals(0, grantsLeft(snapshot()), "the bindings went before the disable was tried");
        assertFalse(disabled());
        gcp.clearFailures();
        exit(0, cli().run("restore", "--evidence", evidence.toString()));
        assertEquals(before, snapshot());
        assertFalse(disabled());

        Path second = dir.resolve("incident-2");
        exit(0, revoke(second, "--immediate"));
        assertTrue(disabled());
        exit(0, cli().run("restore", "--evidence", second.toString()));
        assertFalse(disabled(), "restore enables the account the revocation disabled");
        assertEquals(before, snapshot());
    }

    @Test
    void cloudOnly_withTheApiDown_fromTheRegionsAndTheProject() throws Exception {
        enable();
        Map<String, String> before = snapshot();
        Path evidence = dir.resolve("incident");
        Cli offline = GCP.env(new Cli()).env("COCKROACH_SERVER", "http://127.0.0.1:9");
        int apiBefore = sandbox.requestLog().size();

        JsonNode doc = JSON.readTree(exit(
                        0,
                        offline.run(
                                "revoke",
                                "--cluster",
                                CLUSTER,
                                "--yes",
                                "--cloud-only",
                                "--regions",
                                String.join(",", REGIONS),
                                "--cloud",
                                "gcp",
                                "--gcp-project",
                                PROJECT,
                                "--evidence",
                                evidence.toString(),
                                "-o",
                                "json"))
                .out());

        assertFalse(doc.get("api_read").booleanValue());
        assertEquals(apiBefore, sandbox.requestLog().size(), "the Cloud API was not called");
        assertEquals(0, grantsLeft(snapshot()), snapshot().toString());
        Cli.Result restored = exit(0, GCP.env(new Cli()).run("restore", "--evidence", evidence.toString()));
        assertTrue(restored.out().contains("not checked against the cluster"), restored.out());
        assertEquals(before, snapshot());
        exit(0, cli().run("verify", "--cluster", CLUSTER));
    }

    private static String deadEndpoint() throws java.io.IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return "127.0.0.1:" + s.getLocalPort();
        }
    }

    private int patches() {
        return sandbox.requestLog()
                .exchanges(x -> x.method().equals("PATCH") && x.path().endsWith("/cmek"))
                .size();
    }

    @Test
    void apiUnreachable_theGrantsStillGo_fromTheServiceAccountFoundInTheProject_exit8_thenApiOnlyFinishes()
            throws Exception {
        enable();
        Map<String, String> before = snapshot();
        Path evidence = dir.resolve("incident");

        JsonNode doc = JSON.readTree(exit(
                        8,
                        cli().env("COCKROACH_SERVER", "http://" + deadEndpoint())
                                .run(
                                        "revoke",
                                        "--cluster",
                                        CLUSTER,
                                        "--yes",
                                        "--evidence",
                                        evidence.toString(),
                                        "-o",
                                        "json"))
                .out());

        assertTrue(
                doc.get("headline")
                        .textValue()
                        .startsWith("partial: 4 grant(s) removed, none left, REVOKE NOT"
                                + " sent (the Cloud API could not be read)"),
                doc.toString());
        assertFalse(doc.get("revoke_sent").booleanValue());
        assertEquals(0, grantsLeft(snapshot()), "every location's keys found from the project: " + snapshot());
        assertEquals(0, patches());
        JsonNode record = JSON.readTree(Files.readString(evidence.resolve(EvidenceFile.FILE_NAME)));
        assertEquals("GCP", record.path("cloud").asText(), record.toString());

        JsonNode sent = JSON.readTree(exit(
                        0,
                        cli().run(
                                        "revoke",
                                        "--cluster",
                                        CLUSTER,
                                        "--api-only",
                                        "--yes",
                                        "--evidence",
                                        evidence.toString(),
                                        "-o",
                                        "json"))
                .out());
        assertTrue(sent.get("revoke_sent").booleanValue(), sent.toString());
        assertEquals(1, patches());
        exit(0, cli().run("restore", "--evidence", evidence.toString()));
        assertEquals(before, snapshot());
    }

    @Test
    void apiUnreachable_andNoProjectToLookIn_changesNothing_andSaysWhatToGive() throws Exception {
        enable();
        Map<String, String> before = snapshot();
        Path evidence = dir.resolve("incident");

        Cli.Result r = exit(
                ExitCode.UNAVAILABLE.code(),
                GCP.env(new Cli())
                        .env("COCKROACH_SERVER", "http://" + deadEndpoint())
                        .env("COCKROACH_API_KEY", Sandboxes.API_KEY)
                        .run("revoke", "--cluster", CLUSTER, "--yes", "--evidence", evidence.toString()));

        assertEquals(1, r.err().lines().filter(l -> l.startsWith("cmek: ")).count(), "one error line: " + r.err());
        assertFalse(r.err().contains("retrying"), "a refused connection is not retried: " + r.err());
        assertTrue(
                r.err()
                        .contains("nothing was changed; name the cloud: cmek revoke --cluster " + CLUSTER
                                + " --cloud-only --cloud aws|gcp|azure --regions"),
                r.err());
        assertEquals(before, snapshot());
        assertFalse(disabled());
    }

    @Test
    void gcpUnreachable_theHeadlineSaysNothingWasRemoved_theEndpointSaidOnce_revokeSent() throws Exception {
        enable();
        String down = deadEndpoint();

        Cli.Result r = exit(
                8,
                cli().env("CLOUDKMS_EMULATOR_HOST", down)
                        .env("IAM_EMULATOR_HOST", down)
                        .run(
                                "revoke",
                                "--cluster",
                                CLUSTER,
                                "--yes",
                                "--evidence",
                                dir.resolve("e").toString()));

        String first = r.out().lines().findFirst().orElse("");
        assertTrue(first.startsWith("partial: 0 grant(s) removed, "), first);
        assertTrue(first.endsWith(" left, REVOKE sent"), first);
        assertEquals(1, patches(), "REVOKE is sent although GCP could not be reached");
        assertEquals(
                1,
                r.out().lines().filter(l -> l.contains("unreachable: " + down)).count(),
                "one unreachable endpoint is said once: " + r.out());
        assertFalse(r.err().contains("LEFT:"), r.err());
    }

    @Test
    void theEvidence_keepsTheServiceAccountsIntentFirst() throws Exception {
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
        assertEquals("service account policy", intents.get(0), intents.toString());
        assertEquals(3, intents.stream().filter("crypto key policy"::equals).count(), intents.toString());
    }

    @Test
    void anOldGeneration_losesTheGrantToo() throws Exception {
        Manifest first = enable();
        exit(0, cli().run("rotate", "--cluster", CLUSTER, "--new-key", "--regions", "us-central1"));
        Map<String, String> before = snapshot();
        String old = first.find("us-central1").orElseThrow().keySpec().uri();
        assertTrue(before.get(old).contains(SA), "the old key keeps its grant after rotation");

        exit(0, revoke(dir.resolve("incident")));

        assertEquals(0, grantsLeft(snapshot()), snapshot().toString());
        exit(0, cli().run("restore", "--evidence", dir.resolve("incident").toString()));
        assertEquals(before, snapshot());
    }

    @Test
    void aCallThatNeverAnswers_isBoundedByTimeout() throws Exception {
        enable();
        gcp.neverAnswer(EmulatedMethod.GET_KEY_IAM_POLICY, "projects/" + PROJECT + "/locations/europe-west1/");
        long start = System.nanoTime();

        JsonNode doc = JSON.readTree(
                exit(8, revoke(dir.resolve("incident"), "--timeout", "2s")).out());

        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertTrue(took.compareTo(Duration.ofSeconds(20)) < 0, "bounded: " + took);
        assertTrue(doc.get("left").toString().contains("europe-west1"), doc.toString());
        gcp.clearFailures();
        assertFalse(snapshot().get(SA).contains(CRDB));
    }

    @Test
    void dryRun_namesTheTokenCreatorBinding() {
        enable();
        Cli.Result r = exit(0, cli().run("revoke", "--cluster", CLUSTER, "--dry-run"));
        assertTrue(r.out().contains("would remove: service account policy " + SA), r.out());
        assertTrue(r.out().contains("crl-kms-user-0e1f2a3b4c5d@" + CRDB_ACCOUNT), r.out());
        assertEquals(
                3,
                r.out()
                        .lines()
                        .filter(l -> l.contains("would remove: crypto key policy"))
                        .count(),
                "every key in use, as found: " + r.out());
    }

    @Test
    void restore_refusesRecordsEditedToGrantAnotherMemberOrAnotherCluster_andWritesNothing() throws Exception {
        enable();
        Path evidence = dir.resolve("incident");
        exit(0, revoke(evidence, "--immediate"));
        Map<String, String> revoked = snapshot();
        JsonNode original = JSON.readTree(Files.readString(evidence.resolve(EvidenceFile.FILE_NAME)));

        List<JsonNode> edits = List.of(
                editGrants(original, "serviceAccount:attacker@evil-proj.iam.gserviceaccount.com"),
                editGrants(original, "serviceAccount:crl-kms-user-0e1f2a3b4c5d@another-acct.iam.gserviceaccount.com"),
                ((ObjectNode) original.deepCopy()).put("cluster_id", "00000000-0000-4000-8000-000000000042"));
        int i = 0;
        for (JsonNode edited : edits) {
            Path d = dir.resolve("edited-" + i++);
            Files.createDirectories(d);
            Files.writeString(
                    d.resolve(EvidenceFile.FILE_NAME), JSON.writeValueAsString(EvidenceFile.resealed(edited)));
            Cli.Result r = exit(2, GCP.env(new Cli()).run("restore", "--evidence", d.toString()));
            assertTrue(r.err().contains("refused") && r.err().contains("nothing was written"), r.err());
            assertEquals(revoked, snapshot());
            assertTrue(disabled(), "not even enabled");
        }
    }

    /** Every token-creator grant an intent removed, in its policy before and its list, given to {@code member}. */
    private static JsonNode editGrants(JsonNode record, String member) {
        ObjectNode copy = record.deepCopy();
        for (JsonNode step : copy.get("steps")) {
            if (!step.path("step").asText().equals(EvidenceFile.DOCUMENT_INTENT)) {
                continue;
            }
            JsonNode intent = step.get("record");
            for (JsonNode g : intent.path("removed")) {
                if (g.path("role").asText().equals("roles/iam.serviceAccountTokenCreator")) {
                    ((ObjectNode) g.get("member")).put("value", member);
                }
            }
            for (JsonNode b : intent.path("before").path("bindings")) {
                if (b.path("role").asText().equals("roles/iam.serviceAccountTokenCreator")) {
                    ((ArrayNode) b.get("members")).add(member);
                }
            }
        }
        return copy;
    }
}
