package dev.cmek.azure.bench;

import dev.cmek.azure.AzureClients;
import dev.cmek.azure.AzureCmek;
import dev.cmek.azure.AzureCmekRequest;
import dev.cmek.azure.emulator.AzureEmulator;
import dev.cmek.azure.emulator.EmulatorViews;
import java.time.Duration;
import java.time.Instant;

/**
 * Where a re-run's fixed cost goes (BENCHMARKS.md, Azure provisioning): re-runs of one provisioned cluster, each with new
 * clients as a new CLI process has, in a JVM warmed by {@code warm} of them, no latency added; for each of the last
 * {@code runs}, the time to build the clients and to provision, and every call with the moment the emulator answered
 * it (ms after the provision started), so the gaps between the chain's steps show. Not run by {@code mvn verify}; see
 * scripts/bench-azure. Args: {@code [warm=30] [runs=4] [regions=1]}.
 */
public final class ReRunTimeline {
    private ReRunTimeline() {}

    public static void main(String[] args) {
        int warm = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        int regions = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        try (AzureEmulator emulator = AzureEmulator.start(0)) {
            AzureCmekRequest req = ProvisionBench.newCluster(emulator, regions);
            new AzureCmek(AzureClients.fromEnvironment(emulator.env())).provision(req);
            for (int i = 0; i < warm + runs; i++) {
                long t0 = System.nanoTime();
                AzureCmek cmek = new AzureCmek(AzureClients.fromEnvironment(emulator.env()));
                emulator.resetCallCounts();
                Instant start = Instant.now();
                long t1 = System.nanoTime();
                cmek.provision(req);
                long t2 = System.nanoTime();
                if (i < warm) {
                    continue;
                }
                System.out.printf(
                        "re-run %d: clients built in %d ms, provision %d ms%n",
                        i - warm + 1, (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000);
                for (EmulatorViews.Call c : emulator.requestLog()) {
                    System.out.printf(
                            "  %4d ms  %-40s %s %s %d%n",
                            Duration.between(start, c.at()).toMillis(),
                            c.operation(),
                            c.method(),
                            c.host(),
                            c.status());
                }
            }
        }
    }
}
