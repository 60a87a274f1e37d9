package dev.cmek.gcp.bench;

import dev.cmek.gcp.GcpClients;
import dev.cmek.gcp.GcpCmek;
import dev.cmek.gcp.GcpCmekRequest;
import dev.cmek.gcp.emulator.GcpEmulator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Provisions 1, 3 and 6 regions against the emulator with a fixed latency per call, and compares wall time with the
 * longest chain of dependent calls times that latency. Not run by {@code mvn verify}; see scripts/bench-gcp.
 * Args: {@code [latencyMs=50] [repetitions=5] [inprocess|loopback]}.
 */
public final class ProvisionBench {
    /** Fresh run: createKeyRing -> createCryptoKey -> getIamPolicy -> setIamPolicy -> getIamPolicy (read back). */
    static final int FRESH_CHAIN = 5;
    /** Re-run: createKeyRing(ALREADY_EXISTS) -> createCryptoKey(ALREADY_EXISTS) -> getCryptoKey -> getIamPolicy. */
    static final int RERUN_CHAIN = 4;

    private ProvisionBench() {}

    public static void main(String[] args) {
        long latencyMs = args.length > 0 ? Long.parseLong(args[0]) : 50;
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        boolean loopback = args.length > 2 && args[2].equals("loopback");
        Duration latency = Duration.ofMillis(latencyMs);
        run(6, latency, loopback); // warm-up: class loading, channel setup
        System.out.printf(
                "latency per call %d ms, %d repetitions (median), emulator %s%n",
                latencyMs, reps, loopback ? "on 127.0.0.1" : "in-process");
        System.out.println(
                "| regions | run | chain (calls) | bound = 1.3 x chain x latency | median wall | ratio to chain x latency | calls total | calls per region |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        for (int regions : new int[] {1, 3, 6}) {
            List<Result> fresh = new ArrayList<>();
            List<Result> rerun = new ArrayList<>();
            for (int i = 0; i < reps; i++) {
                Result[] r = run(regions, latency, loopback);
                fresh.add(r[0]);
                rerun.add(r[1]);
            }
            print(regions, "fresh", FRESH_CHAIN, latencyMs, fresh);
            print(regions, "re-run", RERUN_CHAIN, latencyMs, rerun);
        }
    }

    private record Result(long wallMs, int calls, Map<String, Integer> perMethod) {}

    private static void print(int regions, String kind, int chain, long latencyMs, List<Result> results) {
        long[] walls = results.stream().mapToLong(Result::wallMs).sorted().toArray();
        long median = walls[walls.length / 2];
        int calls = results.get(0).calls;
        double ideal = chain * latencyMs;
        System.out.printf(
                "| %d | %s | %d | %.0f ms | %d ms | %.2fx | %d | %.1f |%n",
                regions, kind, chain, 1.3 * ideal, median, median / ideal, calls, (double) calls / regions);
    }

    private static Result[] run(int regions, Duration latency, boolean loopback) {
        List<String> names = Arrays.asList(
                        "us-east1", "us-west1", "europe-west1", "asia-east1", "us-central1", "europe-west4")
                .subList(0, regions);
        GcpCmekRequest req = GcpCmekRequest.builder()
                .customerProject("bench-proj")
                .clusterId("9e1a3c0b-9ebd-43d9-8f42-589c9e6fc081")
                .cockroachAccountId("crdb-acct-123")
                .regions(names)
                .build();
        try (GcpEmulator emulator = loopback ? GcpEmulator.start(0) : GcpEmulator.inProcess();
                GcpClients clients = loopback
                        ? GcpClients.resolve(emulator.endpoint(), emulator.endpoint())
                        : GcpClients.overChannel(emulator.channel())) {
            GcpCmek cmek = new GcpCmek(clients);
            clients.kms();
            clients.iam();
            emulator.latency(latency);
            Result[] out = new Result[2];
            for (int i = 0; i < 2; i++) {
                emulator.resetCallCounts();
                long t0 = System.nanoTime();
                cmek.provision(req);
                long ms = (System.nanoTime() - t0) / 1_000_000;
                out[i] = new Result(ms, emulator.totalCalls(), emulator.callCounts());
            }
            return out;
        }
    }
}
