package dev.cmek.azure.bench;

import dev.cmek.azure.AzureClients;
import dev.cmek.azure.AzureCmek;
import dev.cmek.azure.AzureCmekRequest;
import dev.cmek.azure.emulator.AzureEmulator;
import dev.cmek.azure.emulator.EmulatorViews;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Provisions 1, 3 and 6 regions through the emulator (its windows on) with a fixed latency added to every call, and
 * compares wall time with the least time the dependent-call chain allows: each run with new clients (no token cached,
 * as a new CLI process), a new cluster (new vaults), and the emulator's RSA key pairs made ahead, so its own key
 * generation is not timed. Not run by {@code mvn verify}; see scripts/bench-azure. Args: {@code [latencyMs=50]
 * [repetitions=5]}.
 *
 * <p>The chain of a fresh run: MSAL's instance discovery (once per JVM) -> the tokens (ARM, Graph and Key Vault, side
 * by side) -> the reads (the principal, the subscription's tenant, the resource group, each vault and role assignment,
 * side by side) -> the service principal's create -> the resource group -> the vault -> Key Vault's challenge (once per
 * vault host per JVM) -> the key -> its rotation policy beside its role assignment. A re-run: discovery (if not done)
 * -> tokens -> reads -> the key beside its rotation policy (after the challenge, if not done). No window is waited for:
 * {@code principalType} lets ARM take the new principal at once. Each case also runs with no added latency: what
 * remains then is the client's and the emulator's own time (TLS, JSON, 2 shared cores), and the last column is the share
 * of the added latency the run pays, {@code (wall - wall at 0 ms) / ideal}, 1.0 when every dependent call overlaps as
 * the chain allows.
 */
public final class ProvisionBench {
    private static final List<String> REGIONS =
            List.of("eastus", "westeurope", "centralindia", "japaneast", "brazilsouth", "australiaeast");

    private ProvisionBench() {}

    private record Result(long wallMs, int calls, int chain) {}

    public static void main(String[] args) {
        long latencyMs = args.length > 0 ? Long.parseLong(args[0]) : 50;
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        try (AzureEmulator emulator = AzureEmulator.start(0)) {
            run(emulator, 6, Duration.ZERO); // warm-up: class loading, MSAL's instance discovery, TLS
            System.out.printf(
                    "latency per call %d ms, windows %d ms, %d repetitions (median), emulator on 127.0.0.1, key pairs"
                            + " made ahead%n",
                    latencyMs, AzureEmulator.DEFAULT_PROPAGATION.toMillis(), reps);
            System.out.println(
                    "| regions | run | ideal = chain x latency | bound = 1.3 x ideal | median wall | ratio to"
                            + " ideal | wall at 0 ms | (wall - wall at 0 ms) / ideal | calls total |");
            System.out.println("|---|---|---|---|---|---|---|---|---|");
            for (int regions : new int[] {1, 3, 6}) {
                List<Result> fresh = new ArrayList<>();
                List<Result> rerun = new ArrayList<>();
                List<Result> fresh0 = new ArrayList<>();
                List<Result> rerun0 = new ArrayList<>();
                for (int i = 0; i < reps; i++) {
                    Result[] zero = run(emulator, regions, Duration.ZERO);
                    fresh0.add(zero[0]);
                    rerun0.add(zero[1]);
                    Result[] r = run(emulator, regions, Duration.ofMillis(latencyMs));
                    fresh.add(r[0]);
                    rerun.add(r[1]);
                }
                print(regions, "fresh", latencyMs, fresh, fresh0);
                print(regions, "re-run", latencyMs, rerun, rerun0);
            }
        }
    }

    private static long median(List<Result> results) {
        long[] walls = results.stream().mapToLong(Result::wallMs).sorted().toArray();
        return walls[walls.length / 2];
    }

    private static void print(int regions, String kind, long latencyMs, List<Result> results, List<Result> atZero) {
        long median = median(results);
        long zero = median(atZero);
        Result first = results.get(0);
        long ideal = first.chain() * latencyMs;
        System.out.printf(
                "| %d | %s | %d x %d = %d ms | %.0f ms | %d ms | %.2fx | %d ms | %.2f | %d |%n",
                regions,
                kind,
                first.chain(),
                latencyMs,
                ideal,
                1.3 * ideal,
                median,
                ideal == 0 ? 0.0 : (double) median / ideal,
                zero,
                ideal == 0 ? 0.0 : (double) (median - zero) / ideal,
                first.calls());
    }

    /**
     * A new cluster of {@code regions} regions on a reset emulator (its windows on, no latency): its app registered and
     * its keys' RSA pairs made ahead, so that the emulator's own key generation is not timed.
     */
    static AzureCmekRequest newCluster(AzureEmulator emulator, int regions) {
        emulator.reset().propagation(AzureEmulator.DEFAULT_PROPAGATION).latency(Duration.ZERO);
        String app = UUID.randomUUID().toString();
        String cluster = UUID.randomUUID().toString();
        emulator.registerMultiTenantApp(app, "CockroachDB Cloud - " + cluster);
        emulator.prepareKeyPairs(AzureCmekRequest.KEY_SIZE, regions);
        return AzureCmekRequest.builder()
                .clusterId(cluster)
                .clusterAppId(app)
                .tenantId(emulator.tenantId())
                .subscriptionId(emulator.subscriptionId())
                .regions(REGIONS.subList(0, regions))
                .build();
    }

    /** A fresh provision and a re-run of one new cluster, each with new clients. */
    private static Result[] run(AzureEmulator emulator, int regions, Duration latency) {
        AzureCmekRequest req = newCluster(emulator, regions);
        emulator.latency(latency);
        Result[] out = new Result[2];
        for (int i = 0; i < 2; i++) {
            AzureCmek cmek = new AzureCmek(AzureClients.fromEnvironment(emulator.env()));
            emulator.resetCallCounts();
            long t0 = System.nanoTime();
            cmek.provision(req);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            out[i] = new Result(ms, emulator.requestLog().size(), chain(emulator, i == 0));
        }
        return out;
    }

    /** The longest chain of dependent calls, counting discovery and challenges only when this run made them. */
    private static int chain(AzureEmulator emulator, boolean fresh) {
        Map<String, Integer> counts = emulator.callCounts();
        List<EmulatorViews.Call> log = emulator.requestLog();
        int discovery = counts.getOrDefault("entra.instanceDiscovery", 0) > 0 ? 1 : 0;
        int challenge = log.stream().anyMatch(c -> c.host().endsWith(".vault.azure.net") && c.status() == 401) ? 1 : 0;
        // fresh: tokens, reads, principal, group, vault, key, policy|assignment; re-run: tokens, reads, key|policy
        return (fresh ? 7 : 3) + discovery + challenge;
    }
}
