package dev.cmek.cli;

import static dev.cmek.cli.Cli.ok;
import static dev.cmek.testing.Sandboxes.AWS_CLUSTER;
import static dev.cmek.testing.Sandboxes.GCP_CLUSTER;
import static dev.cmek.testing.Sandboxes.STANDARD_CLUSTER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.cloud.kms.v1.CryptoKeyName;
import dev.cmek.aws.KeyArn;
import dev.cmek.aws.testing.MotoServer;
import dev.cmek.gcp.GcpClients;
import dev.cmek.gcp.GcpCmek;
import dev.cmek.gcp.emulator.GcpEmulator;
import dev.cmek.model.Manifest;
import dev.cmek.sandbox.KeyVersionTaken;
import dev.cmek.sandbox.RecordedExchange;
import dev.cmek.testing.CheckingSandbox;
import dev.cmek.testing.FleetSandboxes;
import dev.cmek.testing.GcpEmulatorFixture;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.regions.Region;

/**
 * {@code cmek rotate --rewrap [--if-rotated] [--all]} for real: keys in moto (behind the strict stand-in) and the GCP
 * emulator, rotated out of band there, and the sandbox recording which KMS version CockroachDB took at each
 * submission (its key checks read the KMS).
 */
class RewrapCommandTest {
    @RegisterExtension
    static final MotoServer MOTO = MotoServer.create();

    @RegisterExtension
    static final GcpEmulatorFixture GCP = new GcpEmulatorFixture();

    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    final CheckingSandbox api = CheckingSandbox.awsAndGcp(MOTO, GCP);

    @TempDir
    Path dir;

    private Cli cli() {
        return api.cli();
    }

    private Manifest enable(String cluster) {
        return api.enable(dir, cluster);
    }

    private List<RecordedExchange> puts() {
        return api.sandbox().requestLog().exchanges(x -> x.method().equals("PUT"));
    }

    private KeyVersionTaken lastTaken(String cluster, String region) {
        List<KeyVersionTaken> taken = api.sandbox().keyVersionsTaken(cluster, region);
        assertTrue(!taken.isEmpty(), "the sandbox read the KMS at submission: " + cluster + " " + region);
        return taken.get(taken.size() - 1);
    }

    private static String uri(Manifest m, String region) {
        return m.find(region).orElseThrow().keySpec().uri();
    }

    @Test
    void aws_ifRotated_sendsNothingUntilAKeyRotatesOutOfBand_thenExactlyThatRegion() throws Exception {
        Manifest m = enable(AWS_CLUSTER);
        int putsBefore = puts().size();

        JsonNode nothing = JSON.readTree(
                ok(cli().run("rotate", "--cluster", AWS_CLUSTER, "--rewrap", "--if-rotated", "-o", "json"))
                        .out());
        assertEquals("NOTHING_ROTATED", nothing.get("action").textValue(), nothing.toString());
        assertEquals(putsBefore, puts().size(), "nothing rotated: no request");

        KeyArn west = KeyArn.of(uri(m, "us-west-2"));
        MOTO.rawClients().kms(Region.US_WEST_2).rotateKeyOnDemand(b -> b.keyId(west.keyId()));
        String newest = MOTO.rawClients()
                .kms(Region.US_WEST_2)
                .listKeyRotations(b -> b.keyId(west.keyId()))
                .rotations()
                .get(0)
                .rotationDate()
                .toString();
        KeyVersionTaken eastBefore = lastTaken(AWS_CLUSTER, "us-east-1");

        JsonNode rewrapped = JSON.readTree(
                ok(cli().run("rotate", "--cluster", AWS_CLUSTER, "--rewrap", "--if-rotated", "-o", "json"))
                        .out());

        assertEquals("REWRAPPED", rewrapped.get("action").textValue(), rewrapped.toString());
        List<RecordedExchange> sent = puts().subList(putsBefore, puts().size());
        assertEquals(1, sent.size(), sent::toString);
        JsonNode body = JSON.readTree(sent.get(0).requestBody());
        assertEquals(1, body.get("region_specs").size(), body.toString());
        assertEquals("us-west-2", body.get("region_specs").get(0).get("region").textValue());
        assertEquals(
                uri(m, "us-west-2"),
                body.get("region_specs").get(0).get("key_spec").get("uri").textValue());
        assertEquals(newest, lastTaken(AWS_CLUSTER, "us-west-2").version(), "CockroachDB took the newest version");
        assertEquals(eastBefore, lastTaken(AWS_CLUSTER, "us-east-1"), "us-east-1 was not submitted");

        JsonNode again = JSON.readTree(
                ok(cli().run("rotate", "--cluster", AWS_CLUSTER, "--rewrap", "--if-rotated", "-o", "json"))
                        .out());
        assertEquals("NOTHING_ROTATED", again.get("action").textValue(), "the re-wrap moved updated_at: " + again);
    }

    @Test
    void gcp_ifRotated_submitsTheRegionWhosePrimaryVersionIsNewer_andCockroachTakesIt() throws Exception {
        Manifest m = enable(GCP_CLUSTER);
        CryptoKeyName key = CryptoKeyName.parse(uri(m, "us-central1"));
        assertEquals(
                key + "/cryptoKeyVersions/1",
                lastTaken(GCP_CLUSTER, "us-central1").version());
        ok(cli().run("rotate", "--cluster", GCP_CLUSTER, "--rewrap", "--if-rotated"));
        assertEquals(
                1, api.sandbox().keyVersionsTaken(GCP_CLUSTER, "us-central1").size(), "nothing rotated, nothing sent");

        GcpEmulator gcp = GCP.emulator();
        try (GcpClients clients = GcpClients.resolve(gcp.endpoint(), gcp.endpoint())) {
            new GcpCmek(clients).rotateKeyMaterial(key);
        }

        Cli.Result r = ok(cli().run("rotate", "--cluster", GCP_CLUSTER, "--rewrap", "--if-rotated"));

        assertTrue(r.out().contains("re-wrap"), r.out());
        assertEquals(
                key + "/cryptoKeyVersions/2",
                lastTaken(GCP_CLUSTER, "us-central1").version());
    }

    @Test
    void rewrapWithoutIfRotated_submitsEveryChosenRegion_unchanged() throws Exception {
        Manifest m = enable(AWS_CLUSTER);
        int before = puts().size();

        ok(cli().run("rotate", "--cluster", AWS_CLUSTER, "--rewrap", "--regions", "us-east-1"));

        JsonNode body = JSON.readTree(puts().get(before).requestBody());
        assertEquals(
                uri(m, "us-east-1"),
                body.get("region_specs").get(0).get("key_spec").get("uri").textValue());
        assertEquals(1, body.get("region_specs").size());
    }

    @Test
    void all_ifRotated_acrossTheOrganization_rewrapsExactlyTheClustersWhoseKeysRotated() throws Exception {
        enable(AWS_CLUSTER);
        Manifest g = enable(GCP_CLUSTER);

        JsonNode first = JSON.readTree(ok(cli().run("rotate", "--rewrap", "--if-rotated", "--all", "-o", "json"))
                .out());
        assertEquals(0, first.get("summary").get("rewrapped").intValue(), first.toString());
        assertEquals(2, first.get("summary").get("nothing_rotated").intValue(), first.toString());
        assertEquals(1, first.get("summary").get("skipped").intValue(), "the STANDARD cluster: " + first);

        GcpEmulator gcp = GCP.emulator();
        try (GcpClients clients = GcpClients.resolve(gcp.endpoint(), gcp.endpoint())) {
            new GcpCmek(clients).rotateKeyMaterial(CryptoKeyName.parse(uri(g, "us-central1")));
        }
        api.sandbox().requestLog().clear();

        JsonNode second = JSON.readTree(ok(cli().run("rotate", "--rewrap", "--if-rotated", "--all", "-o", "json"))
                .out());

        assertEquals(1, second.get("summary").get("rewrapped").intValue(), second.toString());
        for (JsonNode c : second.get("clusters")) {
            String id = c.get("cluster_id").textValue();
            String expected =
                    id.equals(GCP_CLUSTER) ? "REWRAPPED" : id.equals(STANDARD_CLUSTER) ? "SKIPPED" : "NOTHING_ROTATED";
            assertEquals(expected, c.get("action").textValue(), c.toString());
        }
        List<RecordedExchange> log = api.sandbox().requestLog().exchanges();
        assertEquals(1, log.stream().filter(x -> x.method().equals("PUT")).count(), log::toString);
        assertTrue(
                log.stream()
                        .noneMatch(x -> x.method().equals("GET") && x.path().equals("/api/v1/clusters/" + AWS_CLUSTER)),
                "the cluster list gives what a cluster read would: one status read per cluster");
    }

    @Test
    void all_withoutIfRotated_overAGeneratedOrganizationOfManyPages_submitsEveryCmekCluster_andSkipsTheRest()
            throws Exception {
        var org = FleetSandboxes.organization(24, 2);
        api.replace(FleetSandboxes.startOrganization(org, Duration.ofMillis(100)));
        api.sandbox().setClusterPageSizes(5, 5);
        String failing = org.stream()
                .filter(FleetSandboxes.GeneratedCluster::cmekEnabled)
                .findFirst()
                .orElseThrow()
                .id();
        api.sandbox().failNextCmekOperation(failing, org.get(0).regions().get(0), "key unusable");

        Cli.Result r = cli().run("rotate", "--rewrap", "--all", "-o", "json");

        assertEquals(4, r.exit(), r.err());
        JsonNode doc = JSON.readTree(r.out());
        long active =
                org.stream().filter(FleetSandboxes.GeneratedCluster::active).count();
        long cmek = org.stream()
                .filter(FleetSandboxes.GeneratedCluster::cmekEnabled)
                .count();
        assertEquals(active, doc.get("summary").get("total").intValue(), doc.toString());
        assertEquals(cmek - 1, doc.get("summary").get("rewrapped").intValue(), doc.toString());
        assertEquals(1, doc.get("summary").get("failed").intValue(), doc.toString());
        String message = doc.get("error").get("message").textValue();
        assertTrue(message.contains(failing + " (exit 4: ") && !message.contains("see above"), message);
        assertEquals(active - cmek, doc.get("summary").get("skipped").intValue(), doc.toString());
        List<RecordedExchange> log = api.sandbox().requestLog().exchanges();
        long pages =
                log.stream().filter(x -> x.path().equals("/api/v1/clusters")).count();
        assertEquals((active + 4) / 5, pages, "every page of the cluster list");
        assertEquals(cmek, log.stream().filter(x -> x.method().equals("PUT")).count());
    }

    @Test
    void impossibleCombinations_areBadInput_andSendNothing() {
        List<String[]> bad = List.of(
                new String[] {"rotate", "--rewrap", "-o", "json"},
                new String[] {"rotate", "--new-key", "--all"},
                new String[] {"rotate", "--cluster", AWS_CLUSTER, "--rewrap", "--all"},
                new String[] {"rotate", "--cluster", AWS_CLUSTER, "--new-version", "--if-rotated"},
                new String[] {"rotate", "--rewrap", "--all", "--regions", "us-east-1"},
                new String[] {"provision", "--cluster", AWS_CLUSTER, "--rotation-period", "30", "--no-auto-rotation"},
                new String[] {"provision", "--cluster", AWS_CLUSTER, "--rotation-period", "0"});
        for (String[] args : bad) {
            Cli.Result r = cli().run(args);
            assertEquals(2, r.exit(), () -> String.join(" ", args) + ": " + r.err());
        }
        assertEquals(0, api.sandbox().requestLog().size(), "nothing was sent");
        assertEquals(0, MOTO.strict().totalCalls());
    }

    @Test
    void awsPeriodOutsideAwsRange_isBadInput_beforeAnyCloudCall() {
        Cli.Result r = cli().run("provision", "--cluster", AWS_CLUSTER, "--rotation-period", "30");
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("90 to 2560"), r.err());
        assertEquals(0, MOTO.strict().totalCalls(), "nothing reached AWS");
        assertTrue(
                api.sandbox().requestLog().exchanges().stream()
                        .allMatch(x -> x.method().equals("GET")),
                "only reads of the cluster");
    }
}
