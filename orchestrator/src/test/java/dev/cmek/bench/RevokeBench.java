package dev.cmek.bench;

import com.google.cloud.kms.v1.ProtectionLevel;
import dev.cmek.api.ApiKey;
import dev.cmek.api.ApiSettings;
import dev.cmek.api.CmekStatus;
import dev.cmek.api.CmekWaiter;
import dev.cmek.api.HttpCloudApi;
import dev.cmek.api.RequestPacer;
import dev.cmek.aws.AwsCmek;
import dev.cmek.aws.SdkClients;
import dev.cmek.aws.bench.DelayingProxy;
import dev.cmek.aws.testing.MotoServer;
import dev.cmek.gcp.GcpClients;
import dev.cmek.gcp.GcpCmek;
import dev.cmek.gcp.emulator.GcpEmulator;
import dev.cmek.model.CloudProvider;
import dev.cmek.model.Manifest;
import dev.cmek.sandbox.CloudApiSandbox;
import dev.cmek.sandbox.SandboxConfig;
import dev.cmek.workflow.AwsKeys;
import dev.cmek.workflow.BreachResponse;
import dev.cmek.workflow.ClusterTarget;
import dev.cmek.workflow.CmekLifecycle;
import dev.cmek.workflow.GcpKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.IntFunction;
import java.util.stream.Collectors;

/**
 * Benchmark (not a test) of {@link BreachResponse#revoke} on a cluster provisioned on 6 regions: the cloud step (every
 * region's grant removed through the {@code CloudKeys} port) against moto behind a delaying proxy (AWS) or the GCP
 * emulator with its latency knob, and the API step against a {@link CloudApiSandbox} with zero transition delay and no
 * added latency. Run with {@code scripts/bench-workflows revoke}.
 *
 * <p>Args: {@code aws|gcp runs immediate(true|false) latencies-ms(comma list)}, e.g. {@code aws 7 false 0,50,200}.
 */
public final class RevokeBench {
    static final String API_KEY = "CCDB1_benchsecret_0123456789ab";
    static final String ORG_ID = "4f1c2d3e-5a6b-4c7d-8e9f-0a1b2c3d4e5f";
    static final List<String> AWS_REGIONS =
            List.of("us-east-1", "eu-west-1", "ap-southeast-2", "us-west-2", "eu-central-1", "ap-northeast-1");
    static final List<String> GCP_REGIONS =
            List.of("us-east1", "us-west1", "europe-west1", "asia-east1", "us-central1", "europe-west4");
    static final int WARMUP = 3;

    /**
     * Longest chain of dependent cloud calls of the revoke step, read from {@code AwsCmek.revoke} and
     * {@code GcpCmek.revoke}.
     */
    static int chain(CloudProvider cloud, boolean immediate) {
        if (cloud == CloudProvider.AWS) {
            // per Region: GetResources (Tagging API) -> GetKeyPolicy -> PutKeyPolicy -> GetKeyPolicy read-back;
            // beside it the trust: GetRole -> UpdateAssumeRolePolicy -> GetRole read-back (-> PutRolePolicy when
            // immediate, once the trust reads back).
            return immediate ? 5 : 4;
        }
        // per key and for the service account: GetIamPolicy -> SetIamPolicy -> GetIamPolicy (read-back), all in
        // parallel;
        // when immediate, then GetServiceAccount -> DisableServiceAccount -> GetServiceAccount.
        return immediate ? 6 : 3;
    }

    private record Run(
            long totalNanos,
            long cloudNanos,
            int apiRequests,
            Map<String, Integer> calls,
            int removed,
            String serviceTime) {}

    public static void main(String[] args) throws Exception {
        CloudProvider cloud = CloudProvider.valueOf(args.length > 0 ? args[0].toUpperCase() : "AWS");
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 7;
        boolean immediate = args.length > 2 && Boolean.parseBoolean(args[2]);
        long[] latencies = Arrays.stream((args.length > 3 ? args[3] : "0,50,200").split(","))
                .mapToLong(Long::parseLong)
                .toArray();
        List<String> regions = cloud == CloudProvider.AWS ? AWS_REGIONS : GCP_REGIONS;
        int clusters = WARMUP + runs * latencies.length;
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < clusters; i++) {
            ids.add(UUID.randomUUID().toString());
        }
        Path evidence = Files.createTempDirectory("bench-revoke-evidence");
        try (CloudApiSandbox sandbox = CloudApiSandbox.builder()
                .config(SandboxConfig.parse(config(cloud, ids, regions)))
                .apiKey(API_KEY)
                .transitionDelay(Duration.ZERO)
                .build()
                .start()) {
            HttpCloudApi api = new HttpCloudApi(
                    ApiSettings.defaults(sandbox.baseUri()),
                    ApiKey.of(API_KEY),
                    RequestPacer.cloudApiDefault(),
                    n -> {});
            CmekWaiter waiter = new CmekWaiter(api, CmekWaiter.Schedule.standard(), s -> {});
            CmekLifecycle lifecycle = new CmekLifecycle(api, waiter);
            if (cloud == CloudProvider.AWS) {
                try (MotoServer moto = MotoServer.start();
                        DelayingProxy proxy = new DelayingProxy(moto.endpoint(), Duration.ZERO);
                        SdkClients clients = SdkClients.forEmulator(proxy.endpoint());
                        AwsCmek adapter = new AwsCmek(clients)) {
                    TimedKeys keys = new TimedKeys(new AwsKeys(() -> adapter, AwsKeys.Options.defaults()));
                    BreachResponse breach = new BreachResponse(api, waiter, c -> keys, Clock.systemUTC(), s -> {});
                    Bench bench = new Bench(
                            sandbox,
                            api,
                            lifecycle,
                            breach,
                            keys,
                            evidence,
                            immediate,
                            moto::reset,
                            proxy::latency,
                            proxy::resetCounts,
                            proxy::counts,
                            () -> {
                                Map<String, Long> ms = proxy.serviceMillis();
                                return "moto's own answer time, summed over the run's calls: "
                                        + ms.values().stream()
                                                .mapToLong(Long::longValue)
                                                .sum() + " ms " + ms;
                            });
                    bench.run(cloud, ids, runs, latencies, regions.size());
                }
            } else {
                try (GcpEmulator emulator = GcpEmulator.inProcess();
                        GcpClients clients = GcpClients.overChannel(emulator.channel())) {
                    GcpCmek adapter = new GcpCmek(clients);
                    TimedKeys keys = new TimedKeys(new GcpKeys(
                            () -> adapter,
                            new GcpKeys.Options(
                                    "bench-customer-proj", Optional.empty(), ProtectionLevel.SOFTWARE, Map.of())));
                    BreachResponse breach = new BreachResponse(api, waiter, c -> keys, Clock.systemUTC(), s -> {});
                    Bench bench = new Bench(
                            sandbox,
                            api,
                            lifecycle,
                            breach,
                            keys,
                            evidence,
                            immediate,
                            emulator::reset,
                            emulator::latency,
                            emulator::resetCallCounts,
                            emulator::callCounts,
                            () -> "");
                    bench.run(cloud, ids, runs, latencies, regions.size());
                }
            }
        }
    }

    private record Bench(
            CloudApiSandbox sandbox,
            HttpCloudApi api,
            CmekLifecycle lifecycle,
            BreachResponse breach,
            TimedKeys keys,
            Path evidence,
            boolean immediate,
            Runnable resetCloud,
            java.util.function.Consumer<Duration> setLatency,
            Runnable resetCounts,
            java.util.function.Supplier<Map<String, Integer>> counts,
            java.util.function.Supplier<String> serviceTime) {

        void run(CloudProvider cloud, List<String> ids, int runs, long[] latencies, int regions) {
            int next = 0;
            for (int i = 0; i < WARMUP; i++) {
                once(ids.get(next++), Duration.ofMillis(50));
            }
            int chain = chain(cloud, immediate);
            System.out.printf(
                    "cloud %s, %d regions, immediate=%s, %d runs per row (median shown) after %d warm-up runs, longest chain %d calls%n%n",
                    cloud, regions, immediate, runs, WARMUP, chain);
            System.out.println(
                    "| added latency per cloud call | cloud step median | min | max | chain x latency | cloud step / (chain x latency) | goal <= 1.3"
                            + " | whole revoke median | min | API step median (whole - cloud) | Cloud API requests | cloud calls per run |");
            System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|");
            List<String> detail = new ArrayList<>();
            for (long ms : latencies) {
                List<Run> results = new ArrayList<>();
                for (int r = 0; r < runs; r++) {
                    results.add(once(ids.get(next++), Duration.ofMillis(ms)));
                }
                long[] cloudMs = results.stream()
                        .mapToLong(x -> x.cloudNanos() / 1_000_000)
                        .sorted()
                        .toArray();
                long[] totalMs = results.stream()
                        .mapToLong(x -> x.totalNanos() / 1_000_000)
                        .sorted()
                        .toArray();
                long[] apiMs = results.stream()
                        .mapToLong(x -> (x.totalNanos() - x.cloudNanos()) / 1_000_000)
                        .sorted()
                        .toArray();
                long ideal = chain * ms;
                double ratio = ideal == 0 ? Double.NaN : (double) median(cloudMs) / ideal;
                Map<String, Integer> calls = results.get(results.size() - 1).calls();
                int total = calls.values().stream().mapToInt(Integer::intValue).sum();
                System.out.printf(
                        "| %d ms | %d ms | %d ms | %d ms | %d ms | %s | %s | %d ms | %d ms | %d ms | %d | %d |%n",
                        ms,
                        median(cloudMs),
                        cloudMs[0],
                        cloudMs[cloudMs.length - 1],
                        ideal,
                        ideal == 0 ? "n/a" : String.format("%.2f", ratio),
                        ideal == 0 ? "n/a" : ratio <= 1.3 ? "met" : "MISSED",
                        median(totalMs),
                        totalMs[0],
                        median(apiMs),
                        results.get(0).apiRequests(),
                        total);
                String service = results.get(results.size() - 1).serviceTime();
                detail.add(ms + " ms: " + calls + (service.isEmpty() ? "" : "; " + service));
            }
            System.out.println();
            System.out.println("Cloud calls of the last run of each row:");
            detail.forEach(d -> System.out.println("- " + d));
            Map<String, Integer> last = counts.get();
            System.out.println();
            System.out.println("Per region (last run): " + perRegion(cloud, last, regions));
        }

        Run once(String clusterId, Duration latency) {
            resetCloud.run();
            setLatency.accept(Duration.ZERO);
            ClusterTarget target =
                    ClusterTarget.of(api.cluster(clusterId), api.organization().id());
            Manifest manifest = keys.provision(target).manifest().orElseThrow();
            lifecycle.enable(clusterId, manifest, Optional.of(Duration.ofSeconds(30)));
            // The setup's API requests hold the process-wide pacer's permits for a second after their answers (and
            // count in
            // the sandbox's rate limit): let that second pass, as a revoke started in a new process would find it.
            sleep(Duration.ofMillis(1100));
            int apiBefore = sandbox.requestLog().size();
            resetCounts.run();
            setLatency.accept(latency);
            long t0 = System.nanoTime();
            BreachResponse.RevokeOutcome outcome = breach.revoke(new BreachResponse.RevokeRequest(
                    clusterId,
                    evidence.resolve(clusterId),
                    BreachResponse.Steps.BOTH,
                    immediate,
                    Optional.of(Duration.ofSeconds(30)),
                    Optional.empty()));
            long total = System.nanoTime() - t0;
            setLatency.accept(Duration.ZERO);
            if (outcome.status().status() != CmekStatus.REVOKED) {
                throw new IllegalStateException(
                        "not revoked: " + outcome.status().status());
            }
            return new Run(
                    total,
                    keys.lastRevokeNanos,
                    sandbox.requestLog().size() - apiBefore,
                    counts.get(),
                    outcome.summary().removedWords().size(),
                    serviceTime.get());
        }
    }

    /** AWS: KMS calls by region, then IAM and STS; GCP: key-policy calls per key, then service-account calls. */
    static String perRegion(CloudProvider cloud, Map<String, Integer> calls, int regions) {
        if (cloud == CloudProvider.AWS) {
            Map<String, Integer> byRegion = new TreeMap<>();
            Map<String, Integer> other = new TreeMap<>();
            calls.forEach((k, v) -> {
                if (k.startsWith("kms/")) {
                    byRegion.merge(k.substring(0, k.indexOf(' ')), v, Integer::sum);
                } else {
                    other.put(k, v);
                }
            });
            return "KMS calls per region " + byRegion + "; IAM/STS " + other;
        }
        int keyCalls = calls.entrySet().stream()
                .filter(e -> e.getKey().startsWith("google.iam.v1.IAMPolicy/"))
                .mapToInt(Map.Entry::getValue)
                .sum();
        String other = calls.entrySet().stream()
                .filter(e -> !e.getKey().startsWith("google.iam.v1.IAMPolicy/"))
                .map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(", "));
        return "key-policy calls (google.iam.v1.IAMPolicy/*) " + keyCalls + " for " + regions + " keys = "
                + (double) keyCalls / regions + " per region; other calls: " + other;
    }

    static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static long median(long[] sorted) {
        return sorted[sorted.length / 2];
    }

    static String config(CloudProvider cloud, List<String> ids, List<String> regions) {
        String regionJson = regions.stream()
                .map(r -> "{\"name\": \"" + r + "\", \"node_count\": 3}")
                .collect(Collectors.joining(", "));
        IntFunction<String> cluster =
                i -> ("{\"id\": \"%s\", \"name\": \"bench-%d\", \"cloud_provider\": \"%s\", \"account_id\": \"%s\","
                                + " \"plan\": \"ADVANCED\", \"state\": \"CREATED\", \"network_visibility\": \"PRIVATE\", \"regions\": [%s]}")
                        .formatted(
                                ids.get(i),
                                i,
                                cloud,
                                cloud == CloudProvider.AWS ? "210987654321" : "crl-prod-bench",
                                regionJson);
        String clusters = java.util.stream.IntStream.range(0, ids.size())
                .mapToObj(cluster)
                .collect(Collectors.joining(",\n"));
        return "{\"organization\": {\"id\": \"" + ORG_ID + "\", \"name\": \"bench\"}, \"clusters\": [" + clusters
                + "]}";
    }
}
