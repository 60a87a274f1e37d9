package dev.cmek.bench;

import dev.cmek.aws.AccountId;
import dev.cmek.aws.AwsCmek;
import dev.cmek.aws.AwsCmekRequest;
import dev.cmek.aws.ClusterId;
import dev.cmek.aws.ExternalId;
import dev.cmek.aws.ProvisionResult;
import dev.cmek.aws.SdkClients;
import dev.cmek.aws.testing.MotoServer;
import dev.cmek.aws.testing.StrictAws;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;
import software.amazon.awssdk.regions.Region;

/**
 * Benchmark (not a test) of issue 8's "fast from a cold start": wall time of {@code cmek revoke --cloud-only} of a
 * cluster provisioned in 6 AWS Regions, each run a new JVM started through a launcher ({@code scripts/cmek} by
 * default), against moto behind the strict stand-in ({@link StrictAws}: session credentials, stale policy reads,
 * KMS's control-plane quota) or against plain moto. Every run gets a freshly provisioned cluster (set up in this JVM,
 * not timed) and a new evidence directory in a temporary directory. Run with {@code scripts/bench-cold-revoke}.
 *
 * <p>Args: {@code runs latencies-ms(comma list) strict|delay|moto launcher}, e.g. {@code 9 0,50 strict scripts/cmek}.
 * {@code delay} is moto as it is (every realistic behaviour of the stand-in off) with only the added latency per call:
 * the goal's own terms ("on a local moto", "at 50 ms added latency per call"), which count no consistency window.
 */
public final class ColdRevokeBench {
    static final List<Region> REGIONS = dev.cmek.aws.bench.ProvisionBenchmark.ALL;
    static final AccountId CRDB = AccountId.of("999988887777");
    static final ExternalId ORG = ExternalId.of("4f1c2d3e-5a6b-4c7d-8e9f-0a1b2c3d4e5f");

    /**
     * Longest chain of dependent calls of {@code revoke --cloud-only --manifest} on AWS, read from the adapter
     * (GrantRevocation, TrustRevocation, KeyGrantRevocation): per Region GetKeyPolicy of the key in use -> PutKeyPolicy
     * -> GetKeyPolicy read-back -> the second agreeing read-back. Beside it, not on it: the caller's identity (STS
     * GetCallerIdentity, which KMS's pacer needs before PutKeyPolicy, asked at the start beside GetKeyPolicy), the
     * search for tagged keys (GetResources, beside the keys in use), and the role's trust (GetRole ->
     * UpdateAssumeRolePolicy -> GetRole read-back x 2, as long). It was 6 while the identity and the search came first.
     */
    static final int CHAIN = 4;

    /** The base of the goal: what a cold process may take beside the chain of calls. */
    static final Duration BASE = Duration.ofMillis(1200);

    /** One cold process: wall time, CPU time (user + system, all its threads), peak RSS in MB. */
    private record Run(long wallMillis, long cpuMillis, long rssMb, int exit, Map<String, Integer> calls) {}

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 9;
        long[] latencies = Arrays.stream((args.length > 1 ? args[1] : "0,50").split(","))
                .mapToLong(Long::parseLong)
                .toArray();
        String mode = args.length > 2 ? args[2] : "strict";
        if (!List.of("strict", "delay", "moto").contains(mode)) {
            throw new IllegalArgumentException("stand-in: strict, delay or moto, not " + mode);
        }
        boolean strict = !mode.equals("moto");
        boolean lax = mode.equals("delay");
        Path launcher = Path.of(args.length > 3 ? args[3] : "scripts/cmek").toAbsolutePath();
        Path work = Files.createTempDirectory("bench-cold-revoke");
        try (MotoServer moto = MotoServer.start();
                SdkClients clients = strict ? moto.clients() : moto.rawClients();
                AwsCmek cmek = new AwsCmek(clients)) {
            String endpoint = (strict ? moto.endpoint() : moto.motoEndpoint()).toString();
            // The first run through a launcher may build its class-data archive: shown apart, not in the median.
            Run first = once(moto, cmek, strict, lax, endpoint, launcher, work, Duration.ZERO);
            System.out.printf(
                    "launcher %s, AWS through %s, %d Regions, %d cold processes per row (median shown); first run of the"
                            + " launcher (may make its class-data archive): %d ms, exit %d%n%n",
                    launcher.getFileName().toString().equals("cmek")
                            ? launcher.getParent().getFileName() + "/cmek"
                            : launcher,
                    lax
                            ? "moto behind the stand-in with its behaviours off (added latency only)"
                            : strict ? "the strict stand-in (StrictAws) in front of moto" : "plain moto",
                    REGIONS.size(),
                    runs,
                    first.wallMillis(),
                    first.exit());
            System.out.println(
                    "| added latency per call | wall median | min | max | goal | verdict | CPU median (user +"
                            + " sys) | peak RSS median | exit codes | AWS calls per run |");
            System.out.println("|---|---|---|---|---|---|---|---|---|---|");
            List<String> detail = new ArrayList<>();
            for (long ms : latencies) {
                List<Run> results = new ArrayList<>();
                for (int i = 0; i < runs; i++) {
                    results.add(once(moto, cmek, strict, lax, endpoint, launcher, work, Duration.ofMillis(ms)));
                }
                long[] walls =
                        results.stream().mapToLong(Run::wallMillis).sorted().toArray();
                long goal = BASE.toMillis() + Math.round(1.3 * CHAIN * ms);
                long median = walls[walls.length / 2];
                String exits = results.stream()
                        .map(r -> Integer.toString(r.exit()))
                        .distinct()
                        .collect(Collectors.joining(","));
                Map<String, Integer> calls = results.get(results.size() - 1).calls();
                long[] cpus =
                        results.stream().mapToLong(Run::cpuMillis).sorted().toArray();
                long[] rss = results.stream().mapToLong(Run::rssMb).sorted().toArray();
                System.out.printf(
                        "| %d ms | %d ms | %d ms | %d ms | <= %d ms | %s | %d ms | %d MB | %s | %d |%n",
                        ms,
                        median,
                        walls[0],
                        walls[walls.length - 1],
                        goal,
                        median <= goal ? "met" : "MISSED",
                        cpus[cpus.length / 2],
                        rss[rss.length / 2],
                        exits,
                        calls.values().stream().mapToInt(Integer::intValue).sum());
                detail.add(ms + " ms: walls " + Arrays.toString(walls) + ", CPU " + Arrays.toString(cpus)
                        + "; calls of the last run " + calls);
            }
            System.out.println();
            System.out.println("Goal: 1.2 s + 1.3 x " + CHAIN + " dependent calls x latency.");
            detail.forEach(d -> System.out.println("- " + d));
        } finally {
            // BENCH_KEEP=1 keeps each run's output, errors and evidence for a look (e.g. with CMEK_JAVA_OPTS set).
            if (System.getenv("BENCH_KEEP") == null) {
                deleteTree(work);
            } else {
                System.err.println("kept " + work);
            }
        }
    }

    /** A new cluster provisioned in every Region (not timed), then one cold revoke process (timed). */
    private static Run once(
            MotoServer moto,
            AwsCmek cmek,
            boolean strict,
            boolean lax,
            String endpoint,
            Path launcher,
            Path work,
            Duration latency)
            throws IOException, InterruptedException {
        moto.reset();
        if (lax) {
            moto.strict().settings(StrictAws.Settings.lax());
        }
        String cluster = UUID.randomUUID().toString();
        ProvisionResult provisioned = cmek.provision(AwsCmekRequest.of(ClusterId.of(cluster), CRDB, ORG, REGIONS));
        Path manifest = work.resolve(cluster + ".json");
        Files.writeString(manifest, manifest(provisioned), StandardCharsets.UTF_8);
        // Let the stand-in's windows on what provisioning just wrote pass, as they would before a breach.
        Thread.sleep(600);
        StrictAws stand = moto.strict();
        stand.resetCounts();
        if (strict) {
            stand.latency(latency);
        }
        Path timing = work.resolve(cluster + ".time");
        ProcessBuilder pb = new ProcessBuilder(
                        "/usr/bin/time",
                        "-o",
                        timing.toString(),
                        "-f",
                        "%U %S %M",
                        launcher.toString(),
                        "revoke",
                        "--cluster",
                        cluster,
                        "--yes",
                        "--cloud-only",
                        "--manifest",
                        manifest.toString(),
                        "--evidence",
                        work.resolve("evidence-" + cluster).toString(),
                        "-o",
                        "json")
                .redirectOutput(work.resolve(cluster + ".out").toFile())
                .redirectError(work.resolve(cluster + ".err").toFile());
        Map<String, String> env = pb.environment();
        // CMEK_JAVA_OPTS stays: it lets a measurement add JVM options (class loading logs, a profiler) to every run.
        env.keySet()
                .removeIf(k -> k.startsWith("AWS_")
                        || k.startsWith("COCKROACH_")
                        || (k.startsWith("CMEK_") && !k.equals("CMEK_JAVA_OPTS")));
        env.put("AWS_ENDPOINT_URL", endpoint);
        env.put("AWS_ACCESS_KEY_ID", MotoServer.ACCESS_KEY_ID);
        env.put("AWS_SECRET_ACCESS_KEY", MotoServer.SECRET_ACCESS_KEY);
        env.put("AWS_SESSION_TOKEN", MotoServer.SESSION_TOKEN);
        boolean trace = strict && System.getenv("BENCH_TIMELINE") != null;
        if (trace) {
            stand.record();
        }
        long t0 = System.nanoTime();
        Process p = pb.start();
        int exit = p.waitFor();
        long wall = (System.nanoTime() - t0) / 1_000_000;
        if (trace) {
            // Where a cold process spends its time: each call, in ms from the launcher's start (arrived -> answered).
            System.err.printf("timeline of one run (%d ms wall), ms from the launcher's start:%n", wall);
            for (StrictAws.Event e : stand.timeline()) {
                System.err.printf(
                        "  %5d -> %5d  %-10s %-28s %d%n",
                        (e.arrived() - t0) / 1_000_000,
                        (e.answered() - t0) / 1_000_000,
                        e.where(),
                        e.operation(),
                        e.status());
            }
        }
        stand.latency(Duration.ZERO);
        String err = Files.readString(work.resolve(cluster + ".err"));
        if (err.contains("cmek: building ")) {
            // scripts/cmek rebuilds its jar when a source is newer: an edit while measuring (40 s instead of 1).
            throw new IllegalStateException("the launcher rebuilt its jar inside a timed run (a source changed while"
                    + " measuring); leave src/main alone and run again");
        }
        if (wall > 5_000) {
            // Far beyond any goal: what the process said (with CMEK_JAVA_OPTS raising the SDK's log level, each call).
            System.err.println("a run of " + wall + " ms (exit " + exit + "), its stderr:\n" + err.strip());
        }
        if (exit != 0) {
            System.err.println("revoke exited " + exit + ": "
                    + Files.readString(work.resolve(cluster + ".err")).strip());
        }
        String out = Files.readString(work.resolve(cluster + ".out"));
        if (exit == 0 && !out.contains("\"removed\"")) {
            throw new IllegalStateException("revoke reported nothing removed: " + out);
        }
        String[] usage = Files.readAllLines(timing)
                .get(Files.readAllLines(timing).size() - 1)
                .split(" ");
        long cpu = Math.round((Double.parseDouble(usage[0]) + Double.parseDouble(usage[1])) * 1000);
        return new Run(wall, cpu, Long.parseLong(usage[2]) / 1024, exit, new TreeMap<>(stand.counts()));
    }

    static String manifest(ProvisionResult r) {
        return r.keys().entrySet().stream()
                .map(e -> ("{\"region\":\"%s\",\"key_spec\":{\"type\":\"AWS_KMS\",\"uri\":\"%s\","
                                + "\"auth_principal\":\"%s\"}}")
                        .formatted(e.getKey(), e.getValue().value(), r.role().value()))
                .collect(Collectors.joining(",", "{\"region_specs\":[", "]}"));
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder())
                    .forEach(p -> p.toFile().delete());
        }
    }
}
