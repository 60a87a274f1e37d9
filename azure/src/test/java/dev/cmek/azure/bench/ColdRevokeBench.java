package dev.cmek.azure.bench;

import dev.cmek.azure.AzureClients;
import dev.cmek.azure.AzureCmek;
import dev.cmek.azure.AzureCmekRequest;
import dev.cmek.azure.emulator.AzureEmulator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/**
 * Cold start of the adapter's breach response: new processes each revoking, without the Cloud API, a cluster
 * provisioned in 3 regions on the emulator (run in this process), timed from the child's start to its exit, with the
 * CLI launcher's JVM options. No class-data archive: OpenJDK 17.0.15 crashes writing a dynamic one after a revocation
 * through the Azure SDK (SIGSEGV in {@code SystemDictionaryShared::adjust_lambda_proxy_class_dictionary}). After each
 * run the cluster is provisioned again. Not run by {@code mvn verify}; see scripts/bench-azure. Args:
 * {@code [runs=9] [latencies-ms=0,50]}.
 *
 * <p>The chain of a revocation without the Cloud API: the ARM token (no instance discovery: the emulator's authority is
 * a private cloud's) -> our vaults (their tags name the app; Graph's token after ARM's, beside them) -> the app's
 * service principal -> its sign-in turned off -> the role assignments deleted (listed beside the switch).
 */
public final class ColdRevokeBench {
    static final int CHAIN = 5;
    private static final List<String> OPTS = List.of(
            "-XX:+UseG1GC", "-XX:TieredStopAtLevel=1", "-XX:CICompilerCount=1", "-Xshare:auto", "-Xlog:cds=off");

    private ColdRevokeBench() {}

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 9;
        List<Long> latencies = Arrays.stream((args.length > 1 ? args[1] : "0,50").split(","))
                .map(Long::parseLong)
                .toList();
        try (AzureEmulator emulator = AzureEmulator.start(0)) {
            String app = UUID.randomUUID().toString();
            String cluster = UUID.randomUUID().toString();
            emulator.registerMultiTenantApp(app, "CockroachDB Cloud - " + cluster);
            AzureCmekRequest req = AzureCmekRequest.builder()
                    .clusterId(cluster)
                    .clusterAppId(app)
                    .tenantId(emulator.tenantId())
                    .subscriptionId(emulator.subscriptionId())
                    .regions(List.of("eastus", "westeurope", "centralindia"))
                    .build();
            AzureCmek cmek = new AzureCmek(AzureClients.fromEnvironment(emulator.env()));
            cmek.provision(req);
            child(emulator, cluster); // the first process also warms the OS's file cache: not counted
            reprovision(emulator, cmek, req, app, Duration.ZERO);
            System.out.println(
                    "| latency per call | ideal chain | median wall (child start to exit) | median in main | runs |");
            System.out.println("|---|---|---|---|---|");
            for (long latency : latencies) {
                List<Long> walls = new ArrayList<>();
                List<Long> mains = new ArrayList<>();
                for (int i = 0; i < runs; i++) {
                    emulator.latency(Duration.ofMillis(latency));
                    long t0 = System.nanoTime();
                    String out = child(emulator, cluster);
                    walls.add((System.nanoTime() - t0) / 1_000_000);
                    mains.add(Long.parseLong(out.replaceAll("(?s).*main-ms (\\d+).*", "$1")));
                    reprovision(emulator, cmek, req, app, Duration.ofMillis(latency));
                }
                System.out.printf(
                        "| %d ms | %d x %d = %d ms | %d ms | %d ms | %d |%n",
                        latency, CHAIN, latency, CHAIN * latency, median(walls), median(mains), runs);
            }
        }
    }

    private static long median(List<Long> xs) {
        return xs.stream().sorted().toList().get(xs.size() / 2);
    }

    private static void reprovision(
            AzureEmulator emulator, AzureCmek cmek, AzureCmekRequest req, String app, Duration latency) {
        emulator.latency(Duration.ZERO);
        emulator.servicePrincipalEnabled(emulator.tenantId(), app, true);
        cmek.provision(req);
        emulator.latency(latency);
    }

    private static String child(AzureEmulator emulator, String cluster) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(OPTS);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(ColdRevoke.class.getName());
        cmd.add(cluster);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().putAll(emulator.env());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0 || !out.contains("left 0")) {
            throw new IllegalStateException("the revocation failed: " + out);
        }
        return out;
    }
}
