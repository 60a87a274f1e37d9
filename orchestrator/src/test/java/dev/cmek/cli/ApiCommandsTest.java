package dev.cmek.cli;

import static dev.cmek.testing.Sandboxes.AWS_CLUSTER;
import static dev.cmek.testing.Sandboxes.GCP_CLUSTER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cmek.model.BadManifests;
import dev.cmek.model.Samples;
import dev.cmek.sandbox.CloudApiSandbox;
import dev.cmek.sandbox.OpenApiContract;
import dev.cmek.testing.Sandboxes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The CLI end to end against the sandbox. The harness fails any run whose output contains the API key. */
class ApiCommandsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static CloudApiSandbox sandbox;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        sandbox = Sandboxes.start(Duration.ofMillis(150));
    }

    @AfterAll
    static void stop() {
        sandbox.close();
    }

    @BeforeEach
    void fresh() {
        sandbox.close();
        sandbox = Sandboxes.start(Duration.ofMillis(150));
    }

    private Cli cli() {
        return new Cli().api(sandbox);
    }

    private Path file(String name, String content) throws Exception {
        return Files.writeString(dir.resolve(name), content);
    }

    static List<BadManifests.Case> badManifests() {
        return BadManifests.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badManifests")
    void enable_badManifest_isRefusedBeforeAnyRequest(BadManifests.Case bad) throws Exception {
        Path manifest = file("bad.json", bad.json());
        Cli.Result r = cli().run("enable", "--cluster", AWS_CLUSTER, "--manifest", manifest.toString());
        assertEquals(2, r.exit(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("cmek: ") && r.err().contains(bad.expected()), r.err());
        assertEquals("", r.out());
        assertEquals(0, sandbox.requestLog().size(), "nothing reached the API");
    }

    @Test
    void enable_manifestThatDoesNotFitTheCluster_onlyReads() throws Exception {
        Path gcp = file("gcp.json", Samples.GCP_MANIFEST);
        Cli.Result r = cli().run("enable", "--cluster", AWS_CLUSTER, "--manifest", gcp.toString());
        assertEquals(2, r.exit());
        assertTrue(
                r.err().contains("key type GCP_CLOUD_KMS does not match cluster " + AWS_CLUSTER + " on AWS"), r.err());
        assertTrue(
                sandbox.requestLog().exchanges().stream()
                        .allMatch(x -> x.method().equals("GET")),
                "read-only");

        Path partial =
                file("partial.json", Samples.oneRegion("us-east-1", "AWS_KMS", Samples.AWS_KEY_EAST, Samples.AWS_ROLE));
        r = cli().run("manifest", "validate", partial.toString(), "--cluster", AWS_CLUSTER);
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("enable must cover every cluster region; missing: us-west-2"), r.err());
    }

    @Test
    void lifecycle_enableStatusRotateAddRegionRevoke() throws Exception {
        Path manifest = dir.resolve("cmek_config.json");
        assertEquals(
                0,
                cli().run(Samples.buildAwsManifest("--out", manifest.toString()))
                        .exit());

        Cli.Result before = cli().run("status", "--cluster", AWS_CLUSTER, "-o", "json");
        assertEquals(0, before.exit(), before.err());
        assertEquals("DISABLED", JSON.readTree(before.out()).get("status").textValue());

        Cli.Result enabled =
                cli().run("enable", "--cluster", AWS_CLUSTER, "--manifest", manifest.toString(), "-o", "json");
        assertEquals(0, enabled.exit(), enabled.err());
        JsonNode doc = JSON.readTree(enabled.out());
        assertEquals("ENABLED", doc.get("action").textValue());
        assertEquals("ENABLED", doc.get("status").textValue());
        assertEquals(
                Samples.AWS_KEY_WEST,
                doc.get("regions").get(1).get("key_spec").get("uri").textValue());
        assertTrue(
                enabled.err().contains("ENABLED: us-east-1 ENABLED, us-west-2 ENABLED"),
                "progress on stderr: " + enabled.err());

        Cli.Result again = cli().run("enable", "--cluster", AWS_CLUSTER, "--manifest", manifest.toString());
        assertEquals(0, again.exit());
        assertTrue(again.out().contains("already enabled"), again.out());
        long posts =
                sandbox.requestLog().exchanges(x -> x.method().equals("POST")).size();
        assertEquals(1, posts, "the re-run sent no second enable");

        Cli.Result text = cli().run("status", "--cluster", AWS_CLUSTER);
        assertEquals(0, text.exit());
        assertTrue(
                text.out().contains("CMEK ENABLED")
                        && text.out().contains(Samples.AWS_KEY_EAST + " as " + Samples.AWS_ROLE),
                text.out());

        String newKey = "arn:aws:kms:us-east-1:111122223333:key/00000000-1111-2222-3333-444444444444";
        Path rotation = file("rotate.json", Samples.oneRegion("us-east-1", "AWS_KMS", newKey, Samples.AWS_ROLE));
        Cli.Result rotated =
                cli().run("rotate", "--cluster", AWS_CLUSTER, "--manifest", rotation.toString(), "-o", "json");
        assertEquals(0, rotated.exit(), rotated.err());
        assertEquals(
                newKey,
                JSON.readTree(rotated.out())
                        .get("regions")
                        .get(0)
                        .get("key_spec")
                        .get("uri")
                        .textValue());

        String euKey = "arn:aws:kms:eu-west-1:111122223333:key/00000000-1111-2222-3333-555555555555";
        Path eu = file("eu.json", Samples.oneRegion("eu-west-1", "AWS_KMS", euKey, Samples.AWS_ROLE));
        Cli.Result added = cli().run(
                        "add-region",
                        "--cluster",
                        AWS_CLUSTER,
                        "--region",
                        "eu-west-1",
                        "--nodes",
                        "3",
                        "--manifest",
                        eu.toString());
        assertEquals(0, added.exit(), added.err());
        assertTrue(added.out().contains("eu-west-1") && added.out().contains("region added"), added.out());
        Cli.Result addedAgain = cli().run(
                        "add-region",
                        "--cluster",
                        AWS_CLUSTER,
                        "--region",
                        "eu-west-1",
                        "--nodes",
                        "3",
                        "--manifest",
                        eu.toString());
        assertEquals(0, addedAgain.exit(), addedAgain.err());
        assertTrue(addedAgain.out().contains("region already present"), addedAgain.out());

        Cli.Result notConfirmed = cli().typing("wrong-id\n")
                .run(
                        "revoke",
                        "--cluster",
                        AWS_CLUSTER,
                        "--api-only",
                        "--evidence",
                        dir.resolve("e1").toString());
        assertEquals(2, notConfirmed.exit());
        assertEquals(
                0,
                sandbox.requestLog()
                        .exchanges(x -> x.method().equals("PATCH") && x.path().endsWith("/cmek"))
                        .size());

        Cli.Result revoked = cli().typing(AWS_CLUSTER + "\n")
                .run(
                        "revoke",
                        "--cluster",
                        AWS_CLUSTER,
                        "--api-only",
                        "-o",
                        "json",
                        "--evidence",
                        dir.resolve("e2").toString());
        assertEquals(0, revoked.exit(), revoked.err());
        assertEquals(
                "REVOKED",
                JSON.readTree(revoked.out()).get("status").get("status").textValue());
        JsonNode evidence = JSON.readTree(Files.readString(dir.resolve("e2").resolve("revocation.json")));
        assertEquals(
                List.of("intent", "api_revoke_sent", "api_revoked", "summary"),
                evidence.get("steps").findValuesAsText("step"),
                "no cloud step with --api-only");

        OpenApiContract.assertConforms(sandbox.requestLog().exchanges());
    }

    @Test
    void exitCodes_rejected_failed_timeout_unavailable() throws Exception {
        Path gcp = file("gcp.json", Samples.GCP_MANIFEST);
        Cli.Result wrongKey = new Cli()
                .env("COCKROACH_API_KEY", "CCDB1_not_the_key")
                .env("COCKROACH_SERVER", sandbox.baseUri().toString())
                .run("status", "--cluster", GCP_CLUSTER);
        assertEquals(3, wrongKey.exit());
        assertTrue(wrongKey.err().contains("HTTP 401"), wrongKey.err());

        Cli.Result unknown = cli().run("status", "--cluster", "00000000-0000-4000-8000-000000000000", "-o", "json");
        assertEquals(2, unknown.exit(), "an unknown cluster is bad input");
        assertEquals(
                2, JSON.readTree(unknown.out()).get("error").get("exit_code").intValue());

        sandbox.failNextCmekOperation(
                GCP_CLUSTER, "us-central1", "permission denied: cloudkms.cryptoKeyVersions.useToEncrypt");
        Cli.Result failed = cli().run("enable", "--cluster", GCP_CLUSTER, "--manifest", gcp.toString());
        assertEquals(4, failed.exit(), failed.err());
        assertTrue(failed.err().contains("region us-central1 is ENABLE_FAILED: permission denied"), failed.err());
        assertEquals(4, cli().run("status", "--cluster", GCP_CLUSTER).exit(), "status reports the failure too");

        sandbox.setTransitionDelay(Duration.ofSeconds(30));
        Cli.Result slow =
                cli().run("enable", "--cluster", GCP_CLUSTER, "--manifest", gcp.toString(), "--timeout", "1s");
        assertEquals(5, slow.exit(), "a failed enable is re-submitted, then the wait times out: " + slow.err());
        assertEquals(
                "PUT",
                sandbox.requestLog()
                        .exchanges(x -> !x.method().equals("GET"))
                        .get(1)
                        .method());

        Cli.Result down = new Cli()
                .env("COCKROACH_API_KEY", Sandboxes.API_KEY)
                .run("status", "--cluster", GCP_CLUSTER, "--server", "http://127.0.0.1:9");
        assertEquals(6, down.exit(), down.err());
        assertTrue(down.err().contains("cannot reach http://127.0.0.1:9"), down.err());
    }

    @Test
    void noApiKey_isBadInputBeforeAnyRequest() {
        Cli.Result r =
                new Cli().env("COCKROACH_SERVER", sandbox.baseUri().toString()).run("status", "--cluster", AWS_CLUSTER);
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("no API key: set COCKROACH_API_KEY or pass --api-key-file FILE"), r.err());
        assertEquals(0, sandbox.requestLog().size());
    }

    @Test
    void apiKeyFile_isUsed(@TempDir Path keys) throws Exception {
        Path keyFile = Files.writeString(keys.resolve("key"), Sandboxes.API_KEY + "\n");
        Cli.Result r = new Cli()
                .env("COCKROACH_SERVER", sandbox.baseUri().toString())
                .run("status", "--cluster", AWS_CLUSTER, "--api-key-file", keyFile.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(!r.all().contains(Sandboxes.API_KEY));
    }

    @Test
    void apiKeyFile_startingWithAByteOrderMark_isUsed(@TempDir Path keys) throws Exception {
        // As Notepad and PowerShell's Out-File -Encoding utf8 write it.
        Path keyFile = Files.writeString(keys.resolve("key"), "\uFEFF" + Sandboxes.API_KEY + "\r\n");
        Cli.Result r = new Cli()
                .env("COCKROACH_SERVER", sandbox.baseUri().toString())
                .run("status", "--cluster", AWS_CLUSTER, "--api-key-file", keyFile.toString(), "-o", "json");
        assertEquals(0, r.exit(), r.err());
        assertEquals(
                AWS_CLUSTER,
                new com.fasterxml.jackson.databind.ObjectMapper()
                        .readTree(r.out())
                        .get("cluster_id")
                        .asText());
    }

    @Test
    void sandboxClustersFile_startingWithAByteOrderMark_isReadAsJson(@TempDir Path dir) throws Exception {
        // A duplicate id, so that the sandbox stops once it has read the file: the BOM must not be what it reports.
        String cluster = "{\"id\": \"" + AWS_CLUSTER + "\", \"name\": \"orders\", \"cloud_provider\": \"AWS\","
                + " \"regions\": [{\"name\": \"us-east-1\", \"node_count\": 3}]}";
        Path clusters = Files.writeString(
                dir.resolve("clusters.json"),
                "\uFEFF{\"organization\": {\"id\": \"" + Sandboxes.ORG_ID + "\", \"name\": \"acme\"},"
                        + " \"clusters\": [" + cluster + ", " + cluster + "]}");
        Cli.Result r = new Cli().run("sandbox", "--clusters", clusters.toString(), "-o", "json");
        assertEquals(2, r.exit(), r.err());
        String message = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(r.out())
                .get("error")
                .get("message")
                .asText();
        assertTrue(message.contains("clusters[1]: duplicate id " + AWS_CLUSTER), message);
    }
}
