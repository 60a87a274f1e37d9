package dev.cmek.bench;

import dev.cmek.api.ApiKey;
import dev.cmek.api.ApiSettings;
import dev.cmek.api.CmekClusterInfo;
import dev.cmek.api.CmekStatus;
import dev.cmek.api.CmekWaiter;
import dev.cmek.api.HttpCloudApi;
import dev.cmek.api.RequestPacer;
import dev.cmek.model.CloudProvider;
import dev.cmek.model.KeySpec;
import dev.cmek.model.KeyType;
import dev.cmek.model.Manifest;
import dev.cmek.model.RegionSpec;
import dev.cmek.sandbox.CloudApiSandbox;
import dev.cmek.sandbox.RecordedExchange;
import dev.cmek.sandbox.SandboxConfig;
import dev.cmek.workflow.CmekLifecycle;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;

/**
 * Benchmark (not a test): how long after a region turns ENABLED in the sandbox the enable command notices. Each trial
 * enables CMEK on a fresh sandbox cluster through {@link CmekLifecycle#enable} with the real {@link HttpCloudApi} (one
 * process-wide {@link RequestPacer} for all trials) and {@link CmekWaiter.Schedule#standard()}, with the sandbox's
 * transition delay drawn at random per trial. The sandbox turns a region ENABLED at {@code POST time + delay} on its own
 * clock and reports that instant as the key's {@code updated_at}; the command notices when {@code enable} returns.
 * Afterwards, the sandbox's request log is checked for the most requests in any sliding 1 s window.
 *
 * <p>Args: {@code trials(30) seed(1) minDelayMs(1000) maxDelayMs(5000) concurrency(1)}. With a concurrency above 1, trials
 * run in batches of that many enables at once (one delay drawn per batch, each enable started after a random 0-500 ms),
 * all through the one pacer: a load on the rate limit that a single command never makes. Run with
 * {@code scripts/bench-workflows notice}.
 */
public final class NoticeBench {
    static final List<String> REGIONS = List.of("us-east-1", "us-west-2", "eu-west-1");

    private record Trial(long delayMs, double noticeMs, double waitMs, int polls) {}

    public static void main(String[] args) {
        int trials = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        long seed = args.length > 1 ? Long.parseLong(args[1]) : 1;
        long minDelay = args.length > 2 ? Long.parseLong(args[2]) : 1000;
        long maxDelay = args.length > 3 ? Long.parseLong(args[3]) : 5000;
        int concurrency = args.length > 4 ? Integer.parseInt(args[4]) : 1;
        Random random = new Random(seed);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < trials + 1; i++) {
            ids.add(UUID.randomUUID().toString());
        }
        try (CloudApiSandbox sandbox = CloudApiSandbox.builder()
                .config(SandboxConfig.parse(RevokeBench.config(CloudProvider.AWS, ids, REGIONS)))
                .apiKey(RevokeBench.API_KEY)
                .transitionDelay(Duration.ofSeconds(1))
                .build()
                .start()) {
            HttpCloudApi api = new HttpCloudApi(
                    ApiSettings.defaults(sandbox.baseUri()),
                    ApiKey.of(RevokeBench.API_KEY),
                    RequestPacer.cloudApiDefault(),
                    n -> System.err.println("notice: " + n));
            CmekLifecycle lifecycle =
                    new CmekLifecycle(api, new CmekWaiter(api, CmekWaiter.Schedule.standard(), s -> {}));
            trial(sandbox, lifecycle, ids.get(0), 1000); // warm-up (JIT, HTTP connection), not reported
            sandbox.requestLog().clear();
            List<Trial> results = new ArrayList<>();
            if (concurrency <= 1) {
                for (int i = 1; i <= trials; i++) {
                    long delay = minDelay + (long) (random.nextDouble() * (maxDelay - minDelay));
                    results.add(trial(sandbox, lifecycle, ids.get(i), delay));
                }
            } else {
                java.util.concurrent.ExecutorService pool =
                        java.util.concurrent.Executors.newFixedThreadPool(concurrency);
                try {
                    for (int first = 1; first <= trials; first += concurrency) {
                        long delay = minDelay + (long) (random.nextDouble() * (maxDelay - minDelay));
                        List<java.util.concurrent.Future<Trial>> batch = new ArrayList<>();
                        for (int i = first; i < first + concurrency && i <= trials; i++) {
                            String id = ids.get(i);
                            long jitter = random.nextInt(500);
                            batch.add(pool.submit(() -> {
                                Thread.sleep(jitter);
                                return trial(sandbox, lifecycle, id, delay);
                            }));
                        }
                        for (var f : batch) {
                            results.add(f.get());
                        }
                    }
                } catch (InterruptedException | java.util.concurrent.ExecutionException e) {
                    throw new IllegalStateException(e);
                } finally {
                    pool.shutdown();
                }
            }
            report(results, sandbox.requestLog().exchanges(), seed, minDelay, maxDelay, concurrency);
        }
    }

    private static Trial trial(CloudApiSandbox sandbox, CmekLifecycle lifecycle, String clusterId, long delayMs) {
        sandbox.setTransitionDelay(Duration.ofMillis(delayMs));
        List<RegionSpec> specs = REGIONS.stream()
                .map(r -> new RegionSpec(
                        r,
                        new KeySpec(
                                KeyType.AWS_KMS,
                                "arn:aws:kms:" + r + ":111122223333:key/" + UUID.randomUUID(),
                                "arn:aws:iam::111122223333:role/crdb-cmek-bench")))
                .toList();
        Instant start = Instant.now();
        CmekLifecycle.Outcome outcome =
                lifecycle.enable(clusterId, new Manifest(specs), Optional.of(Duration.ofMinutes(1)));
        Instant noticed = Instant.now();
        CmekClusterInfo info = outcome.status();
        if (info.status() != CmekStatus.ENABLED) {
            throw new IllegalStateException("not enabled: " + info.status());
        }
        // The instant the last region turned ENABLED, on the sandbox's clock (the same system clock as ours).
        Instant enabledAt = Instant.MIN;
        for (CmekClusterInfo.RegionInfo region : info.regionInfos()) {
            CmekClusterInfo.KeyInfo key = region.latestKey().orElseThrow();
            Instant created = Instant.parse(key.createdAt());
            Instant updated = Instant.parse(key.updatedAt());
            if (Duration.between(created, updated).toMillis() != delayMs) {
                throw new IllegalStateException("sandbox transition took " + Duration.between(created, updated)
                        + ", expected " + delayMs + " ms");
            }
            enabledAt = updated.isAfter(enabledAt) ? updated : enabledAt;
        }
        long polls = sandbox.requestLog()
                .exchanges(e -> e.method().equals("GET") && e.path().equals("/api/v1/clusters/" + clusterId + "/cmek"))
                .size();
        return new Trial(delayMs, micros(enabledAt, noticed) / 1000.0, micros(start, noticed) / 1000.0, (int) polls);
    }

    private static long micros(Instant a, Instant b) {
        return Duration.between(a, b).toNanos() / 1000;
    }

    private static void report(
            List<Trial> results, List<RecordedExchange> log, long seed, long minDelay, long maxDelay, int concurrency) {
        double[] notice = results.stream().mapToDouble(Trial::noticeMs).sorted().toArray();
        int n = notice.length;
        double median = n % 2 == 1 ? notice[n / 2] : (notice[n / 2 - 1] + notice[n / 2]) / 2;
        double p90 = notice[(int) Math.ceil(0.9 * n) - 1];
        System.out.printf(
                "%d trials, transition delay uniform in [%d, %d) ms per %s (seed %d), 3 regions, CmekWaiter.Schedule.standard()%s%n%n",
                n,
                minDelay,
                maxDelay,
                concurrency > 1 ? "batch" : "trial",
                seed,
                concurrency > 1 ? ", " + concurrency + " enables at once per batch, one shared pacer" : "");
        System.out.println("| trials | median | p90 (nearest rank) | max | min | mean | goal: median < 1 s |");
        System.out.println("|---|---|---|---|---|---|---|");
        System.out.printf(
                "| %d | %.0f ms | %.0f ms | %.0f ms | %.0f ms | %.0f ms | %s |%n%n",
                n,
                median,
                p90,
                notice[n - 1],
                notice[0],
                results.stream().mapToDouble(Trial::noticeMs).average().orElse(0),
                median < 1000 ? "met" : "MISSED");

        // Rate: the most requests whose arrival at the sandbox falls in any window [t, t + 1 s).
        List<Instant> at =
                log.stream().map(RecordedExchange::timestamp).sorted().toList();
        int most = 0;
        Instant mostFrom = null;
        for (int i = 0, j = 0; i < at.size(); i++) {
            while (j < at.size() && at.get(j).isBefore(at.get(i).plusSeconds(1))) {
                j++;
            }
            if (j - i > most) {
                most = j - i;
                mostFrom = at.get(i);
            }
        }
        long rejected = log.stream().filter(e -> e.status() == 429).count();
        System.out.printf(
                "Cloud API requests over all trials: %d (GET .../cmek: %d); most in any sliding 1 s window: %d (window starting %s);"
                        + " 429 answers: %d; limit 10: %s%n%n",
                log.size(),
                results.stream().mapToInt(Trial::polls).sum(),
                most,
                mostFrom,
                rejected,
                most <= 10 && rejected == 0 ? "never exceeded" : "EXCEEDED");

        System.out.println(
                "Per trial (transition delay; time from ENABLED to the command returning; the whole enable call; GET .../cmek requests ="
                        + " 1 status read before the POST + the waiter's polls):");
        System.out.println();
        System.out.println("| # | delay | noticed after | enable call | GET .../cmek |");
        System.out.println("|---|---|---|---|---|");
        for (int i = 0; i < results.size(); i++) {
            Trial t = results.get(i);
            System.out.printf(
                    "| %d | %d ms | %.1f ms | %.0f ms | %d |%n",
                    i + 1, t.delayMs(), t.noticeMs(), t.waitMs(), t.polls());
        }
    }
}
