package dev.cmek.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The config file loader: completion of spec-required fields and one-line errors. */
class SandboxConfigTest {

    @Test
    void load_fillsSpecRequiredFields(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("clusters.json");
        Files.writeString(file, """
                {"organization":{"id":"org-1","name":"acme"},
                 "clusters":[{"id":"35c4abb2-bb66-46d7-afed-25ebef5ed2aa","name":"My Cluster","cloud_provider":"GCP",
                              "regions":[{"name":"us-central1","node_count":3}]}]}""");
        SandboxConfig config = SandboxConfig.load(file);
        assertEquals("acme", config.organization().get("label").asText());
        ObjectNode c = config.clusters().get(0);
        assertEquals("ADVANCED", c.get("plan").asText());
        assertEquals("CREATED", c.get("state").asText());
        assertTrue(c.get("account_id").asText().startsWith("crl-prod-"));
        assertFalse(c.get("is_customer_cloud_account").asBoolean());
        assertEquals(
                "my-cluster-35c4.gcp-us-central1.crdb.io",
                c.get("regions").get(0).get("sql_dns").asText());
        for (String field : new String[] {
            "cockroach_version", "upgrade_status", "creator_id", "operation_status", "config", "cidr_range", "labels"
        }) {
            assertTrue(c.has(field), field);
        }
    }

    @Test
    void exampleFile_loads() throws Exception {
        Path file = Path.of(SandboxConfigTest.class
                .getResource("/sandbox-clusters.example.json")
                .toURI());
        SandboxConfig config = SandboxConfig.load(file);
        assertEquals(2, config.clusters().size());
        assertEquals("acme-demo", config.organization().get("name").asText());
    }

    private static final String SEEDED = """
            {"id":"35c4abb2-bb66-46d7-afed-25ebef5ed2aa","name":"a","cloud_provider":"AWS",
             "regions":[{"name":"us-east-1","node_count":3},{"name":"eu-west-1","node_count":3}],
             "cmek": {"region_specs": [%s]}}""";

    @Test
    void cmekSeed_startsTheClusterEnabled_andIsNeverServed() throws Exception {
        String json = cluster(SEEDED.formatted(
                SandboxFixture.awsSpec("us-east-1", "k1") + "," + SandboxFixture.awsSpec("eu-west-1", "k2")));
        try (SandboxFixture api = SandboxFixture.serving(json, true)) {
            var info = api.get("/api/v1/clusters/35c4abb2-bb66-46d7-afed-25ebef5ed2aa/cmek")
                    .body();
            assertEquals("ENABLED", info.get("status").asText(), info.toString());
            assertEquals(
                    "ENABLED", info.at("/region_infos/0/key_infos/0/status").asText());
            assertEquals(
                    "2024-06-01T12:00:00Z",
                    info.at("/region_infos/0/key_infos/0/created_at").asText());
            assertFalse(api.get("/api/v1/clusters/35c4abb2-bb66-46d7-afed-25ebef5ed2aa")
                    .body()
                    .has("cmek"));
            OpenApiContract.assertConforms(api.log());
        }
    }

    @Test
    void cmekSeed_mustBeAnEnableTheClusterWouldAccept() {
        assertMessage("missing: [eu-west-1]", cluster(SEEDED.formatted(SandboxFixture.awsSpec("us-east-1", "k1"))));
        assertMessage(
                "key type GCP_CLOUD_KMS does not match cloud provider AWS",
                cluster(SEEDED.formatted(
                        SandboxFixture.gcpSpec("us-east-1", "k1") + "," + SandboxFixture.awsSpec("eu-west-1", "k2"))));
        assertMessage(
                "cmek.region_specs is required", cluster(SEEDED.formatted("").replace("\"region_specs\": []", "")));
        assertMessage(
                "\"cmek\" needs an ADVANCED, CREATED cluster",
                cluster(SEEDED.formatted(SandboxFixture.awsSpec("us-east-1", "k1"))
                        .replace("\"cloud_provider\":\"AWS\",", "\"cloud_provider\":\"AWS\",\"plan\":\"STANDARD\",")));
    }

    @Test
    void badFiles_failWithOneLineMessages(@TempDir Path dir) {
        assertMessage("\"clusters\" must be an array", "{\"organization\":{\"id\":\"o\",\"name\":\"n\"}}");
        assertMessage("\"organization\" must be an object", "{\"clusters\":[]}");
        assertMessage("not valid JSON", "{\"organization\":");
        assertMessage(
                "clusters[0]: id must be a UUID", cluster("{\"id\":\"c1\",\"name\":\"a\",\"cloud_provider\":\"AWS\"}"));
        assertMessage(
                "\"cloud_provider\" must be one of [AWS, AZURE, GCP], got IBM",
                cluster("{\"id\":\"35c4abb2-bb66-46d7-afed-25ebef5ed2aa\",\"name\":\"a\",\"cloud_provider\":\"IBM\"}"));
        assertMessage(
                "\"regions\" must be a non-empty array",
                cluster("{\"id\":\"35c4abb2-bb66-46d7-afed-25ebef5ed2aa\",\"name\":\"a\",\"cloud_provider\":\"AWS\"}"));
        assertMessage(
                "region us-east-1 needs a positive integer node_count",
                cluster("{\"id\":\"35c4abb2-bb66-46d7-afed-25ebef5ed2aa\",\"name\":\"a\",\"cloud_provider\":\"AWS\","
                        + "\"regions\":[{\"name\":\"us-east-1\"}]}"));
        assertMessage(
                "\"deleted_at\" must be a timestamp like 2024-06-01T12:00:00Z, got last week",
                cluster(
                        "{\"id\":\"35c4abb2-bb66-46d7-afed-25ebef5ed2aa\",\"name\":\"a\",\"cloud_provider\":\"AWS\","
                                + "\"state\":\"DELETED\",\"deleted_at\":\"last week\",\"regions\":[{\"name\":\"us-east-1\",\"node_count\":1}]}"));
        var missing = assertThrows(
                SandboxConfig.InvalidSandboxConfigException.class, () -> SandboxConfig.load(dir.resolve("nope.json")));
        assertTrue(
                missing.getMessage()
                        .endsWith("nope.json: no such file (expected the organization and clusters to serve)"),
                missing.getMessage());
    }

    private static String cluster(String json) {
        return "{\"organization\":{\"id\":\"o\",\"name\":\"n\"},\"clusters\":[" + json + "]}";
    }

    private static void assertMessage(String expected, String json) {
        var e = assertThrows(SandboxConfig.InvalidSandboxConfigException.class, () -> SandboxConfig.parse(json));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }
}
