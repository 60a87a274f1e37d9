package dev.cmek.cli;

import static dev.cmek.cli.Cli.exit;
import static dev.cmek.cli.Cli.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cmek.azure.AzureClients;
import dev.cmek.azure.AzureCmek;
import dev.cmek.azure.KeyUri;
import dev.cmek.azure.emulator.AzureEmulator;
import dev.cmek.azure.emulator.EmulatorViews;
import dev.cmek.sandbox.CloudApiSandbox;
import dev.cmek.sandbox.CloudKeyChecks;
import dev.cmek.sandbox.SandboxConfig;
import dev.cmek.testing.AzureEmulatorFixture;
import dev.cmek.testing.Sandboxes;
import dev.cmek.workflow.EvidenceFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The Azure workflows end to end through the CLI: the sandbox checks each submitted key as CockroachDB would (a token as
 * the cluster's app in the key spec's tenant, then encrypt and decrypt with the version named), and the emulator is as
 * strict as Azure by default (role assignments and new service principals take effect after
 * {@link AzureEmulator#DEFAULT_PROPAGATION}).
 */
class AzureWorkflowTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String CLUSTER = "6f1d7a0e-3b2c-4d5e-8f90-a1b2c3d4e5f6";
    static final String APP = "0b7c9d1e-2f3a-4b5c-9d6e-7f8091a2b3c4";
    static final String CONFIG =
            """
            {"organization": {"id": "%s", "name": "acme"},
             "clusters": [
               {"id": "%s", "name": "orders", "cloud_provider": "AZURE", "azure_cluster_identity_client_id": "%s",
                "plan": "ADVANCED", "state": "CREATED", "network_visibility": "PRIVATE",
                "regions": [{"name": "eastus", "node_count": 3}, {"name": "westeurope", "node_count": 3}]},
               {"id": "%s", "name": "payments", "cloud_provider": "AWS", "account_id": "%s",
                "plan": "ADVANCED", "state": "CREATED", "network_visibility": "PRIVATE",
                "regions": [{"name": "us-east-1", "node_count": 3}]}
             ]}
            """.formatted(Sandboxes.ORG_ID, CLUSTER, APP, Sandboxes.AWS_CLUSTER, Sandboxes.AWS_ACCOUNT);
    static final String CRYPTO_USER = "Key Vault Crypto User";

    @RegisterExtension
    static final AzureEmulatorFixture AZURE = new AzureEmulatorFixture();

    AzureEmulator azure;
    CloudApiSandbox sandbox;

    @TempDir
    Path dir;

    @BeforeEach
    void startSandbox() {
        azure = AZURE.emulator();
        SandboxConfig config = SandboxConfig.parse(CONFIG);
        AZURE.registerClusterApps(config);
        sandbox = CloudApiSandbox.builder()
                .config(config)
                .apiKey(Sandboxes.API_KEY)
                .transitionDelay(Duration.ofMillis(100))
                .build()
                .start();
        sandbox.setKeySpecCheck(
                CloudKeyChecks.of(Optional.empty(), Optional.empty(), Optional.of(CloudKeyChecks.azure(azure))));
        sandbox.setRejectInaccessibleKeys(true);
    }

    @AfterEach
    void stopSandbox() {
        Sandboxes.closeConforming(sandbox);
    }

    Cli cli() {
        return AZURE.env(new Cli().api(sandbox));
    }

    Path enable() {
        Path manifest = dir.resolve("m.json");
        ok(cli().enableProvisioning(CLUSTER, manifest));
        return manifest;
    }

    /** The cluster app's role assignments, as the emulator holds them. */
    List<EmulatorViews.RoleAssignment> crdbAssignments() {
        String principal =
                azure.servicePrincipal(azure.tenantId(), APP).orElseThrow().id();
        return azure.roleAssignments().stream()
                .filter(a -> a.principalId().equals(principal))
                .toList();
    }

    @Test
    void enableProvisioning_writesVersionedUris_grantsCryptoUserOnEachKeyOnly_andARerunChangesNothing()
            throws Exception {
        Path manifest = enable();
        JsonNode doc = JSON.readTree(Files.readString(manifest));
        JsonNode regions = doc.get("region_specs");
        assertEquals(2, regions.size(), doc.toString());
        for (JsonNode region : regions) {
            JsonNode spec = region.get("key_spec");
            assertEquals("AZURE_KEY_VAULT", spec.get("type").textValue());
            assertEquals(azure.tenantId(), spec.get("auth_principal").textValue());
            assertTrue(
                    spec.get("uri")
                            .textValue()
                            .matches("https://[a-z0-9-]{3,24}\\.vault\\.azure\\.net/keys/[^/]+/[0-9a-f]{32}"),
                    spec.toString());
        }
        List<EmulatorViews.RoleAssignment> grants = crdbAssignments();
        assertEquals(2, grants.size(), grants.toString());
        for (EmulatorViews.RoleAssignment grant : grants) {
            assertEquals(CRYPTO_USER, grant.roleName(), grant.toString());
            assertTrue(grant.scope().contains("/keys/"), "scoped to the key, not the vault: " + grant.scope());
        }
        for (EmulatorViews.Vault vault : azure.vaults()) {
            assertTrue(
                    vault.rbacAuthorization() && vault.purgeProtection() && vault.softDeleteRetentionDays() > 0,
                    vault.toString());
        }

        JsonNode status = JSON.readTree(
                ok(cli().run("status", "--cluster", CLUSTER, "-o", "json")).out());
        assertEquals("ENABLED", status.get("status").textValue(), status.toString());
        ok(cli().run("verify", "--cluster", CLUSTER));

        azure.resetCallCounts();
        Cli.Result again = ok(cli().run(
                        "provision",
                        "--cluster",
                        CLUSTER,
                        "--out",
                        dir.resolve("again.json").toString(),
                        "-o",
                        "json"));
        assertTrue(writes().isEmpty(), "a re-run writes nothing: " + writes() + "\n" + again.out());
        assertEquals(grants, crdbAssignments());
    }

    String uri(Path manifest, String region) throws Exception {
        for (JsonNode r : JSON.readTree(Files.readString(manifest)).get("region_specs")) {
            if (r.get("region").textValue().equals(region)) {
                return r.get("key_spec").get("uri").textValue();
            }
        }
        throw new AssertionError("no " + region + " in " + Files.readString(manifest));
    }

    /** The key spec URIs CockroachDB holds for the cluster now, by region. */
    JsonNode submitted() throws Exception {
        return JSON.readTree(
                ok(cli().run("status", "--cluster", CLUSTER, "-o", "json")).out());
    }

    @Test
    void rotateNewVersion_submitsTheNewVersionedUri_andKeepsTheOldVersionEnabled() throws Exception {
        Path manifest = enable();
        String old = uri(manifest, "eastus");
        KeyUri key = KeyUri.parse(old);

        ok(cli().run("rotate", "--cluster", CLUSTER, "--new-version", "--regions", "eastus"));

        String now = azure.key(key.vaultName(), key.keyName())
                .orElseThrow()
                .current()
                .kid();
        assertEquals(key.unversioned(), KeyUri.parse(now).unversioned(), "the same key");
        assertFalse(now.equals(old), "a new version: " + now);
        assertTrue(submitted().toString().contains(now), submitted().toString());
        assertTrue(submitted().toString().contains(uri(manifest, "westeurope")), "the other region is untouched");
        List<EmulatorViews.KeyVersion> versions =
                azure.key(key.vaultName(), key.keyName()).orElseThrow().versions();
        assertEquals(2, versions.size(), versions.toString());
        assertTrue(versions.stream().allMatch(EmulatorViews.KeyVersion::enabled), "no version is disabled");
    }

    @Test
    void rewrapIfRotated_submitsTheVersionAutomaticRotationMade_thenNothing() throws Exception {
        Path manifest = enable();
        JsonNode nothing =
                JSON.readTree(ok(cli().run("rotate", "--cluster", CLUSTER, "--rewrap", "--if-rotated", "-o", "json"))
                        .out());
        assertEquals("NOTHING_ROTATED", nothing.get("action").textValue(), nothing.toString());

        // What Azure's rotation policy does when the period ends: a new version of the same key.
        KeyUri rotated = new AzureCmek(
                        AzureClients.builder().environment(azure.env()).build())
                .rotateKeyMaterial(KeyUri.parse(uri(manifest, "westeurope")));

        JsonNode rewrapped =
                JSON.readTree(ok(cli().run("rotate", "--cluster", CLUSTER, "--rewrap", "--if-rotated", "-o", "json"))
                        .out());
        assertEquals("REWRAPPED", rewrapped.get("action").textValue(), rewrapped.toString());
        assertTrue(submitted().toString().contains(rotated.value()), submitted().toString());
        assertTrue(submitted().toString().contains(uri(manifest, "eastus")), "eastus keeps its version");

        JsonNode again =
                JSON.readTree(ok(cli().run("rotate", "--cluster", CLUSTER, "--rewrap", "--if-rotated", "-o", "json"))
                        .out());
        assertEquals("NOTHING_ROTATED", again.get("action").textValue(), again.toString());
    }

    @Test
    void addRegion_provisionsTheNewRegionsVaultAndKey() throws Exception {
        enable();
        ok(cli().run("add-region", "--cluster", CLUSTER, "--region", "centralindia", "--nodes", "3", "--provision"));
        JsonNode verify = JSON.readTree(
                ok(cli().run("verify", "--cluster", CLUSTER, "-o", "json")).out());
        assertTrue(verify.get("regions").has("centralindia"), verify.toString());
        assertEquals(3, crdbAssignments().size());
        assertEquals(3, azure.vaults().size());
    }

    @Test
    void revoke_turnsOffTheAppsSignInFirst_removesEveryGrant_andRestorePutsBackExactlyThat() throws Exception {
        enable();
        List<EmulatorViews.RoleAssignment> before = crdbAssignments();
        Path evidence = dir.resolve("incident");

        Cli.Result r = ok(cli().run("revoke", "--cluster", CLUSTER, "--yes", "--evidence", evidence.toString()));

        assertTrue(r.out().lines().findFirst().orElse("").startsWith("revoked:"), r.out());
        assertTrue(crdbAssignments().isEmpty(), crdbAssignments().toString());
        assertFalse(azure.servicePrincipal(azure.tenantId(), APP).orElseThrow().accountEnabled());
        List<String> intents = new ArrayList<>();
        JSON.readTree(Files.readString(evidence.resolve(EvidenceFile.FILE_NAME)))
                .get("steps")
                .forEach(step -> {
                    if (step.path("step").asText().equals(EvidenceFile.DOCUMENT_INTENT)) {
                        intents.add(step.path("type").asText());
                    }
                });
        assertEquals(3, intents.size(), intents.toString());
        assertTrue(intents.get(0).contains("sign-in"), "the master switch is recorded first: " + intents);
        assertEquals(7, cli().run("verify", "--cluster", CLUSTER).exit());

        Cli.Result restored = ok(cli().run("restore", "--evidence", evidence.toString()));
        assertTrue(azure.servicePrincipal(azure.tenantId(), APP).orElseThrow().accountEnabled());
        String written = r.all() + restored.all() + Files.readString(evidence.resolve(EvidenceFile.FILE_NAME));
        for (String secret : List.of(azure.admin().clientSecret(), Sandboxes.API_KEY)) {
            assertFalse(written.contains(secret), "a secret in the output or the evidence");
        }
        assertEquals(
                before.stream().map(EmulatorViews.RoleAssignment::name).sorted().toList(),
                crdbAssignments().stream()
                        .map(EmulatorViews.RoleAssignment::name)
                        .sorted()
                        .toList(),
                "the same assignments, by their deterministic names");
    }

    @Test
    void revokeCloudOnly_withTheApiDown_removesEveryGrantFromTheManifest() throws Exception {
        Path manifest = enable();
        Cli down = withoutApi();
        Path evidence = dir.resolve("incident");
        Cli.Result r = down.run(manifestRevoke(evidence, manifest));
        assertEquals(0, r.exit(), r.all());
        assertTrue(crdbAssignments().isEmpty(), crdbAssignments().toString());
        assertFalse(azure.servicePrincipal(azure.tenantId(), APP).orElseThrow().accountEnabled());
        assertTrue(r.all().contains("--api-only"), "says how to send REVOKE later: " + r.all());
    }

    /** {@code cmek revoke --cloud-only --manifest manifest} of the cluster, its evidence in {@code evidence}. */
    private static String[] manifestRevoke(Path evidence, Path manifest, String... more) {
        List<String> args = new ArrayList<>(List.of(
                "revoke",
                "--cluster",
                CLUSTER,
                "--yes",
                "--evidence",
                evidence.toString(),
                "--cloud-only",
                "--manifest",
                manifest.toString()));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    /** The emulator's environment with a Cloud API that nothing answers. */
    private static Cli withoutApi() {
        return AZURE.env(
                new Cli().env("COCKROACH_API_KEY", Sandboxes.API_KEY).env("COCKROACH_SERVER", "http://127.0.0.1:9"));
    }

    /** {@code cmek revoke --cloud-only} of the cluster's two regions, its evidence in {@code incident}. */
    private static Cli.Result revokeCloudOnly(Cli cli, Path incident) {
        return cli.run(
                "revoke",
                "--cluster",
                CLUSTER,
                "--yes",
                "--evidence",
                incident.toString(),
                "--cloud-only",
                "--regions",
                "eastus,westeurope",
                "--cloud",
                "azure");
    }

    @Test
    void revokeCloudOnly_withAnUnreadableEmulatorCa_isBadInput_fromTheClientsBuiltAhead() throws Exception {
        enable();
        Cli bad = withoutApi()
                .env("AZURE_EMULATOR_CA", dir.resolve("no-such-ca.pem").toString());

        Cli.Result r = exit(2, revokeCloudOnly(bad, dir.resolve("incident")));

        assertTrue(r.err().contains("AZURE_EMULATOR_CA"), r.err());
        assertEquals(2, crdbAssignments().size(), "nothing removed: " + crdbAssignments());
    }

    @Test
    void revoke_withBadAzureSettings_isBadInput_beforeTheEvidenceIsWritten() throws Exception {
        enable();
        for (String[] setting : new String[][] {
            {"AZURE_DISABLE_INSTANCE_DISCOVERY", "yes", "AZURE_DISABLE_INSTANCE_DISCOVERY must be true or false"},
            {"AZURE_EMULATOR_CA", "", "AZURE_EMULATOR_HOST is set but AZURE_EMULATOR_CA is not"},
            {"AZURE_SUBSCRIPTION_ID", "not-a-guid", "AZURE_SUBSCRIPTION_ID must be a GUID"}
        }) {
            Path incident = dir.resolve("incident-" + setting[0]);

            Cli.Result r = exit(2, revokeCloudOnly(withoutApi().env(setting[0], setting[1]), incident));

            assertTrue(r.err().contains(setting[2]), r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertFalse(Files.exists(incident), "no evidence written for bad input: " + incident);
        }
        // With the Cloud API too: the cluster is read, then refused before the record is begun and REVOKE is sent.
        Path incident = dir.resolve("incident-api");
        Cli.Result r = exit(
                2,
                cli().env("AZURE_DISABLE_INSTANCE_DISCOVERY", "1")
                        .run("revoke", "--cluster", CLUSTER, "--yes", "--evidence", incident.toString()));
        assertTrue(r.err().contains("AZURE_DISABLE_INSTANCE_DISCOVERY must be true or false, got '1'"), r.err());
        assertFalse(Files.exists(incident), "no evidence written for bad input: " + incident);
        assertEquals(
                "ENABLED", submitted().get("status").textValue(), submitted().toString());
        assertEquals(2, crdbAssignments().size(), "nothing removed: " + crdbAssignments());
    }

    @Test
    void consentRequired_stopsBeforeAnyChange_withTheAdminConsentUrl() {
        azure.directoryWrites(azure.admin().clientId(), false);
        azure.resetCallCounts();
        Cli.Result r = exit(3, cli().run("plan", "--cluster", CLUSTER));
        assertTrue(
                r.err()
                        .contains("https://login.microsoftonline.com/" + azure.tenantId() + "/adminconsent?client_id="
                                + APP),
                r.err());
        Cli.Result p = exit(3, cli().run("provision", "--cluster", CLUSTER));
        assertTrue(p.err().contains("/adminconsent?client_id=" + APP), p.err());
        assertTrue(azure.vaults().isEmpty());
        assertTrue(writes().stream().allMatch(w -> w.equals("graph.servicePrincipals.create")), writes().toString());
    }

    @Test
    void badInput_isOneLine_exit2_andNothingIsMade() throws Exception {
        Cli.Result onAws =
                exit(2, cli().run("provision", "--cluster", Sandboxes.AWS_CLUSTER, "--azure-protection", "HSM"));
        assertTrue(onAws.err().contains("--azure-protection"), onAws.err());
        Cli.Result badProtection =
                exit(2, cli().run("provision", "--cluster", CLUSTER, "--azure-protection", "HARDWARE"));
        assertEquals(
                1,
                badProtection.err().lines().filter(l -> l.startsWith("cmek: ")).count(),
                badProtection.err());
        Path unversioned = Files.writeString(dir.resolve("m.json"), """
                {"region_specs": [{"region": "eastus", "key_spec": {"type": "AZURE_KEY_VAULT",
                  "uri": "https://crdb-orders.vault.azure.net/keys/crdb-cmek", "auth_principal": "%s"}}]}
                """.formatted(azure.tenantId()));
        Cli.Result validate = exit(2, cli().run("manifest", "validate", unversioned.toString()));
        assertTrue(validate.err().contains("version"), validate.err());
        exit(2, cli().run("enable", "--cluster", CLUSTER, "--manifest", unversioned.toString()));
        assertTrue(azure.vaults().isEmpty());
        assertEquals(
                0,
                sandbox.requestLog().exchanges().stream()
                        .filter(e -> !e.method().equals("GET"))
                        .count());
    }

    @Test
    void auditAndFleet_coverAzureClusters() throws Exception {
        Path fleet = Files.writeString(
                dir.resolve("fleet.json"), "{\"clusters\": [{\"id\": \"" + CLUSTER + "\", \"provision\": true}]}");
        JsonNode done = JSON.readTree(
                ok(cli().run("fleet", fleet.toString(), "-o", "json")).out());
        assertEquals("ENABLED", done.get("clusters").get(0).get("outcome").textValue(), done.toString());

        Cli.Result audit = cli().run("audit", "-o", "json");
        assertEquals(0, audit.exit(), audit.all());
        JsonNode row = null;
        for (JsonNode c : JSON.readTree(audit.out()).get("clusters")) {
            if (c.get("cluster_id").textValue().equals(CLUSTER)) {
                row = c;
            }
        }
        assertTrue(row != null, audit.out());
        assertEquals("AZURE", row.get("cloud").textValue(), row.toString());
        assertEquals(true, row.get("cloud_reachable").booleanValue(), row.toString());
        assertEquals(2, row.get("regions").size(), row.toString());
        for (JsonNode region : row.get("regions")) {
            assertTrue(region.get("key").textValue().contains(".vault.azure.net/keys/"), region.toString());
            List<String> passed = new ArrayList<>();
            region.get("controls").forEach(c -> {
                if (c.get("verdict").textValue().equals("PASS")) {
                    passed.add(c.get("id").textValue());
                }
            });
            assertTrue(
                    passed.containsAll(List.of("key_usable", "key_rotation", "key_recoverable", "exact_grant")),
                    region.toString());
        }
    }

    @Test
    void cryptoOfficer_isGrantedOnTheVaultOnlyWhenAsked_andVerifySaysItIsBroader() throws Exception {
        ok(cli().enableProvisioning(CLUSTER, dir.resolve("m.json"), "--azure-crypto-officer"));
        assertEquals(2, crdbAssignments().size(), crdbAssignments().toString());
        assertTrue(
                crdbAssignments().stream()
                        .allMatch(a -> a.roleName().equals("Key Vault Crypto Officer")
                                && !a.scope().contains("/keys/")),
                crdbAssignments().toString());
        Cli.Result verify = cli().run("verify", "--cluster", CLUSTER);
        assertTrue(verify.all().contains("broader"), verify.all());

        // Restore puts the broader role back only when asked for it again.
        Path evidence = dir.resolve("incident");
        ok(cli().run("revoke", "--cluster", CLUSTER, "--yes", "--evidence", evidence.toString()));
        Cli.Result refused = exit(2, cli().run("restore", "--evidence", evidence.toString()));
        assertTrue(refused.err().contains("--azure-crypto-officer"), refused.all());
        assertTrue(crdbAssignments().isEmpty(), crdbAssignments().toString());
        assertFalse(azure.servicePrincipal(azure.tenantId(), APP).orElseThrow().accountEnabled());
        // Back as it was, which verify (run by restore) judges broader than needed, as before the revocation: exit 7.
        Cli.Result back = exit(7, cli().run("restore", "--evidence", evidence.toString(), "--azure-crypto-officer"));
        assertTrue(back.err().contains("exact_grant"), back.all());
        assertEquals(2, crdbAssignments().size(), crdbAssignments().toString());
        assertTrue(azure.servicePrincipal(azure.tenantId(), APP).orElseThrow().accountEnabled());
    }

    @Test
    void theSdksLoggers_areOff_soARefusedSignInIsOneLineOfCmeksOwn() {
        // slf4j-simple reads simplelogger.properties from the CLI's classpath, as the CLI does: MSAL and azure-core log
        // each refused sign-in (class names, sometimes a stack) to the process's stderr before cmek's own line.
        assertFalse(LoggerFactory.getLogger("com.azure.core.http.policy.RetryPolicy")
                .isErrorEnabled());
        assertFalse(LoggerFactory.getLogger("com.azure.identity.implementation.IdentityClient")
                .isErrorEnabled());
        assertFalse(LoggerFactory.getLogger("com.microsoft.aad.msal4j.ConfidentialClientApplication")
                .isErrorEnabled());
        assertTrue(LoggerFactory.getLogger("software.amazon.awssdk.core").isWarnEnabled(), "the other libraries speak");
    }

    @Test
    void revokeImmediate_removesTheSame_andSaysAzureMayHonourARemovedAssignmentForAWhile() throws Exception {
        enable();

        Cli.Result r = ok(cli().run(
                        "revoke",
                        "--cluster",
                        CLUSTER,
                        "--yes",
                        "--immediate",
                        "--evidence",
                        dir.resolve("i").toString()));

        assertTrue(crdbAssignments().isEmpty(), crdbAssignments().toString());
        assertFalse(azure.servicePrincipal(azure.tenantId(), APP).orElseThrow().accountEnabled());
        assertTrue(r.all().contains("--immediate adds nothing on Azure"), r.all());
        assertTrue(r.all().contains("honour a removed assignment for a while"), r.all());
    }

    @Test
    void restore_isHeldToTheSubscriptionNamed_andRefusesAnotherBeforeWritingAnything() throws Exception {
        enable();
        Path evidence = dir.resolve("incident");
        ok(cli().run("revoke", "--cluster", CLUSTER, "--yes", "--evidence", evidence.toString()));
        String other = "00000000-0000-4000-8000-000000000000";

        for (Cli cli : List.of(
                cli().env("AZURE_SUBSCRIPTION_ID", other), AZURE.env(new Cli()).env("AZURE_SUBSCRIPTION_ID", other))) {
            Cli.Result r = exit(2, cli.run("restore", "--evidence", evidence.toString()));
            assertTrue(r.err().contains("not " + other + " (AZURE_SUBSCRIPTION_ID)"), r.all());
            assertTrue(r.err().contains("restore with --account " + azure.subscriptionId()), r.all());
        }
        Cli.Result account = exit(2, cli().run("restore", "--evidence", evidence.toString(), "--account", other));
        assertTrue(account.err().contains("nothing was written"), account.all());
        Cli.Result notAGuid =
                exit(2, cli().run("restore", "--evidence", evidence.toString(), "--account", "111122223333"));
        assertTrue(notAGuid.err().contains("not an Azure subscription id"), notAGuid.all());
        assertTrue(crdbAssignments().isEmpty(), crdbAssignments().toString());
        assertFalse(azure.servicePrincipal(azure.tenantId(), APP).orElseThrow().accountEnabled());

        ok(cli().run("restore", "--evidence", evidence.toString(), "--account", azure.subscriptionId()));
        assertEquals(2, crdbAssignments().size(), crdbAssignments().toString());
    }

    @Test
    void revokeWithoutTheApi_ofKeysTheCustomerBrought_turnsTheSignInOffWithTheAppIdGiven_andRestoreUndoesIt()
            throws Exception {
        Path manifest = enable();
        // Untagged, the vaults name no cluster app: without the Cloud API only --azure-app-id can.
        azure.vaults().forEach(v -> azure.vaultTags(v.name(), Map.of("owner", "customer")));
        Path evidence = dir.resolve("incident");
        Cli.Result first = exit(8, withoutApi().run(manifestRevoke(evidence, manifest)));
        assertTrue(first.all().contains("--azure-app-id"), first.all());
        assertTrue(azure.servicePrincipal(azure.tenantId(), APP).orElseThrow().accountEnabled());
        assertTrue(crdbAssignments().isEmpty(), "the assignments went all the same: " + crdbAssignments());

        ok(withoutApi().run(manifestRevoke(evidence, manifest, "--azure-app-id", APP)));
        assertFalse(azure.servicePrincipal(azure.tenantId(), APP).orElseThrow().accountEnabled());

        ok(withoutApi().run("restore", "--evidence", evidence.toString()));
        assertTrue(azure.servicePrincipal(azure.tenantId(), APP).orElseThrow().accountEnabled());
        assertEquals(2, crdbAssignments().size(), crdbAssignments().toString());
    }

    @Test
    void revokeWithGraphRefusingTheRead_leavesTheSwitch_andARerunOfTheSameEvidenceEndsComplete() throws Exception {
        Cli.Result first = revokeWithOnePieceRefused("graph.servicePrincipals.get");

        assertTrue(first.out().lines().findFirst().orElse("").contains("1 left"), first.out());
        assertTrue(azure.servicePrincipal(azure.tenantId(), APP).orElseThrow().accountEnabled());
        rerunEndsComplete();
    }

    @Test
    void revokeWithArmRefusingTheVaultListing_andARerunOfTheSameEvidenceEndsComplete() throws Exception {
        Cli.Result first = revokeWithOnePieceRefused("arm.vaults.listByResourceGroup");

        assertFalse(azure.servicePrincipal(azure.tenantId(), APP).orElseThrow().accountEnabled(), first.out());
        rerunEndsComplete();
    }

    /** An enabled cluster revoked (its evidence in {@code incident}) while Azure refuses {@code operation}: exit 8. */
    private Cli.Result revokeWithOnePieceRefused(String operation) {
        enable();
        azure.deny(operation);
        try {
            return exit(8, cli().run(revokeWithEvidence()));
        } finally {
            azure.clearFaults();
        }
    }

    /** The same revoke again, all of Azure answering: it ends complete, its first line saying so. */
    private void rerunEndsComplete() {
        Cli.Result again = ok(cli().run(revokeWithEvidence()));

        assertTrue(again.out().lines().findFirst().orElse("").startsWith("revoked:"), again.out());
        assertFalse(azure.servicePrincipal(azure.tenantId(), APP).orElseThrow().accountEnabled());
        assertTrue(crdbAssignments().isEmpty(), crdbAssignments().toString());
    }

    private String[] revokeWithEvidence() {
        return new String[] {
            "revoke",
            "--cluster",
            CLUSTER,
            "--yes",
            "--evidence",
            dir.resolve("incident").toString()
        };
    }

    @Test
    void azureAppId_isBadInput_withoutCloudOnly_orWhenNotAGuid() {
        enable();
        Cli.Result notAlone = exit(2, cli().run("revoke", "--cluster", CLUSTER, "--yes", "--azure-app-id", APP));
        assertTrue(notAlone.err().contains("--azure-app-id goes with --cloud-only"), notAlone.all());
        Cli.Result notAGuid = exit(
                2,
                withoutApi()
                        .run(
                                "revoke",
                                "--cluster",
                                CLUSTER,
                                "--yes",
                                "--cloud-only",
                                "--regions",
                                "eastus",
                                "--cloud",
                                "azure",
                                "--azure-app-id",
                                "not-a-guid",
                                "--evidence",
                                dir.resolve("e").toString()));
        assertTrue(notAGuid.err().contains("must be a GUID"), notAGuid.all());
        assertFalse(Files.exists(dir.resolve("e")), "nothing written");
        assertTrue(azure.servicePrincipal(azure.tenantId(), APP).orElseThrow().accountEnabled());
    }

    @Test
    void restore_ofKeysTheCustomerBrought_putsTheirGrantsBack_asTheKeysWereInUse() throws Exception {
        enable();
        // Untagged, the vaults are the customer's own to cmek: their keys are trusted only as the keys in use.
        azure.vaults().forEach(v -> azure.vaultTags(v.name(), Map.of("owner", "customer")));
        Path evidence = dir.resolve("incident");
        ok(cli().run("revoke", "--cluster", CLUSTER, "--yes", "--evidence", evidence.toString()));
        assertTrue(crdbAssignments().isEmpty(), crdbAssignments().toString());

        ok(cli().run("restore", "--evidence", evidence.toString()));

        assertEquals(2, crdbAssignments().size(), crdbAssignments().toString());
        assertTrue(azure.servicePrincipal(azure.tenantId(), APP).orElseThrow().accountEnabled());
    }

    @Test
    void revokeWithTheApiDown_findsTheClustersVaultsByTag_removesTheGrants_andApiOnlyFinishesLater() throws Exception {
        enable();
        Cli down = withoutApi();
        Path evidence = dir.resolve("incident");

        Cli.Result r = exit(8, down.run("revoke", "--cluster", CLUSTER, "--yes", "--evidence", evidence.toString()));

        String first = r.out().lines().findFirst().orElse("");
        assertTrue(first.contains("REVOKE NOT sent"), first);
        assertTrue(crdbAssignments().isEmpty(), crdbAssignments().toString());
        assertFalse(azure.servicePrincipal(azure.tenantId(), APP).orElseThrow().accountEnabled());
        assertTrue(r.all().contains("--api-only"), r.all());

        ok(cli().run("revoke", "--cluster", CLUSTER, "--yes", "--evidence", evidence.toString(), "--api-only"));
        assertEquals(
                "REVOKED", submitted().get("status").textValue(), submitted().toString());
        ok(cli().run("restore", "--evidence", evidence.toString()));
        assertEquals(2, crdbAssignments().size());
    }

    @Test
    void allUsingTheTenant_revokesTheAzureClustersWhoseKeysItHolds_andRestoreTakesTheIndex() throws Exception {
        enable();
        allUsingRevokesTheAzureClusterOnly_andRestorePutsItBack(azure.tenantId());
    }

    /** {@code revoke --all-using account}: the Azure cluster revoked (not the AWS one), and its index restored. */
    private void allUsingRevokesTheAzureClusterOnly_andRestorePutsItBack(String account) throws Exception {
        Path evidence = dir.resolve("incident");
        JsonNode doc = JSON.readTree(ok(cli().run(
                                "revoke",
                                "--all-using",
                                account,
                                "--yes",
                                "--evidence",
                                evidence.toString(),
                                "-o",
                                "json"))
                .out());
        assertTrue(doc.toString().contains(CLUSTER), doc.toString());
        assertFalse(doc.toString().contains(Sandboxes.AWS_CLUSTER), "the AWS cluster has no key in " + account);
        assertTrue(crdbAssignments().isEmpty(), crdbAssignments().toString());
        assertEquals("REVOKED", submitted().get("status").textValue());

        ok(cli().run("restore", "--evidence", evidence.toString()));
        assertEquals(2, crdbAssignments().size());
    }

    @Test
    void allUsingTheSubscription_revokesTheAzureClustersWhoseVaultsAreThere_andAnUnknownGuidNone() throws Exception {
        enable();
        assertNotEquals(azure.tenantId(), azure.subscriptionId(), "the spec names the tenant, not the subscription");

        // A GUID that is neither the tenant nor a subscription these credentials see (ARM: SubscriptionNotFound).
        Cli.Result none = ok(cli().run(
                        "revoke",
                        "--all-using",
                        "0f0e0d0c-0b0a-4909-8807-060504030201",
                        "--yes",
                        "--evidence",
                        dir.resolve("unrelated").toString()));
        assertFalse(none.out().contains(CLUSTER), none.out());
        assertEquals(2, crdbAssignments().size(), "nothing was removed");

        allUsingRevokesTheAzureClusterOnly_andRestorePutsItBack(azure.subscriptionId());
    }

    @Test
    void allUsingASubscriptionOfAnotherTenant_isPartial_namesWhy_andChangesNothing() throws Exception {
        enable();
        String other = "3e2d1c0b-9a8f-4e7d-8c6b-5a4f3e2d1c0b";
        // Left registered: no other test names it.
        azure.subscriptionOfAnotherTenant(other, azure.cockroachTenantId());
        // ARM: 401 InvalidAuthenticationTokenTenant. Its vaults may hold a cluster's keys: not "none".
        Cli.Result r = exit(
                8,
                cli().run(
                                "revoke",
                                "--all-using",
                                other,
                                "--yes",
                                "--evidence",
                                dir.resolve("other-tenant").toString()));
        String first = r.out().lines().findFirst().orElse("");
        assertTrue(
                first.startsWith("partial: the key vaults of Azure subscription " + other + " could not be listed"),
                r.out());
        assertTrue(
                first.contains("the subscription belongs to tenant " + azure.cockroachTenantId()
                        + ", not to the credentials' tenant; use credentials of that tenant (AZURE_TENANT_ID="),
                "says whose it is and what to do: " + first);
        assertEquals(2, crdbAssignments().size(), "nothing was removed");
    }

    @Test
    void allUsingASubscriptionWhoseVaultsCannotBeListed_isPartial_withATrueFirstLine_andChangesNothing()
            throws Exception {
        enable();
        azure.deny("arm.vaults.list");
        try {
            for (List<String> extra : List.<List<String>>of(List.of("--yes"), List.of(), List.of("--dry-run"))) {
                List<String> args = new ArrayList<>(List.of(
                        "revoke",
                        "--all-using",
                        azure.subscriptionId(),
                        "--evidence",
                        dir.resolve("incident-" + extra.size() + extra).toString()));
                args.addAll(extra);
                Cli.Result r = exit(8, cli().run(args.toArray(String[]::new)));
                String first = r.out().lines().findFirst().orElse("");
                assertTrue(
                        first.startsWith("partial: the key vaults of Azure subscription " + azure.subscriptionId()
                                + " could not be listed"),
                        extra + ": " + r.out());
                assertEquals(2, crdbAssignments().size(), extra + ": nothing was removed");
            }
        } finally {
            azure.clearFaults();
        }
    }

    @Test
    void moreBadInput_vaultPrefixAzureRefuses_otherCloudsOptions_anotherTenant_aRegionNotTheClusters() {
        for (String[] args : List.of(
                new String[] {"provision", "--cluster", CLUSTER, "--azure-vault-prefix", "Bad_Prefix"},
                new String[] {"provision", "--cluster", CLUSTER, "--gcp-protection", "HSM"},
                new String[] {"provision", "--cluster", CLUSTER, "--gcp-project", "acme-keys"},
                new String[] {
                    "provision", "--cluster", CLUSTER, "--azure-tenant", "11111111-2222-4333-8444-555555555555"
                },
                new String[] {
                    "revoke",
                    "--cluster",
                    CLUSTER,
                    "--cloud-only",
                    "--cloud",
                    "azure",
                    "--regions",
                    "us-east-1",
                    "--yes",
                    "--evidence",
                    dir.resolve("e").toString()
                },
                new String[] {"plan", "--cluster", CLUSTER, "--azure-resource-group", "bad group!"})) {
            Cli.Result r = cli().run(args);
            assertEquals(2, r.exit(), () -> String.join(" ", args) + "\n" + r.all());
            assertEquals(
                    1,
                    r.err().lines().filter(l -> l.startsWith("cmek: ")).count(),
                    () -> String.join(" ", args) + r.err());
        }
        assertTrue(azure.vaults().isEmpty());
        assertTrue(writes().isEmpty(), writes().toString());
    }

    @Test
    void revokeDryRun_namesTheAssignmentsItWouldRemove_andChangesNothing() throws Exception {
        enable();
        List<EmulatorViews.RoleAssignment> before = crdbAssignments();
        azure.resetCallCounts();
        Cli.Result r = ok(cli().run("revoke", "--cluster", CLUSTER, "--dry-run"));
        assertTrue(r.out().contains("sign-in") || r.out().contains("sign in"), r.out());
        assertEquals(2, before.size(), before.toString());
        for (EmulatorViews.RoleAssignment a : before) {
            assertTrue(r.out().contains(a.name()), "names assignment " + a.name() + ": " + r.out());
        }
        assertEquals(before, crdbAssignments());
        assertTrue(writes().isEmpty(), writes().toString());
        assertEquals("ENABLED", submitted().get("status").textValue());
    }

    @Test
    void dryRuns_predictTheRealRunsExitCode_onAzure() throws Exception {
        Path manifest = dir.resolve("m.json");
        Cli.Result dry = exit(0, cli().run("enable", "--cluster", CLUSTER, "--provision", "--dry-run"));
        assertTrue(azure.vaults().isEmpty(), "a dry run makes nothing: " + dry.out());
        ok(cli().enableProvisioning(CLUSTER, manifest));

        // Another manifest while CMEK is ENABLED with these keys: the dry run refuses as the real run does.
        JsonNode doc = JSON.readTree(Files.readString(manifest));
        ((com.fasterxml.jackson.databind.node.ArrayNode) doc.get("region_specs")).remove(1);
        Path partial = Files.writeString(dir.resolve("partial.json"), doc.toString());
        int predicted = cli().run("enable", "--cluster", CLUSTER, "--manifest", partial.toString(), "--dry-run")
                .exit();
        int validated = cli().run("manifest", "validate", partial.toString(), "--cluster", CLUSTER)
                .exit();
        int real = cli().run("enable", "--cluster", CLUSTER, "--manifest", partial.toString())
                .exit();
        assertEquals(2, real);
        assertEquals(real, predicted);
        assertEquals(real, validated);
    }

    List<String> writes() {
        return azure.requestLog().stream()
                .filter(c -> !c.method().equals("GET")
                        && !c.operation().startsWith("entra.")
                        && !c.operation().endsWith(".checkNameAvailability"))
                .map(EmulatorViews.Call::operation)
                .toList();
    }
}
