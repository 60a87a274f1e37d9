package dev.cmek.aws.bench;

import dev.cmek.aws.AccountId;
import dev.cmek.aws.AwsCmek;
import dev.cmek.aws.AwsCmekRequest;
import dev.cmek.aws.ClusterId;
import dev.cmek.aws.ExternalId;
import dev.cmek.aws.ProvisionResult;
import dev.cmek.aws.SdkClients;
import dev.cmek.aws.testing.MotoServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import software.amazon.awssdk.regions.Region;

/**
 * Provisions 1, 3 and 6 regions from nothing against moto behind a proxy adding a fixed latency per call, and the
 * same calls made by the AWS CLI from a shell script. Not a test: run it with scripts/bench-aws.
 * Args: latency-ms runs [cli-script].
 */
public final class ProvisionBenchmark {
    /** The six Regions every AWS benchmark provisions in (the first 1 or 3 of them for the smaller rows). */
    public static final List<Region> ALL = List.of(
            Region.US_EAST_1,
            Region.EU_WEST_1,
            Region.AP_SOUTHEAST_2,
            Region.US_WEST_2,
            Region.EU_CENTRAL_1,
            Region.AP_NORTHEAST_1);
    /** Longest chain of dependent calls for a fresh per-region provision: GetRole, CreateRole (beside DescribeKey
     * alias, ListKeys), CreateKey (needs the role), then CreateAlias beside the GetKeyPolicy read-back. */
    static final int CHAIN = 4;

    public static void main(String[] args) throws Exception {
        Duration latency = Duration.ofMillis(args.length > 0 ? Long.parseLong(args[0]) : 50);
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        String cli = args.length > 2 ? args[2] : null;
        AccountId crdb = AccountId.of("999988887777");
        ExternalId org = ExternalId.of("org-benchmark");
        try (MotoServer moto = MotoServer.start();
                DelayingProxy proxy = new DelayingProxy(moto.endpoint(), latency);
                SdkClients clients = SdkClients.forEmulator(proxy.endpoint());
                AwsCmek cmek = new AwsCmek(clients)) {
            // Warm-up: JIT, SDK clients of every region (built on first use, then cached), connections.
            for (int i = 0; i < 3; i++) {
                cmek.provision(AwsCmekRequest.of(ClusterId.of(UUID.randomUUID().toString()), crdb, org, ALL));
                moto.reset();
            }
            System.out.printf(
                    "latency per call: %d ms, runs per row: %d (median shown), chain: %d calls%n%n",
                    latency.toMillis(), runs, CHAIN);
            System.out.println(
                    "| regions | Java wall (median) | min | chain x latency | ratio | goal <= 1.3 | API calls"
                            + " per region (KMS) | IAM calls | AWS CLI script wall (median) | CLI / Java |");
            System.out.println("|---|---|---|---|---|---|---|---|---|---|");
            String callsDetail = "";
            for (int n : List.of(1, 3, 6)) {
                List<Region> regions = ALL.subList(0, n);
                List<Long> java = new ArrayList<>();
                Map<String, Integer> counts = Map.of();
                for (int i = 0; i < runs; i++) {
                    moto.reset();
                    proxy.resetCounts();
                    AwsCmekRequest req =
                            AwsCmekRequest.of(ClusterId.of(UUID.randomUUID().toString()), crdb, org, regions);
                    long t0 = System.nanoTime();
                    ProvisionResult r = cmek.provision(req);
                    java.add((System.nanoTime() - t0) / 1_000_000);
                    if (r.keys().size() != n) {
                        throw new IllegalStateException("expected " + n + " keys, got " + r.keys());
                    }
                    counts = proxy.counts();
                }
                List<Long> shell = new ArrayList<>();
                if (cli != null) {
                    for (int i = 0; i < Math.min(runs, 3); i++) {
                        moto.reset();
                        shell.add(runCli(cli, proxy, n));
                    }
                }
                long median = median(java);
                long chain = CHAIN * latency.toMillis();
                int kms = counts.entrySet().stream()
                        .filter(e -> e.getKey().startsWith("kms/"))
                        .mapToInt(Map.Entry::getValue)
                        .sum();
                int iam = counts.entrySet().stream()
                        .filter(e -> !e.getKey().startsWith("kms/"))
                        .mapToInt(Map.Entry::getValue)
                        .sum();
                long cliMedian = shell.isEmpty() ? -1 : median(shell);
                System.out.printf(
                        "| %d | %d ms | %d ms | %d ms | %s | %s | %.1f | %d | %s | %s |%n",
                        n,
                        median,
                        Collections.min(java),
                        chain,
                        chain == 0 ? "n/a" : String.format("%.2f", (double) median / chain),
                        chain == 0 ? "n/a" : median <= 1.3 * chain ? "met" : "MISSED",
                        (double) kms / n,
                        iam,
                        cliMedian < 0 ? "n/a" : cliMedian + " ms",
                        cliMedian < 0 ? "n/a" : String.format("%.1fx", (double) cliMedian / median));
                callsDetail = counts.entrySet().stream()
                        .filter(e -> e.getKey().startsWith("kms/us-east-1")
                                || !e.getKey().startsWith("kms/"))
                        .map(e -> e.getKey() + "=" + e.getValue())
                        .collect(Collectors.joining(", "));
            }
            System.out.println();
            System.out.println("Calls of the last 6-region run (IAM and one region's KMS): " + callsDetail);
        }
    }

    private static long runCli(String script, DelayingProxy proxy, int n) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(
                "bash", script, proxy.endpoint().toString(), UUID.randomUUID().toString()));
        ALL.subList(0, n).forEach(r -> cmd.add(r.id()));
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException("AWS CLI script failed:\n" + out);
        }
        return (System.nanoTime() - t0) / 1_000_000;
    }

    private static long median(List<Long> xs) {
        List<Long> s = new ArrayList<>(xs);
        Collections.sort(s);
        return s.get(s.size() / 2);
    }
}
