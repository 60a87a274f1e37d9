package dev.cmek.cli;

import static dev.cmek.cli.Cli.ok;
import static dev.cmek.testing.Sandboxes.GCP_CLUSTER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.iam.v1.Binding;
import com.google.iam.v1.GetIamPolicyRequest;
import com.google.iam.v1.GetPolicyOptions;
import com.google.iam.v1.Policy;
import com.google.iam.v1.SetIamPolicyRequest;
import dev.cmek.gcp.GcpClients;
import dev.cmek.gcp.emulator.EmulatedMethod;
import dev.cmek.gcp.emulator.GcpEmulator;
import dev.cmek.sandbox.CloudApiSandbox;
import dev.cmek.sandbox.CloudKeyChecks;
import dev.cmek.testing.GcpEmulatorFixture;
import dev.cmek.testing.Sandboxes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The GCP workflows end to end through the CLI, with the emulator as strict as Google by default (new service accounts
 * invisible and new bindings ineffective for {@link GcpEmulator#DEFAULT_PROPAGATION}, HSM versions pending), and the
 * errors a new user meets on a real project: organization policy, disabled API, missing permission, no credentials,
 * half-set emulator variables.
 */
class GcpWorkflowTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PROJECT = "acme-keys";
    private static final String CRDB_MEMBER =
            "serviceAccount:crl-kms-user-" + GCP_CLUSTER.substring(GCP_CLUSTER.length() - 12) + "@"
                    + Sandboxes.GCP_ACCOUNT + ".iam.gserviceaccount.com";

    @RegisterExtension
    static final GcpEmulatorFixture GCP = new GcpEmulatorFixture();

    private GcpEmulator gcp;
    private CloudApiSandbox sandbox;

    @TempDir
    Path dir;

    @BeforeEach
    void startSandbox() {
        gcp = GCP.emulator();
        sandbox = Sandboxes.startCheckingKeys(
                Duration.ofMillis(100), CloudKeyChecks.of(Optional.empty(), Optional.of(CloudKeyChecks.gcp(gcp))));
    }

    @AfterEach
    void stopSandbox() {
        Sandboxes.closeConforming(sandbox);
    }

    private Cli bare() {
        return new Cli().api(sandbox).env("CMEK_GCP_PROJECT", PROJECT);
    }

    private Cli cli() {
        return GCP.env(bare());
    }

    /** The error is one line that says what to do, without Java or gRPC class names. */
    private static String oneLineError(Cli.Result r, int exit) {
        assertEquals(exit, r.exit(), () -> "stderr: " + r.err() + "\nstdout: " + r.out());
        List<String> errors =
                r.err().lines().filter(l -> l.startsWith("cmek: ")).toList();
        assertEquals(1, errors.size(), r.err());
        String error = errors.get(0);
        assertFalse(error.contains("io.grpc") || error.contains("Exception"), error);
        return error;
    }

    private Path enable() {
        Path manifest = dir.resolve("m.json");
        ok(cli().enableProvisioning(GCP_CLUSTER, manifest));
        return manifest;
    }

    @Test
    void plan_fromNothing_saysWouldCreate_forEveryResource_noneWouldUpdate() throws Exception {
        JsonNode plan = new ObjectMapper()
                .readTree(ok(cli().run("plan", "--cluster", GCP_CLUSTER, "-o", "json"))
                        .out());
        List<String> actions = new java.util.ArrayList<>();
        plan.get("changes")
                .forEach(c -> actions.add(
                        c.get("type").asText() + " " + c.get("action").asText()));
        // The account's policy and the key's are made with them: nothing exists yet to update.
        assertTrue(actions.contains("SERVICE_ACCOUNT_POLICY WOULD_CREATE"), actions.toString());
        assertTrue(actions.contains("CRYPTO_KEY_POLICY WOULD_CREATE"), actions.toString());
        assertTrue(actions.stream().noneMatch(a -> a.endsWith("WOULD_UPDATE")), actions.toString());
    }

    @Test
    void enable_withPropagationOn_printsTheEndpointsUsed_andVerifies() {
        Cli.Result r = ok(cli().enableProvisioning(GCP_CLUSTER, dir.resolve("m.json")));
        String host = gcp.endpoint().orElseThrow();
        assertTrue(
                r.err().contains("GCP endpoints: Cloud KMS " + host + " (plaintext), IAM and Resource Manager " + host),
                r.err());
        Cli.Result verified = ok(cli().run("verify", "--cluster", GCP_CLUSTER));
        assertTrue(
                verified.out()
                        .contains("not checked: the IAM policies of the folders and organization above" + " project "
                                + PROJECT),
                verified.out());
    }

    @Test
    void addRegion_withPropagationOn_provisionsTheNewRegionsKey() throws Exception {
        enable();
        ok(cli().run("add-region", "--cluster", GCP_CLUSTER, "--region", "us-east1", "--nodes", "3", "--provision"));
        JsonNode verify = JSON.readTree(
                ok(cli().run("verify", "--cluster", GCP_CLUSTER, "-o", "json")).out());
        assertTrue(verify.get("regions").has("us-east1"), verify.toString());
        assertEquals(2, gcp.cryptoKeyCount());
    }

    @Test
    void revokeWithoutImmediate_thenRestore_putsBackBothGrants() {
        enable();
        Path evidence = dir.resolve("evidence");
        ok(cli().run("revoke", "--cluster", GCP_CLUSTER, "--yes", "--evidence", evidence.toString()));
        assertEquals(7, cli().run("verify", "--cluster", GCP_CLUSTER).exit());
        ok(cli().run("restore", "--evidence", evidence.toString()));
        VerifyResults.grantsBackButCockroachStillRevoked(cli().run("verify", "--cluster", GCP_CLUSTER, "-o", "json"));
    }

    @Test
    void fleet_provisioningAGcpCluster_enablesIt() throws Exception {
        Path fleet = Files.writeString(
                dir.resolve("fleet.json"), "{\"clusters\": [{\"id\": \"" + GCP_CLUSTER + "\", \"provision\": true}]}");
        Cli.Result r = ok(cli().run("fleet", fleet.toString(), "-o", "json"));
        JsonNode doc = JSON.readTree(r.out());
        assertEquals("ENABLED", doc.get("clusters").get(0).get("outcome").textValue(), doc.toString());
        assertEquals(1, gcp.serviceAccountCount());
    }

    @Test
    void verify_findsAProjectLevelTokenCreator_andAKeyRingLevelEncrypter() throws Exception {
        enable();
        try (GcpClients clients = GcpClients.overChannel(gcp.channel())) {
            String project = "projects/" + PROJECT;
            Policy p = clients.projects().getIamPolicy(read(project));
            clients.projects()
                    .setIamPolicy(SetIamPolicyRequest.newBuilder()
                            .setResource(project)
                            .setPolicy(p.toBuilder()
                                    .addBindings(Binding.newBuilder()
                                            .setRole("roles/iam.serviceAccountTokenCreator")
                                            .addMembers("user:eve@example.com")))
                            .build());
            String ring = "projects/" + PROJECT + "/locations/us-central1/keyRings/crdb-cmek-" + GCP_CLUSTER;
            Policy r = clients.kms().getIamPolicy(read(ring));
            clients.kms()
                    .setIamPolicy(SetIamPolicyRequest.newBuilder()
                            .setResource(ring)
                            .setPolicy(r.toBuilder()
                                    .addBindings(Binding.newBuilder()
                                            .setRole("roles/cloudkms.cryptoKeyEncrypterDecrypter")
                                            .addMembers("group:ops@example.com")))
                            .build());
        }
        Cli.Result r = cli().run("verify", "--cluster", GCP_CLUSTER, "-o", "json");
        assertEquals(7, r.exit(), r.err());
        JsonNode doc = JSON.readTree(r.out());
        assertTrue(
                doc.get("principal_findings")
                        .toString()
                        .contains("on project " + PROJECT
                                + ", user:eve@example.com hold roles/iam.serviceAccountTokenCreator"),
                doc.toString());
        assertTrue(
                doc.get("regions")
                        .get("us-central1")
                        .get("findings")
                        .toString()
                        .contains("group:ops@example.com hold roles/cloudkms.cryptoKeyEncrypterDecrypter, so they can"
                                + " use every key in it"),
                doc.toString());
    }

    @Test
    void verify_whenTheProjectPolicyCannotBeRead_saysSo_andChecksTheRest() throws Exception {
        enable();
        gcp.denyPermission(EmulatedMethod.GET_PROJECT_IAM_POLICY, "resourcemanager.projects.getIamPolicy");
        JsonNode doc = JSON.readTree(
                ok(cli().run("verify", "--cluster", GCP_CLUSTER, "-o", "json")).out());
        assertTrue(doc.get("not_checked").toString().contains("the IAM policy of project " + PROJECT), doc.toString());
        assertTrue(doc.get("not_checked").toString().contains("resourcemanager.projects.getIamPolicy"), doc.toString());
    }

    @Test
    void organizationPolicy_refusingCockroachsIdentity_namesTheConstraintAndTheMember() {
        gcp.allowPolicyMembersOnlyFrom(PROJECT, "example.com");
        String error = oneLineError(cli().run("provision", "--cluster", GCP_CLUSTER), 3);
        assertTrue(error.contains("constraints/iam.allowedPolicyMemberDomains"), error);
        assertTrue(error.contains(CRDB_MEMBER), error);
    }

    @Test
    void disabledKmsApi_namesTheApiAndTheCommandThatEnablesIt() {
        gcp.disableApi("cloudkms.googleapis.com");
        String error = oneLineError(cli().run("provision", "--cluster", GCP_CLUSTER), 3);
        assertTrue(error.contains("gcloud services enable cloudkms.googleapis.com"), error);
    }

    @Test
    void missingPermission_namesThePermission() {
        gcp.denyPermission(EmulatedMethod.CREATE_KEY_RING, "cloudkms.keyRings.create");
        String error = oneLineError(cli().run("provision", "--cluster", GCP_CLUSTER), 3);
        assertTrue(error.contains("the permission cloudkms.keyRings.create"), error);
    }

    @Test
    void noApplicationDefaultCredentials_saysHowToLogIn() {
        Cli.Result r = bare().env(
                        "GOOGLE_APPLICATION_CREDENTIALS",
                        dir.resolve("no-such-key.json").toString())
                .run("provision", "--cluster", GCP_CLUSTER);
        String error = oneLineError(r, 3);
        assertTrue(error.contains("gcloud auth application-default login"), error);
        assertTrue(r.err().contains("GCP endpoints: Cloud KMS google (ADC)"), r.err());
    }

    @Test
    void halfSetOrEmptyEmulatorVariables_areBadInput_andNothingIsCreated() {
        String host = gcp.endpoint().orElseThrow();
        String half =
                oneLineError(bare().env("CLOUDKMS_EMULATOR_HOST", host).run("provision", "--cluster", GCP_CLUSTER), 2);
        assertTrue(half.contains("IAM_EMULATOR_HOST"), half);
        String empty = oneLineError(
                bare().env("CLOUDKMS_EMULATOR_HOST", host)
                        .env("IAM_EMULATOR_HOST", " ")
                        .run("provision", "--cluster", GCP_CLUSTER),
                2);
        assertTrue(empty.contains("IAM_EMULATOR_HOST is set but empty"), empty);
        assertEquals(0, gcp.cryptoKeyCount());
        assertEquals(0, gcp.serviceAccountCount());
    }

    @Test
    void plan_hsmWhereTheLocationHasNone_isBlocked() {
        gcp.kmsLocation("us-central1", false);
        Cli.Result r = cli().run("plan", "--cluster", GCP_CLUSTER, "--gcp-protection", "HSM");
        assertEquals(3, r.exit(), r.err() + r.out());
        assertTrue(r.all().contains("HSM keys are not available in location us-central1"), r.all());
        assertEquals(0, gcp.cryptoKeyCount());
    }

    private static GetIamPolicyRequest read(String resource) {
        return GetIamPolicyRequest.newBuilder()
                .setResource(resource)
                .setOptions(GetPolicyOptions.newBuilder().setRequestedPolicyVersion(3))
                .build();
    }
}
