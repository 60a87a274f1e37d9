package dev.cmek.bench;

import dev.cmek.api.ApiKey;
import dev.cmek.api.ApiSettings;
import dev.cmek.api.HttpCloudApi;
import dev.cmek.api.RequestPacer;
import dev.cmek.model.ManifestCodec;
import dev.cmek.sandbox.CloudApiSandbox;
import dev.cmek.sandbox.RecordedExchange;
import dev.cmek.testing.FleetSandboxes;
import dev.cmek.testing.Sandboxes;
import dev.cmek.workflow.Fleet;
import dev.cmek.workflow.FleetFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code cmek fleet}'s workflow on CLUSTERS clusters x 3 regions against the sandbox with the real 10 requests/s limit:
 * wall time, requests by kind from the sandbox's request log, 429s, failures, and the ratio to the time the limit
 * itself imposes. Usage: {@code FleetBench [clusters=100] [parallel=16] [transitionMs=1000]}.
 */
public final class FleetBench {
    private FleetBench() {}

    public static void main(String[] args) throws Exception {
        int clusters = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        int parallel = args.length > 1 ? Integer.parseInt(args[1]) : 16;
        Duration transition = Duration.ofMillis(args.length > 2 ? Long.parseLong(args[2]) : 1000);
        List<String> regions = List.of("us-east-1", "us-west-2", "eu-west-1");
        List<String> ids = FleetSandboxes.clusterIds(clusters);
        Path dir = Files.createTempDirectory("fleet-bench");
        FleetFile fleet = FleetFile.read(FleetSandboxes.writeFleet(dir, ids, regions));
        try (CloudApiSandbox sandbox = FleetSandboxes.start(ids, regions, transition)) {
            HttpCloudApi api = new HttpCloudApi(
                    ApiSettings.defaults(sandbox.baseUri()),
                    ApiKey.of(Sandboxes.API_KEY),
                    RequestPacer.cloudApiDefault(),
                    notice -> {});
            AtomicInteger done = new AtomicInteger();
            Fleet.Options options = Fleet.Options.standard(parallel, Duration.ofMinutes(30));
            long start = System.nanoTime();
            Fleet.Result result = new Fleet(
                            api,
                            e -> ManifestCodec.read(e.manifest().orElseThrow()),
                            options,
                            r -> done.incrementAndGet())
                    .run(fleet.clusters(), Set.of());
            double wall = (System.nanoTime() - start) / 1e9;
            List<RecordedExchange> log = sandbox.requestLog().exchanges();
            long posts = log.stream().filter(x -> x.method().equals("POST")).count();
            long cmekGets = log.stream()
                    .filter(x -> x.method().equals("GET") && x.path().endsWith("/cmek"))
                    .count();
            long clusterGets = log.stream()
                    .filter(x -> x.method().equals("GET") && x.path().matches(".*/clusters/[^/]+"))
                    .count();
            long other = log.size() - posts - cmekGets - clusterGets;
            long throttled = log.stream().filter(x -> x.status() == 429).count();
            int minimal = clusters * 4; // GET cluster, GET cmek, POST, one GET cmek that sees ENABLED
            System.out.printf(
                    "clusters=%d regions=%d parallel=%d transition=%dms poll(first=%dms max=%dms gap=%dms)%n",
                    clusters,
                    regions.size(),
                    parallel,
                    transition.toMillis(),
                    options.schedule().first().toMillis(),
                    options.schedule().max().toMillis(),
                    options.pollGap().toMillis());
            System.out.printf(
                    "wall=%.2fs outcomes=%s failed=%d%n",
                    wall, result.summary(), result.summary().failed());
            System.out.printf(
                    "requests=%d (GET cluster %d, GET cmek %d [polls after POST %d], POST %d, other %d) 429s=%d%n",
                    log.size(), clusterGets, cmekGets, cmekGets - clusters, posts, other, throttled);
            System.out.printf(
                    "ratio wall/(requests/10)=%.3f  ratio wall/(minimal %d/10)=%.3f%n",
                    wall / (log.size() / 10.0), minimal, wall / (minimal / 10.0));
        }
    }
}
