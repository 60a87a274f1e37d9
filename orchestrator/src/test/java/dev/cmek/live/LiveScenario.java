package dev.cmek.live;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cmek.PrettyJson;
import dev.cmek.cli.Cli;
import dev.cmek.sandbox.CloudApiSandbox;
import dev.cmek.sandbox.SandboxConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * The acceptance scenario the live tier runs against a real cloud account, and CI runs against the stand-ins: a new
 * cluster id (so nothing an earlier run made is touched), a local sandbox of the Cloud API that knows that cluster with
 * the given cloud account behind it, then the CLI exactly as a user runs it: plan, provision, provision again (nothing
 * changes), enable, verify, revoke, verify (access gone), restore. It never deletes anything; it writes the list of
 * what it created to {@code target/live-acceptance/<cluster>.json} so the user can clean up (see the README).
 */
final class LiveScenario {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Where the scenario runs.
     *
     * @param cloud {@code AWS}, {@code GCP} or {@code AZURE}
     * @param clusterAccountId the cloud account the sandbox reports behind the cluster (its {@code account_id}): on AWS
     *     an account the role may trust; on GCP the project that holds CockroachDB's identity for the cluster; on Azure
     *     the client id of the multi-tenant app that stands in for CockroachDB's app of the cluster (served as its
     *     {@code azure_cluster_identity_client_id})
     * @param env the environment the CLI sees for the cloud (credentials, profile, project; emulator endpoints in CI)
     * @param cloudOptions extra options for the commands that make keys (e.g. {@code --gcp-project P})
     */
    record Target(
            String cloud,
            String clusterAccountId,
            List<String> regions,
            Map<String, String> env,
            List<String> cloudOptions) {}

    /** What one run created and saw, as written to the report file. */
    record Outcome(String clusterId, Path report, JsonNode provisioned) {}

    private LiveScenario() {}

    /**
     * Runs the scenario. {@code beforeProvision} runs once the cluster id is known, before anything is made (GCP:
     * create the stand-in for CockroachDB's identity of that cluster).
     */
    static Outcome run(Target target, Path workDir, Consumer<String> beforeProvision) throws IOException {
        String clusterId = UUID.randomUUID().toString();
        String organizationId = UUID.randomUUID().toString();
        String apiKey = "live-" + UUID.randomUUID().toString().replace("-", "");
        Path reportDir = Path.of("target", "live-acceptance");
        Files.createDirectories(reportDir);
        Path report = reportDir.resolve(clusterId + ".json");
        ObjectNode created = JSON.createObjectNode();
        created.put("cluster_id", clusterId);
        created.put("cloud", target.cloud());
        created.put("started_at", Instant.now().toString());
        created.put("cleanup", cleanupHint(target.cloud(), clusterId));
        ArrayNode steps = created.putArray("steps");

        try (CloudApiSandbox sandbox = CloudApiSandbox.builder()
                .config(SandboxConfig.parse(config(target, clusterId, organizationId)))
                .apiKey(apiKey)
                .transitionDelay(Duration.ofMillis(200))
                .build()
                .start()) {
            Cli cli = new Cli()
                    .env("COCKROACH_API_KEY", apiKey)
                    .env("COCKROACH_SERVER", sandbox.baseUri().toString());
            target.env().forEach(cli::env);

            beforeProvision.accept(clusterId);
            Path manifest = workDir.resolve("cmek_config.json");
            Path evidence = workDir.resolve("evidence");

            step(
                    steps,
                    "plan",
                    expect(0, cli.run(withCloudOptions(target, "plan", "--cluster", clusterId, "-o", "json"))));
            JsonNode provisioned = step(steps, "provision", expect(0, provision(cli, target, clusterId, manifest)));
            created.set("provisioned", provisioned);
            save(report, created);

            JsonNode again = step(steps, "provision again", expect(0, provision(cli, target, clusterId, manifest)));
            assertFalse(again.path("changed").booleanValue(), "a second provision changes nothing: " + again);

            step(
                    steps,
                    "enable",
                    expect(
                            0,
                            cli.run(
                                    "enable",
                                    "--cluster",
                                    clusterId,
                                    "--manifest",
                                    manifest.toString(),
                                    "-o",
                                    "json")));
            JsonNode verified = step(steps, "verify", cli.run("verify", "--cluster", clusterId, "-o", "json"));
            assertGrantsExact(verified, target.regions(), true);

            step(
                    steps,
                    "revoke",
                    expect(
                            0,
                            cli.run(
                                    "revoke",
                                    "--cluster",
                                    clusterId,
                                    "--yes",
                                    "--evidence",
                                    evidence.toString(),
                                    "-o",
                                    "json")));
            JsonNode afterRevoke =
                    step(steps, "verify after revoke", cli.run("verify", "--cluster", clusterId, "-o", "json"));
            assertGrantsExact(afterRevoke, target.regions(), false);

            JsonNode restored = step(
                    steps, "restore", expect(0, cli.run("restore", "--evidence", evidence.toString(), "-o", "json")));
            assertTrue(restored.path("restored").size() > 0, "restore put something back: " + restored);
            created.put("finished_at", Instant.now().toString());
            save(report, created);
            return new Outcome(clusterId, report, provisioned);
        } finally {
            save(report, created);
            System.err.println("live acceptance: what this run created is listed in " + report.toAbsolutePath()
                    + "; nothing was deleted. " + cleanupHint(target.cloud(), clusterId));
        }
    }

    /**
     * Verify's per-region verdict on the grant itself: exact after enable, gone after revoke. Controls about other
     * matters (e.g. CockroachDB's own status) are not this scenario's question.
     */
    private static void assertGrantsExact(JsonNode verify, List<String> regions, boolean expected) {
        JsonNode perRegion = verify.path("regions");
        for (String region : regions) {
            JsonNode r = perRegion.path(region);
            assertFalse(r.isMissingNode(), "verify reports region " + region + ": " + verify);
            assertEquals(expected, r.path("ok").booleanValue(), "region " + region + " grant ok: " + verify);
        }
    }

    /** {@code cmek provision} of the test cluster, writing its manifest to {@code manifest}, in JSON. */
    private static Cli.Result provision(Cli cli, Target target, String clusterId, Path manifest) {
        return cli.run(withCloudOptions(
                target, "provision", "--cluster", clusterId, "--out", manifest.toString(), "-o", "json"));
    }

    private static String[] withCloudOptions(Target target, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(target.cloudOptions());
        return all.toArray(String[]::new);
    }

    private static Cli.Result expect(int exit, Cli.Result r) {
        assertEquals(exit, r.exit(), () -> "stderr: " + r.err() + "\nstdout: " + r.out());
        return r;
    }

    private static JsonNode step(ArrayNode steps, String name, Cli.Result r) throws IOException {
        JsonNode doc = r.out().isBlank() ? JSON.createObjectNode() : JSON.readTree(r.out());
        ObjectNode step = steps.addObject();
        step.put("step", name);
        step.put("exit", r.exit());
        step.put("at", Instant.now().toString());
        return doc;
    }

    private static void save(Path report, ObjectNode created) throws IOException {
        Files.writeString(report, PrettyJson.write(JSON, created) + "\n");
    }

    private static String config(Target target, String clusterId, String organizationId) {
        ObjectNode config = JSON.createObjectNode();
        config.putObject("organization").put("id", organizationId).put("name", "live-acceptance");
        ObjectNode cluster = config.putArray("clusters").addObject();
        cluster.put("id", clusterId);
        cluster.put("name", "cmek-live-" + clusterId.substring(0, 8));
        cluster.put("cloud_provider", target.cloud());
        if (target.cloud().equals("AZURE")) {
            cluster.put("azure_cluster_identity_client_id", target.clusterAccountId());
        } else {
            cluster.put("account_id", target.clusterAccountId());
        }
        cluster.put("plan", "ADVANCED");
        cluster.put("state", "CREATED");
        cluster.put("network_visibility", "PRIVATE");
        ArrayNode regions = cluster.putArray("regions");
        target.regions().forEach(r -> regions.addObject().put("name", r).put("node_count", 3));
        return config.toString();
    }

    static String cleanupHint(String cloud, String clusterId) {
        if (cloud.equals("AZURE")) {
            return "Clean up by tag: az resource list --tag crdb-cmek-cluster=" + clusterId + " (the resource group"
                    + " crdb-cmek-" + clusterId + " holds the vaults; purge protection keeps a deleted vault's keys for"
                    + " its retention period), and the test app's service principal if it was made for this run";
        }
        return cloud.equals("AWS")
                ? "Clean up by tag: aws resourcegroupstaggingapi get-resources --tag-filters Key=crdb-cmek-cluster,Values="
                        + clusterId + " (keys: schedule their deletion yourself if you want; the role: crdb-cmek-"
                        + clusterId.substring(0, 8) + "-" + clusterId.substring(clusterId.length() - 12) + ")"
                : "Clean up by label: gcloud kms keys list --keyring crdb-cmek-" + clusterId
                        + " --location LOCATION --filter labels.crdb-cluster=" + clusterId
                        + " (destroy versions yourself if you want; key rings cannot be deleted), and the service accounts"
                        + " crdb-cmek-" + clusterId.substring(clusterId.length() - 12) + " and crl-kms-user-"
                        + clusterId.substring(clusterId.length() - 12);
    }
}
