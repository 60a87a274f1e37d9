package dev.cmek.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cmek.api.ApiKey;
import dev.cmek.api.ApiSettings;
import dev.cmek.api.Cluster;
import dev.cmek.api.CmekClusterInfo;
import dev.cmek.api.CmekStatus;
import dev.cmek.api.HttpCloudApi;
import dev.cmek.api.RequestPacer;
import dev.cmek.azure.AzureClients;
import dev.cmek.azure.AzureCmek;
import dev.cmek.azure.AzureCmekRequest;
import dev.cmek.model.CloudProvider;
import dev.cmek.model.KeySpec;
import dev.cmek.model.KeyType;
import dev.cmek.model.Manifest;
import dev.cmek.model.RegionSpec;
import dev.cmek.sandbox.SandboxConfig;
import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cmek sandbox --azure-emulator} serves the Azure emulator beside the sandbox and prints the exports that point
 * another process at it: a client built from those lines alone provisions the Azure cluster's key (its app is
 * registered) and the sandbox accepts it once CockroachDB's check can use it; a shell that evaluates them reaches ARM.
 */
class SandboxAzureEmulatorTest {
    static final String CLUSTER = "6f1d7a0e-3b2c-4d5e-8f90-a1b2c3d4e5f6";
    static final String API_KEY = "CCDB1_sandboxcommand_5e4d3c2b1a";
    static final Pattern EXPORT = Pattern.compile("^  export (AZURE_[A-Z_]+)=(.*)$", Pattern.MULTILINE);

    @Test
    void azureEmulator_printsServingAndExports_thatLetAnotherClientProvisionAndEnable(@TempDir Path dir)
            throws Exception {
        Path clusters = Files.writeString(dir.resolve("clusters.json"), """
                {"organization": {"id": "9c0bde16-3d1b-4c16-8f6b-1d2c3e4f5a6b", "name": "acme"},
                 "clusters": [{"id": "%s", "name": "orders", "cloud_provider": "AZURE",
                               "regions": [{"name": "eastus", "node_count": 3}]}]}
                """.formatted(CLUSTER));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Terminal terminal = new Terminal(
                new BufferedReader(new StringReader("")),
                new PrintWriter(out, true),
                new PrintWriter(err, true),
                Map.of("COCKROACH_API_KEY", API_KEY),
                false);
        int[] exit = {-1};
        Thread sandbox = new Thread(
                () -> exit[0] = Main.run(
                        terminal,
                        "sandbox",
                        "--clusters",
                        clusters.toString(),
                        "--azure-emulator",
                        "--transition-delay",
                        "100ms"),
                "cmek-sandbox");
        sandbox.setDaemon(true);
        sandbox.start();
        try {
            String printed = awaitExports(out, err, sandbox);
            assertFalse(printed.contains(API_KEY), "the API key is never printed");
            Matcher serving = Pattern.compile(
                            "^Azure emulator serving (https://127\\.0\\.0\\.1:\\d+)$", Pattern.MULTILINE)
                    .matcher(printed);
            assertTrue(serving.find(), printed);
            Map<String, String> env = exports(printed);
            assertEquals(
                    List.of(
                            "AZURE_TENANT_ID",
                            "AZURE_CLIENT_ID",
                            "AZURE_CLIENT_SECRET",
                            "AZURE_SUBSCRIPTION_ID",
                            "AZURE_AUTHORITY_HOST",
                            "AZURE_DISABLE_INSTANCE_DISCOVERY",
                            "AZURE_EMULATOR_HOST",
                            "AZURE_EMULATOR_CA"),
                    List.copyOf(env.keySet()),
                    printed);
            assertEquals(serving.group(1), env.get("AZURE_AUTHORITY_HOST"));
            URI server = URI.create(exportedValue(printed, "COCKROACH_SERVER"));

            // Another client, from the printed lines only: the cluster's app id from the API, the key from Azure.
            HttpCloudApi api = new HttpCloudApi(
                    ApiSettings.defaults(server)
                            .withRetryPauses(Duration.ofMillis(50), Duration.ofMillis(500))
                            .withPropagationWindow(Duration.ofSeconds(60)),
                    ApiKey.of(API_KEY),
                    RequestPacer.cloudApiDefault(),
                    notice -> {});
            Cluster cluster = api.cluster(CLUSTER);
            assertEquals(CloudProvider.AZURE, cluster.cloudProvider());
            assertEquals(SandboxConfig.azureClientIdOf(CLUSTER), cluster.azureClusterIdentityClientId());
            String uri = new AzureCmek(AzureClients.fromEnvironment(env))
                    .provision(AzureCmekRequest.builder()
                            .clusterId(CLUSTER)
                            .clusterAppId(cluster.azureClusterIdentityClientId())
                            .tenantId(env.get("AZURE_TENANT_ID"))
                            .regions(cluster.regionNames())
                            .subscriptionId(env.get("AZURE_SUBSCRIPTION_ID"))
                            .build())
                    .keyOf("eastus")
                    .value();
            // Refused (400) until the new role assignment propagates; the client retries within its window.
            api.enableCmek(
                    CLUSTER,
                    new Manifest(List.of(new RegionSpec(
                            "eastus", new KeySpec(KeyType.AZURE_KEY_VAULT, uri, env.get("AZURE_TENANT_ID"))))));
            assertEquals(CmekStatus.ENABLED, awaitSettled(api));

            // A shell that evaluates the printed lines reaches the emulator: a token, then ARM through the proxy.
            assertTrue(Files.isExecutable(Path.of("/usr/bin/curl")), "curl is not installed (README, prerequisites)");
            assertEquals("200", shell(printed, """
                    token=$(curl -sS --cacert "$AZURE_EMULATOR_CA" --data grant_type=client_credentials \
                      --data-urlencode "client_id=$AZURE_CLIENT_ID" --data-urlencode "client_secret=$AZURE_CLIENT_SECRET" \
                      --data-urlencode scope=https://management.azure.com/.default \
                      "$AZURE_AUTHORITY_HOST/$AZURE_TENANT_ID/oauth2/v2.0/token" \
                      | sed -n 's/.*"access_token":"\\([^"]*\\)".*/\\1/p')
                    curl -sS -o /dev/null -w '%{http_code}' --proxy "http://$AZURE_EMULATOR_HOST" \
                      --cacert "$AZURE_EMULATOR_CA" -H "Authorization: Bearer $token" \
                      "https://management.azure.com/subscriptions/$AZURE_SUBSCRIPTION_ID?api-version=2022-12-01"
                    """));
        } finally {
            sandbox.interrupt();
            sandbox.join(Duration.ofSeconds(30).toMillis());
        }
        assertEquals(0, exit[0], err.toString());
    }

    /** What the command printed once its last export line is out. */
    private static String awaitExports(StringWriter out, StringWriter err, Thread sandbox) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!out.toString().contains("AZURE_EMULATOR_CA=")) {
            if (!sandbox.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("no exports printed; stdout: " + out + "\nstderr: " + err);
            }
            Thread.sleep(50);
        }
        return out.toString();
    }

    private static Map<String, String> exports(String printed) {
        Map<String, String> env = new LinkedHashMap<>();
        Matcher m = EXPORT.matcher(printed);
        while (m.find()) {
            env.put(m.group(1), unquoted(m.group(2)));
        }
        return env;
    }

    private static String exportedValue(String printed, String name) {
        Matcher m = Pattern.compile("^  export " + name + "=(.*)$", Pattern.MULTILINE)
                .matcher(printed);
        assertTrue(m.find(), printed);
        return unquoted(m.group(1));
    }

    /** A word as the shell reads it: single quotes as Interruption.shellWord writes them. */
    private static String unquoted(String word) {
        return word.startsWith("'") ? word.substring(1, word.length() - 1).replace("'\\''", "'") : word;
    }

    private CmekStatus awaitSettled(HttpCloudApi api) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            CmekClusterInfo info = api.cmekStatus(CLUSTER);
            if (!info.status().name().endsWith("ING") || System.nanoTime() > deadline) {
                return info.status();
            }
            Thread.sleep(100);
        }
    }

    /** Runs {@code script} in sh after evaluating {@code printed}, with no Azure or proxy variables of this JVM's. */
    private static String shell(String printed, String script) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("sh", "-c", "eval \"$PRINTED\"\n" + script).redirectErrorStream(true);
        pb.environment()
                .keySet()
                .removeIf(k -> k.startsWith("AZURE_") || k.toLowerCase().endsWith("_proxy"));
        pb.environment()
                .put(
                        "PRINTED",
                        printed.lines().filter(l -> l.startsWith("  export ")).reduce("", (a, b) -> a + b + "\n"));
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertEquals(0, p.waitFor(), output);
        return output;
    }
}
