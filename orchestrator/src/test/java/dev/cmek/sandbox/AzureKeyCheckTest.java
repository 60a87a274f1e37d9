package dev.cmek.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cmek.azure.AzureClients;
import dev.cmek.azure.AzureCmek;
import dev.cmek.azure.AzureCmekRequest;
import dev.cmek.azure.emulator.AzureEmulator;
import dev.cmek.azure.emulator.EmulatorViews;
import dev.cmek.testing.AzureEmulatorFixture;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The sandbox checks a submitted Azure key as CockroachDB would (a token as the cluster's app in the key spec's tenant,
 * then encrypt and decrypt with the version named), and refuses one it cannot use with the 400 the other clouds get.
 * Keys, principals and role assignments are made by the adapter against the emulator, as the toolkit makes them.
 */
class AzureKeyCheckTest {
    @RegisterExtension
    static final AzureEmulatorFixture AZURE = new AzureEmulatorFixture();

    static final String ORG = "9c0bde16-3d1b-4c16-8f6b-1d2c3e4f5a6b";
    static final String ORDERS = "6f1d7a0e-3b2c-4d5e-8f90-a1b2c3d4e5f6";
    static final String ORDERS_APP = "0b7c9d1e-2f3a-4b5c-9d6e-7f8091a2b3c4";
    static final String BILLING = "d2e3f4a5-b6c7-4d8e-9f01-a2b3c4d5e6f7";
    static final String BILLING_APP = "1c8d0e2f-3a4b-4c5d-8e6f-708192a3b4c5";
    /** Never provisioned: its app has no service principal in the customer's tenant. */
    static final String NEW = "e4f5a6b7-c8d9-4e0f-8a1b-c2d3e4f5a6b7";

    static final String CONFIG = """
            {"organization": {"id": "%s", "name": "acme"},
             "clusters": [
               {"id": "%s", "name": "orders", "cloud_provider": "AZURE", "azure_cluster_identity_client_id": "%s",
                "regions": [{"name": "eastus", "node_count": 3}]},
               {"id": "%s", "name": "billing", "cloud_provider": "AZURE", "azure_cluster_identity_client_id": "%s",
                "regions": [{"name": "eastus", "node_count": 3}]},
               {"id": "%s", "name": "new", "cloud_provider": "AZURE", "regions": [{"name": "eastus", "node_count": 3}]}
             ]}
            """.formatted(ORG, ORDERS, ORDERS_APP, BILLING, BILLING_APP, NEW);

    /** Every exchange of each test is checked against the OpenAPI spec afterwards. */
    @RegisterExtension
    final SandboxFixture api = SandboxFixture.serving(CONFIG, true);

    AzureEmulator emulator;

    @BeforeEach
    void checkAzureKeys() {
        emulator = AZURE.emulator();
        api.sandbox.setKeySpecCheck(
                CloudKeyChecks.of(Optional.empty(), Optional.empty(), Optional.of(CloudKeyChecks.azure(emulator))));
        api.sandbox.setRejectInaccessibleKeys(true);
    }

    /** The cluster's principal, vault, key and key-scoped Crypto User assignment, made by the adapter; the key's URI. */
    String provision(String cluster, String app) {
        AzureClients clients = AzureClients.builder()
                .environment(emulator.env())
                .retry(3, Duration.ofMillis(10), Duration.ofMillis(100))
                .build();
        return new AzureCmek(clients)
                .provision(AzureCmekRequest.builder()
                        .clusterId(cluster)
                        .clusterAppId(app)
                        .tenantId(emulator.tenantId())
                        .subscriptionId(emulator.subscriptionId())
                        .regions(List.of("eastus"))
                        .propagationBound(Duration.ofSeconds(30))
                        .build())
                .keyOf("eastus")
                .value();
    }

    SandboxFixture.Reply enable(String cluster, String uri, String tenant) {
        return api.post(
                "/api/v1/clusters/" + cluster + "/cmek",
                SandboxFixture.regionSpecs(AzureClustersTest.azureSpec("eastus", uri, tenant)));
    }

    @Test
    void keyTheClustersAppCanUse_isAccepted_andTheVersionNamedIsTheOneTaken() throws Exception {
        emulator.propagation(Duration.ZERO);
        // Registered the way the adapter's own tests do; the check signs in with these credentials.
        EmulatorViews.ClientCredentials app =
                emulator.registerMultiTenantApp(ORDERS_APP, "CockroachDB Cloud - " + ORDERS);
        String uri = provision(ORDERS, ORDERS_APP);
        emulator.resetCallCounts();

        assertEquals(200, enable(ORDERS, uri, emulator.tenantId()).status());
        api.awaitCmek(ORDERS, SandboxFixture.status("ENABLED"));

        String principal = emulator.servicePrincipal(emulator.tenantId(), ORDERS_APP)
                .orElseThrow()
                .id();
        List<EmulatorViews.Call> crypto = emulator.requestLog().stream()
                .filter(c -> c.operation().equals("keyvault.keys.encrypt")
                        || c.operation().equals("keyvault.keys.decrypt"))
                .toList();
        assertEquals(
                List.of("keyvault.keys.encrypt", "keyvault.keys.decrypt"),
                crypto.stream().map(EmulatorViews.Call::operation).distinct().toList());
        assertTrue(crypto.stream().allMatch(c -> c.status() == 200 && c.caller().equals(principal)), crypto.toString());
        assertTrue(
                crypto.stream()
                        .allMatch(c ->
                                c.path().startsWith(java.net.URI.create(uri).getPath() + "/")),
                "the version named, not the key's newest: " + crypto);
        assertEquals(
                uri.toLowerCase(Locale.ROOT),
                api.sandbox.keyVersionsTaken(ORDERS, "eastus").get(0).version().toLowerCase(Locale.ROOT));
        assertEquals(
                app, CloudKeyChecks.registerAzureApp(emulator, ORDERS, ORDERS_APP), "registering again is a no-op");
    }

    @Test
    void keyTheAppHasNoRoleOn_isRefusedAsNotAccessible_andNothingChanges() {
        emulator.propagation(Duration.ZERO);
        CloudKeyChecks.registerAzureApps(emulator, SandboxConfig.parse(CONFIG));
        String orders = provision(ORDERS, ORDERS_APP);
        provision(BILLING, BILLING_APP); // billing's principal exists, with a role on its own key only

        SandboxFixture.Reply refused = enable(BILLING, orders, emulator.tenantId())
                .assertError(
                        400,
                        "unable to access key " + orders + " for region eastus as " + emulator.tenantId()
                                + ": permission denied: app " + BILLING_APP + " (CockroachDB Cloud - " + BILLING
                                + ") cannot use key " + orders)
                .assertError(400, "encrypt refused: 403 Forbidden (ForbiddenByRbac)");
        assertEquals(
                9,
                refused.body().get("code").asInt(),
                "FAILED_PRECONDITION, as for an AWS or GCP key CockroachDB cannot reach");
        assertEquals(404, api.get("/api/v1/clusters/" + BILLING + "/cmek").status(), "nothing was enabled");
    }

    @Test
    void signInDisabled_isRefusedAsNotAccessible_evenWithTheRoleInPlace() {
        emulator.propagation(Duration.ZERO);
        String uri = provision(ORDERS, registeredApp(ORDERS, ORDERS_APP));
        emulator.servicePrincipalEnabled(emulator.tenantId(), ORDERS_APP, false);

        enable(ORDERS, uri, emulator.tenantId())
                .assertError(400, "unable to access key " + uri)
                .assertError(400, "in tenant " + emulator.tenantId() + ": no token: 400 AADSTS7000112");
    }

    @Test
    void appWithoutAServicePrincipalInTheTenant_orATenantNotTheKeys_isRefusedAsNotAccessible() {
        emulator.propagation(Duration.ZERO);
        String uri = provision(ORDERS, registeredApp(ORDERS, ORDERS_APP));

        // The new cluster's app was never consented to in the customer's tenant; the check registers it on first use.
        enable(NEW, uri, emulator.tenantId()).assertError(400, "AADSTS700016");
        assertTrue(emulator.multiTenantApp(SandboxConfig.azureClientIdOf(NEW)).isPresent());
        enable(ORDERS, uri, "72f988bf-86f1-41af-91ab-2d7cd011db47").assertError(400, "AADSTS90002");
    }

    @Test
    void newRoleAssignmentNotYetPropagated_isRefusedAsNotAccessible() {
        emulator.roleAssignmentPropagation(Duration.ofHours(1)); // so no machine is slow enough to see it take effect
        String uri = provision(ORDERS, registeredApp(ORDERS, ORDERS_APP));

        enable(ORDERS, uri, emulator.tenantId())
                .assertError(400, "encrypt refused: 403 Forbidden (ForbiddenByRbac)")
                .assertError(400, "please observe propagation time");
    }

    @Test
    void vaultThatDoesNotExist_isRefusedAsNotAccessible() {
        emulator.propagation(Duration.ZERO);
        provision(ORDERS, registeredApp(ORDERS, ORDERS_APP));
        String uri = "https://nosuchvault.vault.azure.net/keys/crdb-cmek/" + "0123456789abcdef".repeat(2);
        enable(ORDERS, uri, emulator.tenantId()).assertError(400, "unable to access key " + uri);
    }

    private String registeredApp(String cluster, String app) {
        CloudKeyChecks.registerAzureApp(emulator, cluster, app);
        return app;
    }
}
