package dev.cmek.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cmek.aws.AccountId;
import dev.cmek.aws.AwsCmek;
import dev.cmek.aws.AwsCmekRequest;
import dev.cmek.aws.ClusterId;
import dev.cmek.aws.ExternalId;
import dev.cmek.aws.ProvisionResult;
import dev.cmek.aws.testing.MotoServer;
import dev.cmek.cli.Cli;
import dev.cmek.sandbox.CloudApiSandbox;
import dev.cmek.sandbox.RecordedExchange;
import dev.cmek.sandbox.SandboxConfig;
import dev.cmek.testing.FleetSandboxes;
import dev.cmek.testing.Sandboxes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import software.amazon.awssdk.regions.Region;

/**
 * {@code cmek revoke --all-using ACCOUNT} on CLUSTERS AWS clusters x 3 regions whose keys all live in moto's account
 * (behind the strict stand-in: eventual consistency, 5 control-plane calls/s per Region), against the sandbox with the
 * real 10 requests/s limit, run through the CLI in this process. Prints the wall time, the requests by kind, 429s, and
 * the ratio to the time the limit itself imposes (requests / 10 per second); between runs, `cmek restore` of the index
 * puts every grant back. Usage: {@code AllUsingBench [clusters=20] [parallel=16] [transitionMs=500] [runs=3]}.
 */
public final class AllUsingBench {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> REGIONS = List.of("us-east-1", "us-west-2", "eu-west-1");

    private AllUsingBench() {}

    public static void main(String[] args) throws Exception {
        int clusters = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int parallel = args.length > 1 ? Integer.parseInt(args[1]) : 16;
        Duration transition = Duration.ofMillis(args.length > 2 ? Long.parseLong(args[2]) : 500);
        int runs = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        List<String> ids = FleetSandboxes.clusterIds(clusters);
        String account = MotoServer.ACCOUNT.value();
        try (MotoServer moto = MotoServer.start()) {
            Map<String, ProvisionResult> keys = provision(moto, ids);
            String config = config(ids, keys);
            for (int run = 1; run <= runs; run++) {
                Path dir = Files.createTempDirectory("all-using-bench");
                try (CloudApiSandbox sandbox = CloudApiSandbox.builder()
                        .config(SandboxConfig.parse(config))
                        .apiKey(Sandboxes.API_KEY)
                        .transitionDelay(transition)
                        .build()
                        .start()) {
                    Cli cli = new Cli().api(sandbox).aws(moto);
                    // Let the sandbox's window be empty, as for a command started afresh.
                    Thread.sleep(1100);
                    moto.strict().resetCounts();
                    long start = System.nanoTime();
                    Cli.Result r = cli.run(
                            "revoke",
                            "--all-using",
                            account,
                            "--yes",
                            "--evidence",
                            dir.resolve("incident").toString(),
                            "--parallel",
                            Integer.toString(parallel),
                            "-o",
                            "json");
                    double wall = (System.nanoTime() - start) / 1e9;
                    if (r.exit() != 0) {
                        throw new IllegalStateException("revoke --all-using exited " + r.exit() + ": " + r.err());
                    }
                    JsonNode doc = JSON.readTree(r.out());
                    long removed = 0;
                    for (JsonNode c : doc.get("clusters")) {
                        removed += c.get("removed").size();
                    }
                    List<RecordedExchange> log = sandbox.requestLog().exchanges();
                    long patches =
                            log.stream().filter(x -> x.method().equals("PATCH")).count();
                    long cmekGets = log.stream()
                            .filter(x -> x.method().equals("GET") && x.path().endsWith("/cmek"))
                            .count();
                    long lists = log.stream()
                            .filter(x -> x.method().equals("GET") && x.path().endsWith("/clusters"))
                            .count();
                    long other = log.size() - patches - cmekGets - lists;
                    long throttled = log.stream().filter(x -> x.status() == 429).count();
                    // list page(s), the organization, one status read, one REVOKE and one poll per cluster
                    long minimal = lists + 1 + 3L * clusters;
                    System.out.printf(
                            "run %d: clusters=%d regions=%d parallel=%d transition=%dms wall=%.2fs removed=%d"
                                    + " (trust + %d keys per cluster)%n",
                            run,
                            clusters,
                            REGIONS.size(),
                            parallel,
                            transition.toMillis(),
                            wall,
                            removed,
                            REGIONS.size());
                    System.out.printf(
                            "  requests=%d (list %d, GET cmek %d [polls %d], PATCH %d, other %d) 429s=%d aws calls=%d"
                                    + " (PutKeyPolicy %d, throttled %d)%n",
                            log.size(),
                            lists,
                            cmekGets,
                            cmekGets - clusters,
                            patches,
                            other,
                            throttled,
                            moto.strict().totalCalls(),
                            moto.strict().calls("PutKeyPolicy"),
                            moto.strict().throttled());
                    java.time.Instant t0 = log.get(0).timestamp();
                    java.util.function.Function<RecordedExchange, Double> at =
                            x -> Duration.between(t0, x.timestamp()).toMillis() / 1000.0;
                    List<Double> patchAt = log.stream()
                            .filter(x -> x.method().equals("PATCH"))
                            .map(at)
                            .sorted()
                            .toList();
                    int statusReads = 0;
                    double lastStatus = 0;
                    for (RecordedExchange x : log) {
                        if (x.method().equals("GET") && x.path().endsWith("/cmek") && statusReads < clusters) {
                            statusReads++;
                            lastStatus = at.apply(x);
                        }
                    }
                    System.out.printf(
                            "  timeline from the first request: statuses read by %.2fs, REVOKEs sent %.2fs..%.2fs"
                                    + " (median %.2fs), last request %.2fs; first request %.2fs after the command"
                                    + " started%n",
                            lastStatus,
                            patchAt.get(0),
                            patchAt.get(patchAt.size() - 1),
                            patchAt.get(patchAt.size() / 2),
                            at.apply(log.get(log.size() - 1)),
                            wall - (at.apply(log.get(log.size() - 1))));
                    System.out.printf(
                            "  ratio wall/(requests/10)=%.3f  ratio wall/(minimal %d/10)=%.3f%n",
                            wall / (log.size() / 10.0), minimal, wall / (minimal / 10.0));
                    long restoreStart = System.nanoTime();
                    Cli.Result restored = cli.run(
                            "restore", "--evidence", dir.resolve("incident").toString());
                    if (restored.exit() != 0) {
                        throw new IllegalStateException("restore exited " + restored.exit() + ": " + restored.out());
                    }
                    System.out.printf(
                            "  restore of the index (not part of the goal): %.2fs%n",
                            (System.nanoTime() - restoreStart) / 1e9);
                }
            }
        }
    }

    /** Every cluster's role, keys and grants in moto's account, provisioned in parallel. */
    private static Map<String, ProvisionResult> provision(MotoServer moto, List<String> ids) throws Exception {
        Map<String, ProvisionResult> out = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try (var clients = moto.clients();
                AwsCmek aws = new AwsCmek(clients)) {
            List<Future<?>> all = new ArrayList<>();
            for (String id : ids) {
                all.add(pool.submit(() -> out.put(
                        id,
                        aws.provision(AwsCmekRequest.of(
                                ClusterId.of(id),
                                AccountId.of(FleetSandboxes.ACCOUNT),
                                ExternalId.of(Sandboxes.ORG_ID),
                                REGIONS.stream().map(Region::of).toList())))));
            }
            for (Future<?> f : all) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        return out;
    }

    /** Sandbox clusters with CMEK ENABLED on the keys just made. */
    private static String config(List<String> ids, Map<String, ProvisionResult> keys) {
        String clusters = ids.stream()
                .map(id -> {
                    ProvisionResult p = keys.get(id);
                    String specs = REGIONS.stream()
                            .map(r -> """
                                    {"region": "%s", "key_spec": {"type": "AWS_KMS", "uri": "%s", "auth_principal": "%s"}}""".formatted(r, p.keys().get(r), p.role()))
                            .collect(Collectors.joining(", "));
                    String regions = REGIONS.stream()
                            .map(r -> "{\"name\": \"" + r + "\", \"node_count\": 3}")
                            .collect(Collectors.joining(", "));
                    return """
                            {"id": "%s", "name": "c-%s", "cloud_provider": "AWS", "account_id": "%s", "plan": "ADVANCED",
                             "state": "CREATED", "network_visibility": "PRIVATE", "regions": [%s],
                             "cmek": {"region_specs": [%s]}}""".formatted(id, id.substring(24), FleetSandboxes.ACCOUNT, regions, specs);
                })
                .collect(Collectors.joining(",\n"));
        return "{\"organization\": {\"id\": \"" + Sandboxes.ORG_ID + "\", \"name\": \"acme\"}, \"clusters\": ["
                + clusters + "]}";
    }
}
