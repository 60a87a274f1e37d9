package dev.cmek.cli;

import static dev.cmek.testing.Sandboxes.AWS_CLUSTER;
import static dev.cmek.testing.Sandboxes.GCP_CLUSTER;
import static dev.cmek.testing.Sandboxes.STANDARD_CLUSTER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cmek.aws.KeyArn;
import dev.cmek.aws.testing.MotoServer;
import dev.cmek.core.Control;
import dev.cmek.model.Manifest;
import dev.cmek.testing.CheckingSandbox;
import dev.cmek.testing.FleetSandboxes;
import dev.cmek.testing.GcpEmulatorFixture;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPath;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;
import software.amazon.awssdk.regions.Region;

/**
 * {@code cmek audit} over a mixed organization, in text, JSON and HTML: real keys in moto and the GCP emulator (one of
 * them crafted to fail a control out of band), a cluster without CMEK, and a generated organization of many pages whose
 * keys these credentials partly cannot reach.
 */
class AuditCommandTest {
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

    /** AWS and GCP clusters on real keys, the AWS one's us-east-1 key with its rotation turned off out of band. */
    private void mixedOrganizationWithOneFailure() {
        Manifest aws = enable(AWS_CLUSTER);
        enable(GCP_CLUSTER);
        KeyArn east = KeyArn.of(aws.find("us-east-1").orElseThrow().keySpec().uri());
        MOTO.rawClients().kms(Region.US_EAST_1).disableKeyRotation(b -> b.keyId(east.keyId()));
    }

    private static JsonNode cluster(JsonNode doc, String id) {
        for (JsonNode c : doc.get("clusters")) {
            if (c.get("cluster_id").textValue().equals(id)) {
                return c;
            }
        }
        throw new AssertionError("no cluster " + id + " in " + doc);
    }

    private static String verdict(JsonNode cluster, String region, String control) {
        for (JsonNode r : cluster.get("regions")) {
            if (r.get("region").textValue().equals(region)) {
                for (JsonNode c : r.get("controls")) {
                    if (c.get("id").textValue().equals(control)) {
                        return c.get("verdict").textValue();
                    }
                }
            }
        }
        throw new AssertionError(region + "/" + control + " not in " + cluster);
    }

    @Test
    void json_listsEveryCluster_withEachRegionsControls_andTheAgeOfItsNewestKeyVersion() throws Exception {
        mixedOrganizationWithOneFailure();

        Cli.Result r = cli().run("audit", "-o", "json");

        assertEquals(7, r.exit(), r.err());
        JsonNode doc = JSON.readTree(r.out());
        assertEquals(3, doc.get("summary").get("clusters").intValue(), doc.toString());
        assertEquals(2, doc.get("summary").get("with_cmek").intValue());
        assertEquals(1, doc.get("summary").get("controls_fail").intValue(), doc.toString());
        JsonNode aws = cluster(doc, AWS_CLUSTER);
        assertEquals("FAIL", verdict(aws, "us-east-1", "key_rotation"));
        assertEquals("PASS", verdict(aws, "us-west-2", "key_rotation"));
        for (String id : new String[] {"key_usable", "exact_grant", "principal_trust", "external_id", "crdb_status"}) {
            assertEquals("PASS", verdict(aws, "us-east-1", id), id);
        }
        JsonNode gcp = cluster(doc, GCP_CLUSTER);
        assertTrue(gcp.get("ok").booleanValue(), gcp.toString());
        assertEquals("N/A", verdict(gcp, "us-central1", "external_id"));
        assertEquals(
                0, gcp.get("regions").get(0).get("newest_key_version_age_days").intValue());
        JsonNode standard = cluster(doc, STANDARD_CLUSTER);
        assertFalse(standard.get("cmek").booleanValue());
        assertTrue(standard.get("note").textValue().contains("no CMEK"), standard.toString());
        CliContractTest.assertSnakeCase(doc, "audit");
    }

    @Test
    void text_namesTheFailureAndItsFix() {
        mixedOrganizationWithOneFailure();

        Cli.Result r = cli().run("audit");

        assertEquals(7, r.exit(), r.err());
        assertTrue(r.out().contains("FAIL key_rotation: automatic rotation is off"), r.out());
        assertTrue(r.out().contains("fix: aws kms enable-key-rotation"), r.out());
        assertTrue(r.out().contains("small") && r.out().contains("no CMEK"), r.out());
    }

    @Test
    void htmlReport_isOneSelfContainedPage_whoseMatrixCellsSayWhatFailed() throws Exception {
        mixedOrganizationWithOneFailure();
        Path page = dir.resolve("audit.html");

        Cli.Result r = cli().run("audit", "--report", page.toString());

        assertEquals(7, r.exit(), r.err());
        String html = Files.readString(page);
        for (String loads : new String[] {"<script", " src=", "<link", "url(", "@import", "<iframe"}) {
            assertFalse(html.contains(loads), "self-contained, nothing loaded: " + loads);
        }
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(false);
        Document d = f.newDocumentBuilder().parse(new ByteArrayInputStream(html.getBytes(StandardCharsets.UTF_8)));
        XPath x = XPathFactory.newInstance().newXPath();
        String cell = "//table[@id='matrix']//tr[@data-cluster='%s' and @data-region='%s']/td[@data-control='%s']";
        assertEquals(
                "FAIL",
                x.evaluate(String.format(cell, AWS_CLUSTER, "us-east-1", "key_rotation") + "/@data-verdict", d));
        assertTrue(x.evaluate(String.format(cell, AWS_CLUSTER, "us-east-1", "key_rotation"), d)
                .contains("FAIL"));
        assertTrue(x.evaluate(String.format(cell, AWS_CLUSTER, "us-east-1", "key_rotation") + "/@title", d)
                .contains("aws kms enable-key-rotation"));
        assertEquals(
                "PASS",
                x.evaluate(String.format(cell, AWS_CLUSTER, "us-west-2", "key_rotation") + "/@data-verdict", d));
        assertEquals(
                "PASS",
                x.evaluate(String.format(cell, GCP_CLUSTER, "us-central1", "key_rotation") + "/@data-verdict", d));
        assertEquals(
                "N/A",
                x.evaluate(String.format(cell, GCP_CLUSTER, "us-central1", "external_id") + "/@data-verdict", d));
        NodeList awsRows = (NodeList)
                x.evaluate("//table[@id='matrix']//tr[@data-cluster='" + AWS_CLUSTER + "']", d, XPathConstants.NODESET);
        assertEquals(2, awsRows.getLength(), "one row per region");
        NodeList cells = (NodeList)
                x.evaluate("//table[@id='matrix']//tr[@data-region]/td[@data-control]", d, XPathConstants.NODESET);
        assertEquals(3 * Control.values().length, cells.getLength(), "3 regions x every control");
        assertTrue(x.evaluate("//tr[@data-cluster='" + STANDARD_CLUSTER + "']/td[@class='note']", d)
                .contains("no CMEK"));
        assertEquals(
                "1",
                x.evaluate("//div[@data-summary='controls_fail']/div[@class='n']", d)
                        .trim());
        assertEquals(
                "3",
                x.evaluate("//div[@data-summary='clusters']/div[@class='n']", d).trim());
        assertTrue(x.evaluate("//ul[@id='failures']/li", d).contains("key_rotation"));
    }

    @Test
    void reportPathThatCannotBeWritten_isBadInput_beforeAnyRequest() throws Exception {
        Files.createDirectories(dir.resolve("a-dir"));
        Cli.Result r = cli().run("audit", "--report", dir.resolve("a-dir").toString());
        assertEquals(2, r.exit(), r.err());
        assertEquals(0, api.sandbox().requestLog().size());
    }

    @Test
    void generatedOrganizationOfManyPages_oneStatusReadPerCluster_andKeysOutOfReachListedAsSuch() throws Exception {
        var org = FleetSandboxes.organization(30, 3);
        api.replace(FleetSandboxes.startOrganization(org, Duration.ofMillis(100)));
        api.sandbox().setClusterPageSizes(7, 7);

        Cli.Result r = cli().run("audit", "-o", "json");

        JsonNode doc = JSON.readTree(r.out());
        long active =
                org.stream().filter(FleetSandboxes.GeneratedCluster::active).count();
        long cmek = org.stream()
                .filter(FleetSandboxes.GeneratedCluster::cmekEnabled)
                .count();
        long eligible = org.stream()
                .filter(c ->
                        c.active() && c.plan().equals("ADVANCED") && c.state().equals("CREATED"))
                .count();
        assertEquals(active, doc.get("summary").get("clusters").intValue(), doc.toString());
        assertEquals(cmek, doc.get("summary").get("with_cmek").intValue());
        var log = api.sandbox().requestLog().exchanges();
        assertEquals(
                eligible,
                log.stream().filter(e -> e.path().endsWith("/cmek")).count(),
                "one status read per cluster that can have CMEK");
        assertEquals(
                (active + 6) / 7,
                log.stream().filter(e -> e.path().equals("/api/v1/clusters")).count());
        assertEquals(0, log.stream().filter(e -> !e.method().equals("GET")).count(), "read-only");
        for (var c : org) {
            if (!c.cmekEnabled()) {
                continue;
            }
            JsonNode row = cluster(doc, c.id());
            boolean reachable = c.keyAccount().orElseThrow().equals(MotoServer.ACCOUNT.value());
            assertEquals(reachable, row.get("cloud_reachable").booleanValue(), row.toString());
            if (!reachable) {
                assertEquals("N/A", verdict(row, c.regions().get(0), "key_rotation"), row.toString());
            } else {
                assertEquals("FAIL", verdict(row, c.regions().get(0), "key_usable"), "its key does not exist: " + row);
            }
            assertEquals("PASS", verdict(row, c.regions().get(0), "crdb_status"));
        }
    }
}
