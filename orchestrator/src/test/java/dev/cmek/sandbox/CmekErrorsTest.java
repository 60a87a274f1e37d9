package dev.cmek.sandbox;

import static dev.cmek.sandbox.SandboxFixture.AWS_CLUSTER;
import static dev.cmek.sandbox.SandboxFixture.GCP_CLUSTER;
import static dev.cmek.sandbox.SandboxFixture.STANDARD_CLUSTER;
import static dev.cmek.sandbox.SandboxFixture.awsSpec;
import static dev.cmek.sandbox.SandboxFixture.gcpSpec;
import static dev.cmek.sandbox.SandboxFixture.regionSpecs;
import static dev.cmek.sandbox.SandboxFixture.status;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Every semantic error: status code, the {code,message,details} body and a message saying what is wrong. */
class CmekErrorsTest {

    private static final String CLUSTER = "/api/v1/clusters/" + AWS_CLUSTER;
    private static final String CMEK = CLUSTER + "/cmek";
    private static final String BOTH = regionSpecs(awsSpec("us-east-1", "k1"), awsSpec("eu-west-1", "k2"));
    /** Requests here are often malformed on purpose, so only the answers are checked against the spec. */
    @RegisterExtension
    final SandboxFixture api = SandboxFixture.checkingResponsesOnly();

    @Test
    void unknownCluster_is404_forEveryOperation() {
        String id = "00000000-0000-4000-8000-000000000000";
        api.get("/api/v1/clusters/" + id).assertError(404, "cluster " + id + " not found");
        api.get("/api/v1/clusters/" + id + "/cmek").assertError(404, "not found");
        api.post("/api/v1/clusters/" + id + "/cmek", BOTH).assertError(404, "not found");
        api.put("/api/v1/clusters/" + id + "/cmek", BOTH).assertError(404, "not found");
        api.patch("/api/v1/clusters/" + id + "/cmek", "{\"action\":\"REVOKE\"}").assertError(404, "not found");
        api.patch("/api/v1/clusters/" + id, "{\"dedicated\":{\"region_nodes\":{\"x\":1}}}")
                .assertError(404, "not found");
        assertEquals(5, api.get("/api/v1/clusters/" + id).body().get("code").asInt(), "gRPC NOT_FOUND in the body");
    }

    @Test
    void enable_missingRegion_is400NamingIt() {
        api.post(CMEK, regionSpecs(awsSpec("us-east-1", "k1"))).assertError(400, "missing: [eu-west-1]");
        api.get(CMEK).assertError(404, "not configured"); // nothing was enabled
    }

    @Test
    void enable_regionNotInCluster_is400NamingIt() {
        api.post(CMEK, regionSpecs(awsSpec("us-east-1", "k1"), awsSpec("eu-west-1", "k2"), awsSpec("ap-south-1", "k3")))
                .assertError(400, "not in cluster: [ap-south-1]");
    }

    @Test
    void enable_duplicateRegion_is400() {
        api.post(CMEK, regionSpecs(awsSpec("us-east-1", "k1"), awsSpec("us-east-1", "k2"), awsSpec("eu-west-1", "k3")))
                .assertError(400, "region us-east-1 is listed more than once");
    }

    @Test
    void enable_keyTypeOfTheOtherCloud_is400() {
        api.post(CMEK, regionSpecs(gcpSpec("us-east-1", "k1"), gcpSpec("eu-west-1", "k2")))
                .assertError(400, "key type GCP_CLOUD_KMS does not match cloud provider AWS");
        api.post("/api/v1/clusters/" + GCP_CLUSTER + "/cmek", regionSpecs(awsSpec("us-central1", "k1")))
                .assertError(400, "use GCP_CLOUD_KMS");
    }

    @Test
    void enable_malformedUriOrPrincipal_is400() {
        String badUri = """
                {"region":"us-east-1","key_spec":{"type":"AWS_KMS","uri":"k1",
                 "auth_principal":"arn:aws:iam::111122223333:role/r"}}""";
        api.post(CMEK, regionSpecs(badUri, awsSpec("eu-west-1", "k2"))).assertError(400, "uri must be a KMS key ARN");
        String badRole = """
                {"region":"us-east-1","key_spec":{"type":"AWS_KMS","uri":"arn:aws:kms:us-east-1:111122223333:key/k1",
                 "auth_principal":"arn:aws:iam::111122223333:user/bob"}}""";
        api.post(CMEK, regionSpecs(badRole, awsSpec("eu-west-1", "k2")))
                .assertError(400, "auth_principal must be an IAM role ARN");
        String keyVersion = """
                {"region":"us-central1","key_spec":{"type":"GCP_CLOUD_KMS",
                 "uri":"projects/customer-proj/locations/us/keyRings/r/cryptoKeys/k/cryptoKeyVersions/1",
                 "auth_principal":"crdb-cmek@customer-proj.iam.gserviceaccount.com"}}""";
        api.post("/api/v1/clusters/" + GCP_CLUSTER + "/cmek", regionSpecs(keyVersion))
                .assertError(400, "no /cryptoKeyVersions/N");
        String noKeySpec = "{\"region\":\"us-east-1\"}";
        api.post(CMEK, regionSpecs(noKeySpec, awsSpec("eu-west-1", "k2"))).assertError(400, "key_spec is required");
        api.post(CMEK, "{}").assertError(400, "region_specs is required");
    }

    @Test
    void enable_onStandardPlan_is400() {
        api.post("/api/v1/clusters/" + STANDARD_CLUSTER + "/cmek", regionSpecs(awsSpec("us-east-1", "k1")))
                .assertError(400, "CMEK requires the ADVANCED plan");
    }

    @Test
    void enable_twice_is400() throws Exception {
        api.post(CMEK, BOTH);
        api.awaitCmek(AWS_CLUSTER, status("ENABLED"));
        api.post(CMEK, BOTH).assertError(400, "CMEK is already enabled");
    }

    @Test
    void enable_whileClusterIsCreating_is503NotReady() {
        api.sandbox.holdCreating(AWS_CLUSTER, Duration.ofMinutes(1));
        api.post(CMEK, BOTH).assertError(503, "cluster not ready");
        assertEquals("CREATING", api.get(CLUSTER).body().get("state").asText());
    }

    @Test
    void mutationsDuringATransition_are409() {
        api.sandbox.setTransitionDelay(Duration.ofSeconds(30));
        assertEquals(200, api.post(CMEK, BOTH).status());
        api.put(CMEK, regionSpecs(awsSpec("us-east-1", "k3"))).assertError(409, "a CMEK operation is in progress");
        api.patch(CMEK, "{\"action\":\"REVOKE\"}").assertError(409, "locked");
        api.patch(CLUSTER, "{\"dedicated\":{\"region_nodes\":{\"us-east-1\":3,\"eu-west-1\":5}}}")
                .assertError(409, "locked");
        assertEquals(200, api.get(CMEK).status(), "reads are not locked");
    }

    @Test
    void rotate_beforeEnable_emptySpecs_unknownRegion_afterRevoke_are400() throws Exception {
        api.put(CMEK, regionSpecs(awsSpec("us-east-1", "k3"))).assertError(400, "CMEK is not enabled");
        api.post(CMEK, BOTH);
        api.awaitCmek(AWS_CLUSTER, status("ENABLED"));
        api.put(CMEK, regionSpecs()).assertError(400, "at least one region");
        api.put(CMEK, regionSpecs(awsSpec("ap-south-1", "k3"))).assertError(400, "ap-south-1 is not a CMEK region");
        api.patch(CMEK, "{\"action\":\"REVOKE\"}");
        api.awaitCmek(AWS_CLUSTER, status("REVOKED"));
        api.put(CMEK, regionSpecs(awsSpec("us-east-1", "k3"))).assertError(400, "CMEK status is REVOKED");
    }

    @Test
    void revoke_unknownOrMissingAction_beforeEnable_twice_are400() throws Exception {
        api.patch(CMEK, "{\"action\":\"DISABLE\"}")
                .assertError(400, "unknown action DISABLE; the only action is REVOKE");
        api.patch(CMEK, "{}").assertError(400, "action is required");
        api.patch(CMEK, "{\"action\":\"REVOKE\"}").assertError(400, "CMEK is not enabled");
        api.post(CMEK, BOTH);
        api.awaitCmek(AWS_CLUSTER, status("ENABLED"));
        assertEquals(200, api.patch(CMEK, "{\"action\":\"REVOKE\"}").status());
        api.awaitCmek(AWS_CLUSTER, status("REVOKED"));
        api.patch(CMEK, "{\"action\":\"REVOKE\"}").assertError(400, "already revoked");
    }

    @Test
    void addRegion_errors_are400() throws Exception {
        api.patch(CLUSTER, "{\"dedicated\":{\"region_nodes\":{\"us-east-1\":3,\"ap-south-1\":3}}}")
                .assertError(
                        400,
                        "must list every existing region of cluster " + AWS_CLUSTER
                                + " (the sandbox does not remove regions); missing: [eu-west-1]");
        api.patch(CLUSTER, """
                {"dedicated":{"region_nodes":{"us-east-1":3,"eu-west-1":3,"ap-south-1":3},"cmek_region_specs":[%s]}}""".formatted(awsSpec("ap-south-1", "k9")))
                .assertError(400, "CMEK is not enabled on cluster");
        api.patch(CLUSTER, "{\"dedicated\":{\"cmek_region_specs\":[]}}")
                .assertError(400, "needs dedicated.region_nodes");
        api.patch(CLUSTER, "{\"labels\":{\"a\":\"b\"}}").assertError(400, "the sandbox supports only");
        api.patch(CLUSTER, "{\"dedicated\":{\"region_nodes\":{\"us-east-1\":0,\"eu-west-1\":3}}}")
                .assertError(400, "must be a positive integer");

        api.post(CMEK, BOTH);
        api.awaitCmek(AWS_CLUSTER, status("ENABLED"));
        api.patch(CLUSTER, "{\"dedicated\":{\"region_nodes\":{\"us-east-1\":3,\"eu-west-1\":3,\"ap-south-1\":3}}}")
                .assertError(400, "new region ap-south-1 needs an entry in dedicated.cmek_region_specs");
        api.patch(CLUSTER, """
                {"dedicated":{"region_nodes":{"us-east-1":3,"eu-west-1":3,"ap-south-1":3},"cmek_region_specs":[%s,%s]}}""".formatted(awsSpec("ap-south-1", "k9"), awsSpec("us-east-1", "k1")))
                .assertError(400, "may list only new regions; region us-east-1 already exists");
        api.patch(CLUSTER, """
                {"dedicated":{"region_nodes":{"us-east-1":3,"eu-west-1":3},"cmek_region_specs":[%s]}}""".formatted(awsSpec("ap-south-1", "k9")))
                .assertError(400, "not in dedicated.region_nodes");
        assertEquals(2, api.get(CLUSTER).body().get("regions").size(), "failed updates change nothing");
    }

    @Test
    void concurrentEnables_exactlyOneWins_theOthersAreLockedOrRejected() {
        List<CompletableFuture<SandboxFixture.Reply>> calls = IntStream.range(0, 8)
                .mapToObj(i -> CompletableFuture.supplyAsync(() -> api.post(CMEK, BOTH)))
                .toList();
        List<Integer> statuses =
                calls.stream().map(c -> c.join().status()).sorted().toList();
        assertEquals(200, statuses.get(0));
        assertEquals(1, statuses.stream().filter(s -> s == 200).count(), statuses.toString());
        assertTrue(statuses.stream().allMatch(s -> s == 200 || s == 409), statuses.toString());
    }

    @Test
    void listClusters_badQueryParameters_are400NamingTheParameter() {
        String list = "/api/v1/clusters";
        api.get(list + "?pagination.limit=many").assertError(400, "pagination.limit must be a 32-bit integer");
        api.get(list + "?pagination.limit=-1").assertError(400, "pagination.limit must not be negative");
        api.get(list + "?pagination.sort_order=UP")
                .assertError(400, "pagination.sort_order must be one of [ASC, DESC]");
        api.get(list + "?pagination.sort_by=SIZE").assertError(400, "pagination.sort_by must be one of");
        api.get(list + "?show_inactive=maybe").assertError(400, "show_inactive must be true or false");
        api.get(list + "?pagination.as_of_time=yesterday")
                .assertError(400, "pagination.as_of_time must be an RFC 3339");
        api.get(list + "?pagination.page=bm90IGEgdG9rZW4").assertError(400, "is not a page token this server issued");
        api.get(list + "?pagination.limit=1&pagination.limit=2").assertError(400, "given more than once");
        String next = api.get(list + "?pagination.limit=1")
                .body()
                .at("/pagination/next_page")
                .asText();
        api.get(list + "?pagination.limit=1&pagination.sort_order=DESC&pagination.page=" + next)
                .assertError(400, "pagination.page was issued for another query");
        assertEquals(
                "payments",
                api.get(list + "?pagination.limit=1&pagination.page=" + next + "&unknown=ignored")
                        .body()
                        .at("/clusters/0/name")
                        .asText(),
                "the second cluster by name; unknown parameters are ignored");
    }

    @Test
    void malformedBodies_unknownPaths_andWrongMethods() {
        api.post(CMEK, "{not json").assertError(400, "not valid JSON");
        api.post(CMEK, "").assertError(400, "a JSON request body is required");
        api.post(CMEK, "[]").assertError(400, "must be a JSON object");
        api.get("/api/v1/no-such-thing").assertError(404, "Not Found");
        var r = api.send("DELETE", CLUSTER, null).assertError(405, "not allowed");
        assertEquals("GET, PATCH", r.raw().headers().firstValue("allow").orElse(""));
        assertEquals(405, api.send("HEAD", "/api/v1/organization", null).raw().statusCode());
        api.sandbox.requestLog().clear(); // unknown paths and methods are outside the spec by construction
    }
}
