package dev.cmek.sandbox;

import static dev.cmek.sandbox.SandboxFixture.AWS_CLUSTER;
import static dev.cmek.sandbox.SandboxFixture.ORG_ID;
import static dev.cmek.sandbox.SandboxFixture.awsSpec;
import static dev.cmek.sandbox.SandboxFixture.regionSpecs;
import static dev.cmek.sandbox.SandboxFixture.status;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Failed outcomes (*_FAILED with user_message), the pluggable key check, and slow cluster creation. */
class CmekOutcomeTest {

    private static final String CLUSTER = "/api/v1/clusters/" + AWS_CLUSTER;
    private static final String CMEK = CLUSTER + "/cmek";
    private static final String BOTH = regionSpecs(awsSpec("us-east-1", "k1"), awsSpec("eu-west-1", "k2"));
    /** Every exchange of each test is checked against the OpenAPI spec afterwards. */
    @RegisterExtension
    final SandboxFixture api = new SandboxFixture();

    @Test
    void failNextCmekOperation_endsEnableInEnableFailed_withUserMessage_andRetryByPutSucceeds() throws Exception {
        api.sandbox.failNextCmekOperation(AWS_CLUSTER, "eu-west-1", "access denied to key k2");
        assertEquals(200, api.post(CMEK, BOTH).status());
        JsonNode failed = api.awaitCmek(AWS_CLUSTER, status("ENABLE_FAILED"));
        JsonNode eu = CmekLifecycleTest.region(failed, "eu-west-1");
        assertEquals("ENABLE_FAILED", eu.get("status").asText());
        assertEquals(
                "access denied to key k2",
                eu.get("key_infos").get(0).get("user_message").asText());
        assertEquals(
                "ENABLED",
                CmekLifecycleTest.region(failed, "us-east-1").get("status").asText());
        assertEquals(
                "CRDB_CMEK_OPERATION_FAILED",
                api.get(CLUSTER).body().get("operation_status").asText());

        assertEquals(200, api.put(CMEK, regionSpecs(awsSpec("eu-west-1", "k2"))).status());
        JsonNode fixed = api.awaitCmek(AWS_CLUSTER, status("ENABLED"));
        JsonNode keys = CmekLifecycleTest.region(fixed, "eu-west-1").get("key_infos");
        assertEquals(List.of("ENABLE_FAILED", "ENABLED"), statuses(keys));
    }

    @Test
    void failedRotation_endsInRotateFailed_andKeepsTheOldKeyEnabled() throws Exception {
        api.post(CMEK, BOTH);
        api.awaitCmek(AWS_CLUSTER, status("ENABLED"));
        api.sandbox.failNextCmekOperation(AWS_CLUSTER, "us-east-1", "key k3 is disabled");
        assertEquals(200, api.put(CMEK, regionSpecs(awsSpec("us-east-1", "k3"))).status());
        JsonNode failed = api.awaitCmek(AWS_CLUSTER, status("ROTATE_FAILED"));
        JsonNode keys = CmekLifecycleTest.region(failed, "us-east-1").get("key_infos");
        assertEquals(List.of("ENABLED", "ROTATE_FAILED"), statuses(keys));
        assertEquals("key k3 is disabled", keys.get(1).get("user_message").asText());
    }

    @Test
    void keySpecCheck_decidesTheOutcome_andSeesClusterAndOrganization() throws Exception {
        List<KeySpecCheck.ClusterFacts> seen = new ArrayList<>();
        api.sandbox.setKeySpecCheck((cluster, key) -> {
            seen.add(cluster);
            return key.uri().endsWith("key/k2")
                    ? Optional.of("kms:Decrypt denied for " + key.authPrincipal())
                    : Optional.empty();
        });
        api.post(CMEK, BOTH);
        JsonNode failed = api.awaitCmek(AWS_CLUSTER, status("ENABLE_FAILED"));
        assertEquals(
                "kms:Decrypt denied for arn:aws:iam::111122223333:role/crdb-cmek",
                CmekLifecycleTest.region(failed, "eu-west-1")
                        .get("key_infos")
                        .get(0)
                        .get("user_message")
                        .asText());
        assertEquals(new KeySpecCheck.ClusterFacts(AWS_CLUSTER, "AWS", "210987654321", ORG_ID), seen.get(0));

        api.sandbox.setKeySpecCheck((cluster, key) -> {
            throw new IllegalStateException("emulator down");
        });
        api.put(CMEK, regionSpecs(awsSpec("eu-west-1", "k2")));
        JsonNode again = api.awaitCmek(AWS_CLUSTER, status("ENABLE_FAILED"));
        assertEquals(
                "key check failed: emulator down",
                CmekLifecycleTest.region(again, "eu-west-1")
                        .get("key_infos")
                        .get(1)
                        .get("user_message")
                        .asText());
    }

    @Test
    void clusterHeldInCreating_answers503_thenAcceptsOnceCreated() throws Exception {
        api.sandbox.holdCreating(AWS_CLUSTER, Duration.ofMillis(300));
        api.post(CMEK, BOTH).assertError(503, "cluster not ready");
        assertEquals(14, api.post(CMEK, BOTH).body().get("code").asInt(), "gRPC UNAVAILABLE in the body");
        Thread.sleep(350);
        assertEquals("CREATED", api.get(CLUSTER).body().get("state").asText());
        assertEquals(200, api.post(CMEK, BOTH).status());
    }

    @Test
    void statusesProgressOverTime_withTheConfiguredDelay() throws Exception {
        api.sandbox.setTransitionDelay(Duration.ofMillis(600));
        assertEquals("ENABLING", api.post(CMEK, BOTH).body().get("status").asText());
        Thread.sleep(100);
        assertEquals("ENABLING", api.get(CMEK).body().get("status").asText());
        Thread.sleep(600);
        assertEquals("ENABLED", api.get(CMEK).body().get("status").asText());
    }

    private static List<String> statuses(JsonNode keys) {
        List<String> out = new ArrayList<>();
        keys.forEach(k -> out.add(k.get("status").asText()));
        return out;
    }
}
