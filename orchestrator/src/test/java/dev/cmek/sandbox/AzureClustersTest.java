package dev.cmek.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cmek.api.Cluster;
import dev.cmek.model.CloudProvider;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Azure clusters: the cluster app's client id in the Cluster answer, and the key specs the API takes for them. */
class AzureClustersTest {

    static final String ORG = "9c0bde16-3d1b-4c16-8f6b-1d2c3e4f5a6b";
    static final String GIVEN = "6f1d7a0e-3b2c-4d5e-8f90-a1b2c3d4e5f6";
    static final String GIVEN_APP = "0b7c9d1e-2f3a-4b5c-9d6e-7f8091a2b3c4";
    static final String DERIVED = "d2e3f4a5-b6c7-4d8e-9f01-a2b3c4d5e6f7";
    static final String TENANT = "5f1c3b2a-7d4e-4c8b-9a16-2e0f8d7c6b5a";
    static final String VERSION = "0123456789abcdef0123456789abcdef";

    static final String CONFIG = """
            {"organization": {"id": "%s", "name": "acme"},
             "clusters": [
               {"id": "%s", "name": "orders", "cloud_provider": "AZURE", "azure_cluster_identity_client_id": "%s",
                "regions": [{"name": "eastus", "node_count": 3}, {"name": "centralindia", "node_count": 3}]},
               {"id": "%s", "name": "billing", "cloud_provider": "AZURE",
                "regions": [{"name": "westeurope", "node_count": 3}]},
               {"id": "35c4abb2-bb66-46d7-afed-25ebef5ed2aa", "name": "payments", "cloud_provider": "AWS",
                "regions": [{"name": "us-east-1", "node_count": 3}]}
             ]}
            """.formatted(ORG, GIVEN, GIVEN_APP, DERIVED);

    private SandboxFixture api;

    @AfterEach
    void close() {
        if (api != null) {
            api.afterEach(null);
        }
    }

    static String azureSpec(String region, String uri, String principal) {
        return """
                {"region": "%s", "key_spec": {"type": "AZURE_KEY_VAULT", "uri": "%s", "auth_principal": "%s"}}""".formatted(region, uri, principal);
    }

    static String keyUri(String vault, String version) {
        return "https://" + vault + ".vault.azure.net/keys/crdb-cmek" + (version == null ? "" : "/" + version);
    }

    @Test
    void azureCluster_isServedWithItsAppsClientId_givenOrDerivedFromItsId() throws Exception {
        api = SandboxFixture.serving(CONFIG, true);
        JsonNode given = api.get("/api/v1/clusters/" + GIVEN).body();
        assertEquals(GIVEN_APP, given.get("azure_cluster_identity_client_id").asText(), given.toString());
        assertEquals("AZURE", given.get("cloud_provider").asText());
        assertEquals(
                List.of("eastus", "centralindia"),
                StreamSupport.stream(given.get("regions").spliterator(), false)
                        .map(r -> r.get("name").asText())
                        .toList());
        JsonNode derived = api.get("/api/v1/clusters/" + DERIVED).body();
        assertEquals(
                SandboxConfig.azureClientIdOf(DERIVED),
                derived.get("azure_cluster_identity_client_id").asText());
        assertTrue(
                SandboxConfig.azureClientIdOf(DERIVED)
                        .matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"),
                "a GUID, as a client id is");
        assertEquals(
                SandboxConfig.azureClientIdOf(DERIVED),
                SandboxConfig.parse(CONFIG)
                        .clusters()
                        .get(1)
                        .get("azure_cluster_identity_client_id")
                        .asText(),
                "the same config serves the same app every time");

        JsonNode list = api.get("/api/v1/clusters").body();
        for (JsonNode c : list.get("clusters")) {
            boolean azure = c.get("cloud_provider").asText().equals("AZURE");
            assertEquals(azure, c.has("azure_cluster_identity_client_id"), c.toString());
        }
        // What the orchestrator's client reads from the answer.
        Cluster parsed = new ObjectMapper()
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .treeToValue(given, Cluster.class);
        assertEquals(CloudProvider.AZURE, parsed.cloudProvider());
        assertEquals(GIVEN_APP, parsed.azureClusterIdentityClientId());
        // Every exchange is checked against the OpenAPI spec in close().
    }

    @Test
    void config_refusesAClientIdThatIsNoGuid_orOnAnotherCloud() {
        String notGuid = CONFIG.replace(GIVEN_APP, "crdb-app");
        var e = assertThrows(SandboxConfig.InvalidSandboxConfigException.class, () -> SandboxConfig.parse(notGuid));
        assertTrue(e.getMessage().contains("must be a GUID"), e.getMessage());
        String onAws = CONFIG.replace(
                "\"cloud_provider\": \"AWS\",",
                "\"cloud_provider\": \"AWS\", \"azure_cluster_identity_client_id\": \"" + GIVEN_APP + "\",");
        e = assertThrows(SandboxConfig.InvalidSandboxConfigException.class, () -> SandboxConfig.parse(onAws));
        assertTrue(e.getMessage().contains("only for AZURE clusters"), e.getMessage());
    }

    @Test
    void enable_takesVersionedKeyIdentifiersAndATenantId() throws Exception {
        api = SandboxFixture.serving(CONFIG, true);
        var r = api.post(
                "/api/v1/clusters/" + GIVEN + "/cmek",
                SandboxFixture.regionSpecs(
                        azureSpec("eastus", keyUri("crdb-cmek-eastus-6f1d", VERSION), TENANT),
                        azureSpec("centralindia", keyUri("Crdb-Cmek-India", VERSION), TENANT.toUpperCase())));
        assertEquals(200, r.status(), r.body().toString());
        assertEquals("ENABLING", r.body().get("status").asText());
        api.awaitCmek(GIVEN, SandboxFixture.status("ENABLED"));
    }

    @Test
    void enable_refusesUnversionedUris_badVaultNames_andPrincipalsThatAreNoTenantId() {
        api = SandboxFixture.serving(CONFIG, false); // malformed on purpose: only the answers are checked
        String cmek = "/api/v1/clusters/" + DERIVED + "/cmek";
        api.post(cmek, SandboxFixture.regionSpecs(azureSpec("westeurope", keyUri("crdb-cmek-we", null), TENANT)))
                .assertError(400, "must name a key version");
        for (String uri : List.of(
                keyUri("crdb-cmek-we", "0123456789ABCDEF0123456789ABCDEF"), // Key Vault's versions are lower case
                keyUri("crdb-cmek-we", "12"),
                keyUri("crdb-cmek-we", VERSION) + "/",
                keyUri("crdb--cmek", VERSION), // vault names have no "--"
                keyUri("9vault", VERSION),
                keyUri("ab", VERSION),
                "http://crdb-cmek-we.vault.azure.net/keys/crdb-cmek/" + VERSION,
                "https://crdb-cmek-we.vault.azure.cn.example/keys/crdb-cmek/" + VERSION,
                "https://crdb-cmek-we.vault.azure.net/secrets/crdb-cmek/" + VERSION)) {
            api.post(cmek, SandboxFixture.regionSpecs(azureSpec("westeurope", uri, TENANT)))
                    .assertError(400, "must be a Key Vault key identifier");
        }
        for (String principal : List.of("", "acme.onmicrosoft.com", GIVEN_APP + "x")) {
            api.post(
                            cmek,
                            SandboxFixture.regionSpecs(
                                    azureSpec("westeurope", keyUri("crdb-cmek-we", VERSION), principal)))
                    .assertError(400, "auth_principal must be the Azure tenant id");
        }
        api.post(cmek, SandboxFixture.regionSpecs(SandboxFixture.gcpSpec("westeurope", "k")))
                .assertError(400, "key type GCP_CLOUD_KMS does not match cloud provider AZURE");
        assertEquals(404, api.get(cmek).status(), "nothing was enabled");
    }
}
