package dev.cmek.aws.bench;

import dev.cmek.aws.AccountId;
import dev.cmek.aws.AwsCmek;
import dev.cmek.aws.AwsCmekRequest;
import dev.cmek.aws.ClusterId;
import dev.cmek.aws.ExternalId;
import dev.cmek.aws.ProvisionResult;
import dev.cmek.aws.SdkClients;
import dev.cmek.aws.testing.MotoServer;
import dev.cmek.aws.testing.StrictAws;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import software.amazon.awssdk.regions.Region;

/**
 * Provisioning through the realistic stand-in ({@link StrictAws} with its default windows and KMS's 5 control-plane
 * calls per second per Region): 1, 3 and 6 regions, a fleet of 20 clusters x 3 regions on one adapter (as {@code cmek
 * fleet} runs it), and the calls made in an account holding 1,000 unrelated keys. Each wall time is set against the
 * bound the stand-in itself imposes. Not a test: run it with scripts/bench-aws-strict. Args: latency-ms runs.
 */
public final class StrictAwsBenchmark {
    static final List<Region> ALL = ProvisionBenchmark.ALL;
    static final AccountId CRDB = AccountId.of("999988887777");
    static final ExternalId ORG = ExternalId.of("org-benchmark");

    public static void main(String[] args) throws Exception {
        Duration latency = Duration.ofMillis(args.length > 0 ? Long.parseLong(args[0]) : 50);
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        try (MotoServer moto = MotoServer.start();
                SdkClients clients = moto.clients();
                AwsCmek cmek = new AwsCmek(clients)) {
            StrictAws strict = moto.strict();
            StrictAws.Settings s = strict.settings();
            // The least time a provision can take through the stand-in. Each window closes at the stand-in, and a
            // call that reaches it exactly then goes through; the added latency is a round trip, half each way.
            // Since the key is created beside the new role's propagation (ClusterKeys), the principal window is no
            // longer in line with the key's: two chains run side by side.
            // - The key's: the role must first be known to be ours (CreateRole's round trip: a run refused there
            //   makes no key), then CreateKey's way out, the new-key window, the read that finds the key and its way
            //   back, CreateAlias's way out (it cannot be the poll itself: it spends the 5 per second CreateAlias
            //   quota), the new-alias window, the last read's way back: new key + new alias + 3 x latency.
            // - The grant's: PutKeyPolicy reaches the stand-in once the role is visible (CreateRole's way out + the
            //   principal window) and the key is found (as above, + its own way out), then the policy reads stale for
            //   a while, then one read's way back.
            // (Until the key waited for the role, the windows were in line: principal + new key + new alias +
            // 2 x latency = 1000 ms at 300 ms windows and 50 ms; before the latency was a round trip, + 5 x latency.)
            long lat = latency.toMillis();
            long keyChain = s.newKeyNotFound().toMillis() + s.newAliasNotFound().toMillis() + 3 * lat;
            long grantChain = Math.max(
                            s.principalNotVisible().toMillis() + lat / 2,
                            s.newKeyNotFound().toMillis() + lat * 5 / 2)
                    + s.stalePolicyRead().toMillis()
                    + lat / 2;
            long oneCluster = Math.max(keyChain, grantChain);
            for (int i = 0; i < 2; i++) {
                reset(moto, latency);
                cmek.provision(request(ALL));
            }
            System.out.printf(
                    "latency per call: %d ms; windows: principal %d ms, new key %d ms, new alias %d ms, replica"
                            + " Creating %d ms, stale policy read %d ms; quota %d calls/s per control-plane operation and Region;"
                            + " runs per row: %d (median shown); JVM options: %s%n%n",
                    latency.toMillis(),
                    s.principalNotVisible().toMillis(),
                    s.newKeyNotFound().toMillis(),
                    s.newAliasNotFound().toMillis(),
                    s.replicaCreating().toMillis(),
                    s.stalePolicyRead().toMillis(),
                    s.controlPlanePerSecond(),
                    runs,
                    ManagementFactory.getRuntimeMXBean().getInputArguments().isEmpty()
                            ? "the JVM's defaults"
                            : String.join(
                                    " ", ManagementFactory.getRuntimeMXBean().getInputArguments()));
            System.out.println(
                    "| what | wall (median) | min | bound | ratio | goal <= 1.3 | calls (last run) | throttled (all runs) |");
            System.out.println("|---|---|---|---|---|---|---|---|");
            // The fleet runs as often as each provision (until 2026-12-01 half as often: the median of 2 runs, the
            // larger one, swung from 1.17 to 1.49 x on the same build). The walls in order go to stderr: the JVM's
            // first fleet runs are the slowest. BENCH_FLEET_RUNS=N: only the fleet, N runs (for A/B comparisons).
            String fleetOnly = System.getenv("BENCH_FLEET_RUNS");
            int fleetRuns = fleetOnly == null ? runs : Integer.parseInt(fleetOnly);
            for (int n : fleetOnly == null ? List.of(1, 3, 6) : List.<Integer>of()) {
                List<Long> walls = new ArrayList<>();
                Map<String, Integer> counts = Map.of();
                int throttled = 0;
                for (int i = 0; i < runs; i++) {
                    reset(moto, latency);
                    long t0 = System.nanoTime();
                    ProvisionResult r = cmek.provision(request(ALL.subList(0, n)));
                    walls.add((System.nanoTime() - t0) / 1_000_000);
                    check(r, n);
                    counts = strict.counts();
                    throttled += strict.throttled(); // every run's, not only the last's
                }
                row("provision, " + n + " region(s)", walls, oneCluster, counts, throttled);
            }
            int clusters = 20;
            List<Region> three = ALL.subList(0, 3);
            // Each control-plane operation has its own quota per Region (requests-per-second.html: "requests for the
            // CreateKey operation have no effect on the request quota for the CreateAlias operation"). Each cluster
            // needs one CreateKey, PutKeyPolicy, CreateAlias and EnableKeyRotation per Region (a key no longer waits
            // for its role, so no CreateKey is refused while the role propagates): the quota lets 5 of each start per
            // second, and the last cluster's calls start in the last second, followed by its own chain.
            long perSecond = (long) s.controlPlanePerSecond();
            long quotaBound = Math.max(
                    (long) Math.ceil(clusters * 1000.0 / perSecond),
                    (long) Math.ceil((clusters - perSecond) * 1000.0 / perSecond) + oneCluster);
            List<Long> walls = new ArrayList<>();
            Map<String, Integer> counts = Map.of();
            int throttled = 0;
            for (int i = 0; i < fleetRuns; i++) {
                reset(moto, latency);
                ExecutorService workers = Executors.newFixedThreadPool(16);
                strict.record();
                long t0 = System.nanoTime();
                if (System.getenv("BENCH_DEBUG") != null) {
                    System.err.println("fleet run " + i + " starts at epoch ms " + System.currentTimeMillis());
                }
                List<CompletableFuture<ProvisionResult>> all = new ArrayList<>();
                List<Long> finished = Collections.synchronizedList(new ArrayList<>());
                for (int c = 0; c < clusters; c++) {
                    all.add(CompletableFuture.supplyAsync(
                            () -> {
                                long began = (System.nanoTime() - t0) / 1_000_000;
                                ProvisionResult r = cmek.provision(request(three));
                                finished.add(began * 100_000 + (System.nanoTime() - t0) / 1_000_000);
                                return r;
                            },
                            workers));
                }
                all.forEach(f -> check(f.join(), 3));
                walls.add((System.nanoTime() - t0) / 1_000_000);
                if (System.getenv("BENCH_DEBUG") != null) {
                    System.err.println("fleet run " + i + " ends at epoch ms " + System.currentTimeMillis());
                    Map<String, long[]> ops = new java.util.TreeMap<>();
                    for (StrictAws.Event e : strict.timeline()) {
                        long[] a = ops.computeIfAbsent(e.operation() + " " + e.status(), k -> new long[5]);
                        a[0]++;
                        a[1] = Math.max(a[1], (e.answered() - t0) / 1_000_000);
                        a[2] += (e.answered() - e.arrived()) / 1_000_000;
                        a[3] += e.upstream() / 1_000_000;
                        a[4] = a[4] == 0
                                ? Math.max(1, (e.arrived() - t0) / 1_000_000)
                                : Math.min(a[4], (e.arrived() - t0) / 1_000_000);
                    }
                    System.err.println("fleet run " + i + ": " + walls.get(walls.size() - 1) + " ms, throttled "
                            + strict.throttled() + ", connections opened " + strict.connections()
                            + "; clusters (began-finished ms): "
                            + finished.stream()
                                    .sorted(java.util.Comparator.comparingLong(x -> x % 100_000))
                                    .map(x -> x / 100_000 + "-" + x % 100_000)
                                    .collect(Collectors.joining(" ")));
                    ops.forEach((k, a) -> System.err.printf(
                            "  %-32s n=%4d first arrived=%5d last=%6d ms mean=%4d ms of which moto %4d ms%n",
                            k, a[0], a[4], a[1], a[2] / a[0], a[3] / a[0]));
                }
                workers.shutdown();
                counts = strict.counts();
                throttled += strict.throttled();
            }
            System.err.println("fleet walls in order (ms): " + walls);
            row(
                    "fleet, " + clusters + " clusters x 3 regions (16 at once)",
                    walls,
                    Math.max(quotaBound, oneCluster),
                    counts,
                    throttled);
            if (fleetOnly != null) {
                return;
            }
            System.out.println();
            orphanScan(moto, cmek, latency);
            System.out.println();
            // BENCH_TIMELINE_REGIONS=1 traces a provision of one Region instead (where the 1-Region row's time goes).
            String traced = System.getenv("BENCH_TIMELINE_REGIONS");
            timeline(moto, cmek, latency, traced == null ? 6 : Integer.parseInt(traced));
        }
    }

    /** Calls and threads of a provision in a region with no other key, then with 1,000 unrelated keys. */
    private static void orphanScan(MotoServer moto, AwsCmek cmek, Duration latency) {
        StrictAws strict = moto.strict();
        List<Region> one = List.of(Region.US_EAST_1);
        System.out.println("| unrelated keys in the Region | calls (provision, 1 region) | of which ListResourceTags"
                + " | wall | peak threads in the JVM | peak requests in flight |");
        System.out.println("|---|---|---|---|---|---|");
        for (int unrelated : List.of(0, 1000)) {
            reset(moto, latency);
            try (SdkClients raw = moto.rawClients()) {
                var kms = raw.kms(Region.US_EAST_1);
                for (int i = 0; i < unrelated; i++) {
                    // Each with an alias, as keys in a real account have: KMS lists at most 100 aliases a call.
                    String id = kms.createKey(b -> b.description("unrelated"))
                            .keyMetadata()
                            .keyId();
                    int n = i;
                    kms.createAlias(b -> b.aliasName("alias/app-" + n).targetKeyId(id));
                }
            }
            strict.resetCounts();
            var threads = ManagementFactory.getThreadMXBean();
            threads.resetPeakThreadCount();
            long t0 = System.nanoTime();
            check(cmek.provision(request(one)), 1);
            long wall = (System.nanoTime() - t0) / 1_000_000;
            System.out.printf(
                    "| %d | %d | %d | %d ms | %d | %d |%n",
                    unrelated,
                    strict.totalCalls(),
                    strict.calls("ListResourceTags"),
                    wall,
                    threads.getPeakThreadCount(),
                    strict.peakInFlight());
        }
    }

    /**
     * One more provision of {@code n} regions, each call printed as the stand-in saw it (ms from the start of the
     * provision): where the wall time goes beyond the bound.
     */
    private static void timeline(MotoServer moto, AwsCmek cmek, Duration latency, int n) {
        reset(moto, latency);
        StrictAws strict = moto.strict().record();
        long t0 = System.nanoTime();
        check(cmek.provision(request(ALL.subList(0, n))), n);
        long wall = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("One " + n + "-region provision, call by call (ms from its start; " + wall + " ms in all):");
        System.out.println();
        System.out.println("| arrived | answered | of which moto | where | operation | status |");
        System.out.println("|---|---|---|---|---|---|");
        for (StrictAws.Event e : strict.timeline()) {
            System.out.printf(
                    "| %d | %d | %d | %s | %s | %d |%n",
                    (e.arrived() - t0) / 1_000_000,
                    (e.answered() - t0) / 1_000_000,
                    e.upstream() / 1_000_000,
                    e.where(),
                    e.operation(),
                    e.status());
        }
    }

    private static void reset(MotoServer moto, Duration latency) {
        moto.reset();
        warmTaggingApi(moto);
        moto.strict().latency(latency);
    }

    /**
     * After a reset moto builds a Region's Resource Groups Tagging API backend on its first GetResources there: 50 to
     * 90 ms of Python per Region, one Region at a time under its interpreter lock (then 7 to 11 ms a call; measured on
     * this machine with boto3 against moto_server 5.2.1). AWS has no such cost, and in a 6-Region provision it put
     * 650 ms in front of every first CreateKey. One untimed call per Region straight to moto (not through the
     * stand-in, not counted) after every reset leaves that cost out of the timed runs. (Most of it was the Region's
     * EC2 backend loading its default AMIs, which MotoServer now turns off for every test; about 10 ms remain.)
     */
    static void warmTaggingApi(MotoServer moto) {
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        for (Region r : ALL) {
            java.net.http.HttpRequest req = java.net.http.HttpRequest.newBuilder(moto.motoEndpoint())
                    .header("Content-Type", "application/x-amz-json-1.1")
                    .header("X-Amz-Target", "ResourceGroupsTaggingAPI_20170126.GetResources")
                    .header(
                            "Authorization",
                            "AWS4-HMAC-SHA256 Credential=" + MotoServer.ACCESS_KEY_ID + "/20260101/" + r.id()
                                    + "/tagging/aws4_request, SignedHeaders=host, Signature=0")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"ResourceTypeFilters\":[\"kms:key\"]}"))
                    .build();
            try {
                int status = http.send(req, java.net.http.HttpResponse.BodyHandlers.discarding())
                        .statusCode();
                if (status != 200) {
                    throw new IllegalStateException("moto GetResources in " + r + " answered " + status);
                }
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    private static AwsCmekRequest request(List<Region> regions) {
        return AwsCmekRequest.of(ClusterId.of(UUID.randomUUID().toString()), CRDB, ORG, regions);
    }

    private static void check(ProvisionResult r, int n) {
        if (r.keys().size() != n) {
            throw new IllegalStateException("expected " + n + " keys, got " + r.keys());
        }
    }

    private static void row(String what, List<Long> walls, long bound, Map<String, Integer> counts, int throttled) {
        List<Long> sorted = new ArrayList<>(walls);
        Collections.sort(sorted);
        long median = sorted.get(sorted.size() / 2);
        double ratio = (double) median / bound;
        int total = counts.values().stream().mapToInt(Integer::intValue).sum();
        System.out.printf(
                "| %s | %d ms | %d ms | %d ms | %.2f | %s | %d | %d |%n",
                what, median, sorted.get(0), bound, ratio, ratio <= 1.3 ? "met" : "MISSED", total, throttled);
        System.err.println(what + " calls: "
                + counts.entrySet().stream()
                        .map(e -> e.getKey() + "=" + e.getValue())
                        .collect(Collectors.joining(", ")));
    }
}
