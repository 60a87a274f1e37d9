package dev.cmek.cli;

import static dev.cmek.cli.Cli.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cmek.aws.testing.MotoServer;
import dev.cmek.sandbox.CloudApiSandbox;
import dev.cmek.sandbox.CloudKeyChecks;
import dev.cmek.sandbox.SandboxConfig;
import dev.cmek.testing.Sandboxes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * One rule for the order of regions, whatever order the cluster lists them in: sorted by name, as the Cloud API sorts a
 * cluster's CMEK regions. A script comparing plan, the manifest, status and verify line by line sees the same order.
 */
class RegionOrderTest {
    @RegisterExtension
    static final MotoServer MOTO = MotoServer.create();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CLUSTER = "7d0c5a1e-2b3f-4c4d-8e5f-6a7b8c9d0e1f";
    private static final List<String> SORTED = List.of("eu-west-1", "us-east-1", "us-west-2");
    private CloudApiSandbox sandbox;

    @TempDir
    Path dir;

    @BeforeEach
    void startSandbox() {
        sandbox = CloudApiSandbox.builder()
                .config(SandboxConfig.parse("""
                        {"organization": {"id": "%s", "name": "acme"},
                         "clusters": [{"id": "%s", "name": "orders", "cloud_provider": "AWS", "account_id": "%s",
                           "plan": "ADVANCED", "state": "CREATED", "network_visibility": "PRIVATE",
                           "regions": [{"name": "us-west-2", "node_count": 3}, {"name": "eu-west-1", "node_count": 3},
                                       {"name": "us-east-1", "node_count": 3}]}]}
                        """.formatted(Sandboxes.ORG_ID, CLUSTER, Sandboxes.AWS_ACCOUNT)))
                .apiKey(Sandboxes.API_KEY)
                .transitionDelay(Duration.ofMillis(100))
                .build()
                .start();
        sandbox.setKeySpecCheck(
                CloudKeyChecks.of(Optional.of(CloudKeyChecks.aws(MOTO.rawClients())), Optional.empty()));
        sandbox.setRejectInaccessibleKeys(true);
    }

    @AfterEach
    void stopSandbox() {
        Sandboxes.closeConforming(sandbox);
    }

    private Cli cli() {
        return new Cli().api(sandbox).aws(MOTO);
    }

    @Test
    void planManifestEnableStatusAndVerify_listRegionsSortedByName() throws Exception {
        Path manifest = dir.resolve("cmek_config.json");
        assertEquals(SORTED, regions(json("plan", "--cluster", CLUSTER).get("region_specs")), "plan");
        assertEquals(
                SORTED,
                regions(json("provision", "--cluster", CLUSTER, "--out", manifest.toString())
                        .get("region_specs")),
                "provision");
        assertEquals(SORTED, regions(JSON.readTree(manifest.toFile()).get("region_specs")), "the manifest");
        assertEquals(
                SORTED,
                regions(json("enable", "--cluster", CLUSTER, "--manifest", manifest.toString())
                        .get("regions")),
                "enable");
        assertEquals(SORTED, regions(json("status", "--cluster", CLUSTER).get("regions")), "status");
        List<String> verified = new ArrayList<>();
        json("verify", "--cluster", CLUSTER).get("regions").fieldNames().forEachRemaining(verified::add);
        assertEquals(SORTED, verified, "verify");
    }

    private JsonNode json(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("-o", "json"));
        return JSON.readTree(ok(cli().run(all.toArray(String[]::new))).out());
    }

    private static List<String> regions(JsonNode list) {
        List<String> out = new ArrayList<>();
        list.forEach(r -> out.add(r.get("region").asText()));
        return out;
    }
}
