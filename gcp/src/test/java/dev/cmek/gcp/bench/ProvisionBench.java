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
 * Provisions 1, 3 and 6 regions against the emulator with a fixed latency per call and IAM's propagation window on
 * (a new service account invisible for {@code window}), and compares wall time with the bound the window and the
 * longest chain of dependent calls impose. Not run by {@code mvn verify}; see scripts/bench-gcp.
 * Args: {@code [latencyMs=50] [repetitions=5] [windowMs=1000] [inprocess|loopback]}.
 */
public final class ProvisionBench {
    /**
     * Fresh run: CreateServiceAccount (handled one latency in), then the account is invisible for the window, so the
     * first GetServiceAccount that can succeed is sent at max(window, latency) and answered one latency later; then
     * GetIamPolicy -> SetIamPolicy -> GetIamPolicy on the account and, waiting for it, on every key: max(window,
     * latency) + 4 calls. (CreateKeyRing -> CreateCryptoKey run beside the wait.)
     */
    static final int FRESH_CALLS_AFTER_WINDOW = 4;
    /** Re-run: createKeyRing(ALREADY_EXISTS) -> createCryptoKey(ALREADY_EXISTS) -> getCryptoKey -> getIamPolicy. */
    static final int RERUN_CHAIN = 4;

    private ProvisionBench() {}

    public static void main(String[] args) {
        long latencyMs = args.length > 0 ? Long.parseLong(args[0]) : 50;
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        long windowMs = args.length > 2 ? Long.parseLong(args[2]) : 1000;
        boolean loopback = args.length > 3 && args[3].equals("loopback");
        Duration latency = Duration.ofMillis(latencyMs);
        Duration window = Duration.ofMillis(windowMs);
        run(6, latency, window, loopback); // warm-up: class loading, channel setup
        System.out.printf(
                "latency per call %d ms, propagation window %d ms, %d repetitions (median), emulator %s%n",
                latencyMs, windowMs, reps, loopback ? "on 127.0.0.1" : "in-process");
        System.out.println(
                "| regions | run | ideal = max(window, latency) + calls x latency | bound = 1.3 x ideal | median wall | ratio to ideal | calls total | GetServiceAccount polls |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        for (int regions : new int[] {1, 3, 6}) {
            List<Result> fresh = new ArrayList<>();
            List<Result> rerun = new ArrayList<>();
            for (int i = 0; i < reps; i++) {
                Result[] r = run(regions, latency, window, loopback);
                fresh.add(r[0]);
                rerun.add(r[1]);
            }
            print(regions, "fresh", Math.max(windowMs, latencyMs) + FRESH_CALLS_AFTER_WINDOW * latencyMs, fresh);
            print(regions, "re-run", RERUN_CHAIN * latencyMs, rerun);
        }
    }

    private record Result(long wallMs, int calls, Map<String, Integer> perMethod) {}

    private static void print(int regions, String kind, long idealMs, List<Result> results) {
        long[] walls = results.stream().mapToLong(Result::wallMs).sorted().toArray();
        long median = walls[walls.length / 2];
        Result first = results.get(0);
        System.out.printf(
                "| %d | %s | %d ms | %.0f ms | %d ms | %.2fx | %d | %d |%n",
                regions,
                kind,
                idealMs,
                1.3 * idealMs,
                median,
                (double) median / idealMs,
                first.calls,
                first.perMethod.getOrDefault("google.iam.admin.v1.IAM/GetServiceAccount", 0));
    }

    private static Result[] run(int regions, Duration latency, Duration window, boolean loopback) {
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
                        ? GcpClients.fromEnvironment(Map.of(
                                GcpClients.KMS_EMULATOR_ENV, emulator.endpoint().orElseThrow(),
                                GcpClients.IAM_EMULATOR_ENV, emulator.endpoint().orElseThrow()))
                        : GcpClients.overChannel(emulator.channel())) {
            GcpCmek cmek = new GcpCmek(clients);
            clients.kms();
            clients.iam();
            emulator.latency(latency).propagation(window);
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
