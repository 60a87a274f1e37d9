package dev.cmek.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.cloud.kms.v1.CreateCryptoKeyRequest;
import com.google.cloud.kms.v1.CryptoKey;
import com.google.cloud.kms.v1.CryptoKeyName;
import com.google.cloud.kms.v1.KeyRing;
import com.google.cloud.kms.v1.KeyRingName;
import com.google.cloud.kms.v1.LocationName;
import dev.cmek.aws.SdkClients;
import dev.cmek.aws.testing.MotoServer;
import dev.cmek.cli.Cli;
import dev.cmek.gcp.GcpClients;
import dev.cmek.gcp.GcpCmek;
import dev.cmek.gcp.emulator.GcpEmulator;
import dev.cmek.sandbox.CloudApiSandbox;
import dev.cmek.sandbox.RecordedExchange;
import dev.cmek.sandbox.SandboxConfig;
import dev.cmek.testing.FleetSandboxes;
import dev.cmek.testing.Sandboxes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.regions.Region;

/**
 * {@code cmek rotate --rewrap --if-rotated --all} and {@code cmek audit} through the CLI (in-process) over an
 * organization of CLUSTERS clusters x 3 regions, half AWS (keys in moto, behind the strict stand-in) and half GCP (keys
 * in the emulator), against the sandbox at its real 10 requests/s: wall time, requests by kind, 429s, and the ratio to
 * the time the limit itself imposes for the requests made. Three runs: the re-wrap with nothing rotated (status reads
 * only), the re-wrap after one region of every cluster was rotated out of band (a submission and a wait each), and the
 * audit. Usage: {@code RewrapAuditBench [clusters=100] [transitionMs=1000]}.
 */
public final class RewrapAuditBench {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> AWS_REGIONS = List.of("us-east-1", "us-west-2", "eu-west-1");
    private static final List<String> GCP_REGIONS = List.of("us-central1", "us-east1", "europe-west1");
    private static final String PROJECT = "bench-keys";

    private RewrapAuditBench() {}

    public static void main(String[] args) throws Exception {
        int clusters = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        Duration transition = Duration.ofMillis(args.length > 1 ? Long.parseLong(args[1]) : 1000);
        try (MotoServer moto = MotoServer.start();
                GcpEmulator gcp = GcpEmulator.start(0).propagation(Duration.ZERO);
                SdkClients raw = moto.rawClients();
                GcpClients google = GcpClients.resolve(gcp.endpoint(), gcp.endpoint())) {
            List<String> keysToRotate = new ArrayList<>();
            StringBuilder config = new StringBuilder(
                    "{\"organization\": {\"id\": \"" + Sandboxes.ORG_ID + "\", \"name\": \"acme\"}, \"clusters\": [");
            long t0 = System.nanoTime();
            for (int i = 0; i < clusters; i++) {
                String id = FleetSandboxes.clusterId(i);
                boolean aws = i % 2 == 0;
                List<String> regions = aws ? AWS_REGIONS : GCP_REGIONS;
                StringBuilder specs = new StringBuilder();
                for (String r : regions) {
                    String uri;
                    String principal;
                    if (aws) {
                        uri = raw.kms(Region.of(r))
                                .createKey(b -> b.description("bench"))
                                .keyMetadata()
                                .arn();
                        principal = "arn:aws:iam::" + MotoServer.ACCOUNT + ":role/crdb-cmek-" + id.substring(0, 8) + "-"
                                + id.substring(24);
                    } else {
                        String ring = "crdb-cmek-" + id;
                        google.kms().createKeyRing(LocationName.of(PROJECT, r), ring, KeyRing.getDefaultInstance());
                        uri = google.kms()
                                .createCryptoKey(CreateCryptoKeyRequest.newBuilder()
                                        .setParent(
                                                KeyRingName.of(PROJECT, r, ring).toString())
                                        .setCryptoKeyId("crdb-cmek")
                                        .setCryptoKey(CryptoKey.newBuilder()
                                                .setPurpose(CryptoKey.CryptoKeyPurpose.ENCRYPT_DECRYPT))
                                        .build())
                                .getName();
                        principal = "crdb-cmek-" + id.substring(24) + "@" + PROJECT + ".iam.gserviceaccount.com";
                    }
                    if (r.equals(regions.get(0))) {
                        keysToRotate.add(uri);
                    }
                    specs.append(specs.length() == 0 ? "" : ", ")
                            .append("{\"region\": \"")
                            .append(r)
                            .append("\", \"key_spec\": {\"type\": \"")
                            .append(aws ? "AWS_KMS" : "GCP_CLOUD_KMS")
                            .append("\", \"uri\": \"")
                            .append(uri)
                            .append("\", \"auth_principal\": \"")
                            .append(principal)
                            .append("\"}}");
                }
                String now = Instant.now().toString();
                config.append(i == 0 ? "" : ",\n")
                        .append("{\"id\": \"")
                        .append(id)
                        .append("\", \"name\": \"c-")
                        .append(String.format("%04d", i))
                        .append("\", \"cloud_provider\": \"")
                        .append(aws ? "AWS" : "GCP")
                        .append("\", \"account_id\": \"")
                        .append(aws ? FleetSandboxes.ACCOUNT : "crl-prod-" + id.substring(28))
                        .append(
                                "\", \"plan\": \"ADVANCED\", \"state\": \"CREATED\", \"network_visibility\": \"PRIVATE\"")
                        .append(", \"created_at\": \"")
                        .append(now)
                        .append("\", \"updated_at\": \"")
                        .append(now)
                        .append("\", \"regions\": [");
                for (int k = 0; k < regions.size(); k++) {
                    config.append(k == 0 ? "" : ", ")
                            .append("{\"name\": \"")
                            .append(regions.get(k))
                            .append("\", \"node_count\": 3}");
                }
                config.append("], \"cmek\": {\"region_specs\": [").append(specs).append("]}}");
            }
            config.append("]}");
            System.out.printf(
                    "seeded %d clusters, %d keys in %.1fs%n", clusters, clusters * 3, (System.nanoTime() - t0) / 1e9);
            Thread.sleep(1100); // every key older than the second CockroachDB "took" it

            try (CloudApiSandbox sandbox = CloudApiSandbox.builder()
                    .config(SandboxConfig.parse(config.toString()))
                    .apiKey(Sandboxes.API_KEY)
                    .transitionDelay(transition)
                    .build()
                    .start()) {
                Cli cli = new Cli().api(sandbox).aws(moto).gcp(gcp);
                System.out.printf(
                        "clusters=%d regions=3 (half AWS in moto behind StrictAws, half GCP in the emulator) transition=%dms%n",
                        clusters, transition.toMillis());

                run(
                        "rewrap --if-rotated --all, nothing rotated",
                        sandbox,
                        clusters,
                        0,
                        () -> cli.run("rotate", "--rewrap", "--if-rotated", "--all", "-o", "json"));

                for (String uri : keysToRotate) {
                    if (uri.startsWith("arn:")) {
                        var arn = dev.cmek.aws.KeyArn.of(uri);
                        raw.kms(arn.region()).rotateKeyOnDemand(b -> b.keyId(arn.keyId()));
                    } else {
                        new GcpCmek(google).rotateKeyMaterial(CryptoKeyName.parse(uri));
                    }
                }
                run(
                        "rewrap --if-rotated --all, one region of every cluster rotated",
                        sandbox,
                        clusters,
                        clusters,
                        () -> cli.run("rotate", "--rewrap", "--if-rotated", "--all", "-o", "json"));

                run("audit", sandbox, clusters, 0, () -> cli.run("audit", "-o", "json"));

                // What one cluster's cloud reads cost here: `cmek verify` (2 API reads) of an AWS and a GCP cluster.
                for (int i = 0; i < 2; i++) {
                    String id = FleetSandboxes.clusterId(i);
                    List<Long> walls = new ArrayList<>();
                    for (int k = 0; k < 5; k++) {
                        long t = System.nanoTime();
                        cli.run("verify", "--cluster", id, "-o", "json");
                        walls.add((System.nanoTime() - t) / 1_000_000);
                    }
                    walls.sort(Long::compare);
                    System.out.printf(
                            "%nverify of one %s cluster (3 regions), 5 runs: median %d ms, min %d ms%n",
                            i % 2 == 0 ? "AWS" : "GCP", walls.get(2), walls.get(0));
                }
            }
        }
    }

    private static void run(
            String what,
            CloudApiSandbox sandbox,
            int clusters,
            int submissions,
            java.util.function.Supplier<Cli.Result> command)
            throws Exception {
        sandbox.requestLog().clear();
        Instant started = Instant.now();
        long start = System.nanoTime();
        Cli.Result r = command.get();
        double wall = (System.nanoTime() - start) / 1e9;
        Instant lastRequest = sandbox.requestLog().exchanges().stream()
                .map(RecordedExchange::timestamp)
                .max(Instant::compareTo)
                .orElse(started);
        List<RecordedExchange> log = sandbox.requestLog().exchanges();
        long puts = log.stream().filter(x -> x.method().equals("PUT")).count();
        long cmekGets = log.stream()
                .filter(x -> x.method().equals("GET") && x.path().endsWith("/cmek"))
                .count();
        long pages =
                log.stream().filter(x -> x.path().equals("/api/v1/clusters")).count();
        long other = log.size() - puts - cmekGets - pages;
        long throttled = log.stream().filter(x -> x.status() == 429).count();
        JsonNode doc = JSON.readTree(r.out());
        // The least a run can do: the list's pages, the organization, one status read per cluster, and per submission
        // the PUT and one poll that sees ENABLED again.
        long minimal = pages + 1 + clusters + 2L * submissions;
        System.out.printf("%n%s: exit=%d wall=%.2fs summary=%s%n", what, r.exit(), wall, doc.get("summary"));
        System.out.printf(
                "  requests=%d (list pages %d, GET cmek %d [polls %d], PUT %d, other %d) 429s=%d%n",
                log.size(), pages, cmekGets, cmekGets - clusters, puts, other, throttled);
        System.out.printf(
                "  ratio wall/(requests/10)=%.3f  ratio wall/(minimal %d/10)=%.3f  last API request at %.2fs%n",
                wall / (log.size() / 10.0),
                minimal,
                wall / (minimal / 10.0),
                Duration.between(started, lastRequest).toMillis() / 1000.0);
    }
}
