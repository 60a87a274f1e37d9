package dev.cmek.sandbox;

import static dev.cmek.sandbox.SandboxFixture.AWS_CLUSTER;
import static dev.cmek.sandbox.SandboxFixture.GCP_CLUSTER;
import static dev.cmek.sandbox.SandboxFixture.ORG_ID;
import static dev.cmek.sandbox.SandboxFixture.awsSpec;
import static dev.cmek.sandbox.SandboxFixture.gcpSpec;
import static dev.cmek.sandbox.SandboxFixture.regionSpecs;
import static dev.cmek.sandbox.SandboxFixture.status;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The happy paths of all seven operations and the status transitions over time. */
class CmekLifecycleTest {

    private static final String CMEK = "/api/v1/clusters/" + AWS_CLUSTER + "/cmek";
    /** Every exchange of each test is checked against the OpenAPI spec afterwards. */
    @RegisterExtension
    final SandboxFixture api = new SandboxFixture();

    @Test
    void getOrganization_returnsConfiguredOrganizationWithRequiredFields() {
        var r = api.get("/api/v1/organization");
        assertEquals(200, r.status());
        assertEquals(ORG_ID, r.body().get("id").asText());
        assertEquals("acme", r.body().get("name").asText());
        assertEquals("acme", r.body().get("label").asText());
        assertTrue(r.body().hasNonNull("created_at"));
    }

    @Test
    void getCluster_returnsClusterWithSpecRequiredFieldsFilledIn() {
        var r = api.get("/api/v1/clusters/" + AWS_CLUSTER);
        assertEquals(200, r.status());
        JsonNode c = r.body();
        assertEquals("payments", c.get("name").asText());
        assertEquals("AWS", c.get("cloud_provider").asText());
        assertEquals("210987654321", c.get("account_id").asText());
        assertEquals("CREATED", c.get("state").asText());
        assertEquals("UNSPECIFIED", c.get("operation_status").asText());
        assertEquals(2, c.get("regions").size());
        assertEquals(3, c.get("regions").get(0).get("node_count").asInt());
        assertFalse(c.get("regions").get(0).get("sql_dns").asText().isEmpty());
    }

    @Test
    void getCmek_beforeEnable_is404LikeTheRealApi() {
        api.get(CMEK).assertError(404, "CMEK is not configured");
    }

    @Test
    void enable_goesEnablingThenEnabled_andLocksTheClusterMeanwhile() throws Exception {
        var r = api.post(CMEK, regionSpecs(awsSpec("us-east-1", "k1"), awsSpec("eu-west-1", "k2")));
        assertEquals(200, r.status(), r.body().toString());
        assertEquals("ENABLING", r.body().get("status").asText());
        assertEquals(2, r.body().get("region_infos").size());
        assertEquals(
                "eu-west-1", r.body().get("region_infos").get(0).get("region").asText(), "sorted by name");
        JsonNode key = region(r.body(), "us-east-1").get("key_infos").get(0);
        assertEquals("ENABLING", key.get("status").asText());
        assertEquals(
                "arn:aws:kms:us-east-1:111122223333:key/k1",
                key.get("spec").get("uri").asText());

        assertEquals(
                "CRDB_CMEK_OPERATION_RUNNING",
                api.get("/api/v1/clusters/" + AWS_CLUSTER)
                        .body()
                        .get("operation_status")
                        .asText());

        JsonNode done = api.awaitCmek(AWS_CLUSTER, status("ENABLED"));
        for (JsonNode region : done.get("region_infos")) {
            assertEquals("ENABLED", region.get("status").asText());
            assertEquals("ENABLED", region.get("key_infos").get(0).get("status").asText());
        }
        assertEquals(
                "UNSPECIFIED",
                api.get("/api/v1/clusters/" + AWS_CLUSTER)
                        .body()
                        .get("operation_status")
                        .asText());
    }

    @Test
    void enable_onGcpCluster_acceptsCloudKmsKeys() throws Exception {
        var r = api.post("/api/v1/clusters/" + GCP_CLUSTER + "/cmek", regionSpecs(gcpSpec("us-central1", "k1")));
        assertEquals(200, r.status(), r.body().toString());
        api.awaitCmek(GCP_CLUSTER, status("ENABLED"));
    }

    @Test
    void rotate_keepsKeyHistory_oldKeyDisabledNewKeyEnabled() throws Exception {
        enableAws();
        Instant before = Instant.now();
        var r = api.put(CMEK, regionSpecs(awsSpec("us-east-1", "k3")));
        assertEquals(200, r.status(), r.body().toString());
        assertEquals("ROTATING", r.body().get("status").asText());

        JsonNode done = api.awaitCmek(AWS_CLUSTER, status("ENABLED"));
        JsonNode east = region(done, "us-east-1");
        assertEquals("ENABLED", east.get("status").asText());
        JsonNode keys = east.get("key_infos");
        assertEquals(2, keys.size());
        assertEquals("DISABLED", keys.get(0).get("status").asText());
        assertTrue(keys.get(0).get("spec").get("uri").asText().endsWith("key/k1"));
        assertEquals("ENABLED", keys.get(1).get("status").asText());
        assertTrue(keys.get(1).get("spec").get("uri").asText().endsWith("key/k3"));
        assertTrue(Instant.parse(keys.get(1).get("created_at").asText()).isAfter(before.minusMillis(1)));
        assertTrue(Instant.parse(keys.get(0).get("updated_at").asText())
                .isAfter(Instant.parse(keys.get(0).get("created_at").asText())));
        assertEquals(1, region(done, "eu-west-1").get("key_infos").size(), "unrotated region keeps its one key");
    }

    @Test
    void rotate_withTheSameSpec_rewrapsThatKey_movingUpdatedAtAndKeepingCreatedAt() throws Exception {
        enableAws();
        JsonNode enabled = api.get(CMEK).body();
        JsonNode eastBefore = region(enabled, "us-east-1").get("key_infos").get(0);
        Instant submitted = Instant.now();

        var r = api.put(CMEK, regionSpecs(awsSpec("us-east-1", "k1")));
        assertEquals(200, r.status(), r.body().toString());
        JsonNode rotating = region(r.body(), "us-east-1").get("key_infos");
        assertEquals(1, rotating.size(), "no new entry for a key already in use");
        assertEquals("ROTATING", rotating.get(0).get("status").asText());

        JsonNode done = api.awaitCmek(AWS_CLUSTER, status("ENABLED"));
        JsonNode east = region(done, "us-east-1").get("key_infos");
        assertEquals(1, east.size(), east.toString());
        assertEquals(eastBefore.get("spec"), east.get(0).get("spec"));
        assertEquals("ENABLED", east.get(0).get("status").asText());
        assertEquals(
                eastBefore.get("created_at"), east.get(0).get("created_at"), "created when the spec first appeared");
        Instant updated = Instant.parse(east.get(0).get("updated_at").asText());
        assertTrue(
                updated.isAfter(submitted.plus(SandboxFixture.DELAY).minusMillis(1)),
                "updated when CockroachDB took the key again: " + updated + " vs PUT at " + submitted);
        assertEquals(
                region(enabled, "eu-west-1"),
                region(done, "eu-west-1"),
                "the region not named is untouched, its updated_at included");
    }

    @Test
    void rotate_withTheSameSpec_whenTheRewrapFails_marksThatKey_andARetryEnablesIt() throws Exception {
        enableAws();
        api.sandbox.failNextCmekOperation(AWS_CLUSTER, "us-east-1", "kms:Decrypt denied on the new key version");

        assertEquals(200, api.put(CMEK, regionSpecs(awsSpec("us-east-1", "k1"))).status());
        JsonNode failed = region(api.awaitCmek(AWS_CLUSTER, status("ROTATE_FAILED")), "us-east-1");
        assertEquals(1, failed.get("key_infos").size());
        assertEquals("ROTATE_FAILED", failed.at("/key_infos/0/status").asText());
        assertEquals(
                "kms:Decrypt denied on the new key version",
                failed.at("/key_infos/0/user_message").asText());

        assertEquals(200, api.put(CMEK, regionSpecs(awsSpec("us-east-1", "k1"))).status());
        JsonNode fixed = region(api.awaitCmek(AWS_CLUSTER, status("ENABLED")), "us-east-1");
        assertEquals(1, fixed.get("key_infos").size());
        assertEquals("ENABLED", fixed.at("/key_infos/0/status").asText());
        assertEquals("", fixed.at("/key_infos/0/user_message").asText());
    }

    @Test
    void revoke_goesRevokingThenRevoked() throws Exception {
        enableAws();
        var r = api.patch(CMEK, "{\"action\":\"REVOKE\"}");
        assertEquals(200, r.status(), r.body().toString());
        assertEquals("REVOKING", r.body().get("status").asText());
        JsonNode done = api.awaitCmek(AWS_CLUSTER, status("REVOKED"));
        for (JsonNode region : done.get("region_infos")) {
            assertEquals("REVOKED", region.get("status").asText());
            assertEquals("REVOKED", region.get("key_infos").get(0).get("status").asText());
        }
    }

    @Test
    void addRegion_onCmekCluster_addsNodesAndEnablesTheNewRegionsKey() throws Exception {
        enableAws();
        var r = api.patch("/api/v1/clusters/" + AWS_CLUSTER, """
                {"dedicated": {"region_nodes": {"us-east-1": 3, "eu-west-1": 3, "ap-south-1": 5},
                               "cmek_region_specs": [%s]}}""".formatted(awsSpec("ap-south-1", "k9")));
        assertEquals(200, r.status(), r.body().toString());
        assertEquals(
                "CRDB_CMEK_OPERATION_RUNNING", r.body().get("operation_status").asText());
        List<String> names = new ArrayList<>();
        r.body().get("regions").forEach(n -> names.add(n.get("name").asText()));
        assertEquals(List.of("us-east-1", "eu-west-1", "ap-south-1"), names);
        assertEquals(5, r.body().get("regions").get(2).get("node_count").asInt());

        JsonNode done = api.awaitCmek(AWS_CLUSTER, status("ENABLED"));
        assertEquals("ENABLED", region(done, "ap-south-1").get("status").asText());
        assertTrue(region(done, "ap-south-1")
                .get("key_infos")
                .get(0)
                .get("spec")
                .get("uri")
                .asText()
                .endsWith("key/k9"));
    }

    @Test
    void addRegion_withoutCmek_needsNoKeySpecs() {
        var r = api.patch(
                "/api/v1/clusters/" + AWS_CLUSTER,
                "{\"dedicated\":{\"region_nodes\":{\"us-east-1\":3,\"eu-west-1\":4,\"us-west-2\":3}}}");
        assertEquals(200, r.status(), r.body().toString());
        assertEquals(3, r.body().get("regions").size());
        assertEquals(4, r.body().get("regions").get(1).get("node_count").asInt());
    }

    @Test
    void unknownRequestFields_areIgnoredByTheSandbox_butFlaggedByTheContract() {
        var r = api.post(CMEK, """
                {"region_specs": [%s, %s], "future_field": true}""".formatted(awsSpec("us-east-1", "k1"), awsSpec("eu-west-1", "k2")));
        assertEquals(200, r.status(), r.body().toString());
        AssertionError e = assertThrows(AssertionError.class, () -> OpenApiContract.assertConforms(api.log()));
        assertTrue(e.getMessage().contains("future_field"), e.getMessage());
        OpenApiContract.assertResponsesConform(api.log());
        api.sandbox.requestLog().clear(); // the request is non-conforming on purpose
    }

    private void enableAws() throws InterruptedException {
        var r = api.post(CMEK, regionSpecs(awsSpec("us-east-1", "k1"), awsSpec("eu-west-1", "k2")));
        assertEquals(200, r.status(), r.body().toString());
        api.awaitCmek(AWS_CLUSTER, status("ENABLED"));
    }

    static JsonNode region(JsonNode info, String name) {
        for (JsonNode r : info.get("region_infos")) {
            if (r.get("region").asText().equals(name)) return r;
        }
        throw new AssertionError("no region " + name + " in " + info);
    }
}
