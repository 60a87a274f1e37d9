package dev.cmek.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.cmek.azure.AzureClients;
import dev.cmek.azure.AzureCmek;
import dev.cmek.azure.AzureCmekRequest;
import dev.cmek.azure.emulator.AzureEmulator;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The run a launcher trains its class-data archive on ({@code java -XX:ArchiveClassesAtExit=... -cp cmek.jar
 * dev.cmek.cli.ArchiveTraining}): the commands a responder runs cold, through {@link Main#run}, so that the archive
 * holds the classes they load (picocli's model, Jackson, the AWS SDK's clients, marshallers, signer and HTTP client;
 * Azure's credential chain, MSAL, azure-core and the JDK's HTTP client and TLS), and later start-ups map them instead
 * of loading, verifying and linking them from the jar (about half the CPU time of a cold {@code revoke --cloud-only},
 * commit 8dd2e24).
 *
 * <p>Nothing leaves the machine and nothing is written outside a temporary directory: the AWS calls of a revoke go to
 * a stand-in on the loopback interface that answers as AWS does for one role and one key per Region, and the Azure
 * calls to the project's Azure emulator, started in this JVM. They exist only to make the archive; their answers are
 * never shown.
 */
public final class ArchiveTraining {
    static final String ACCOUNT = "111122223333";
    static final String CLUSTER = "0b3c1f7e-5a6b-4c7d-8e9f-0a1b2c3d4e5f";
    static final List<String> REGIONS = List.of("us-east-1", "eu-west-1");
    /**
     * What a cold {@code revoke --cloud-only --cloud azure} loads beyond the JDK's own archive (Azure's libraries, the
     * JDK's HTTP client and TLS), listed by {@code scripts/bench-azure-cli class-list} from such a revoke against the
     * project's emulator. Loaded by name after the training's own Azure revoke, they add the classes of what that revoke
     * did not do (removing role assignments, a 403, a lost reply).
     */
    static final String AZURE_REVOKE_CLASSES = "azure-revoke.classes";

    private static final ObjectMapper JSON = new ObjectMapper();

    private ArchiveTraining() {}

    public static void main(String[] args) throws IOException {
        Path dir = Files.createTempDirectory("cmek-archive-training");
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        AwsStandIn aws = new AwsStandIn();
        server.createContext("/", aws::answer);
        server.start();
        try {
            Path manifest = dir.resolve("manifest.json");
            Files.writeString(manifest, aws.manifest(), StandardCharsets.UTF_8);
            Map<String, String> env = Map.of(
                    "AWS_ENDPOINT_URL",
                            "http://127.0.0.1:" + server.getAddress().getPort(),
                    "AWS_ACCESS_KEY_ID", "ASIATRAININGONLY0001",
                    "AWS_SECRET_ACCESS_KEY", "training-only",
                    "AWS_SESSION_TOKEN", "training-only");
            run(env, "--help");
            run(env, "manifest", "validate", manifest.toString(), "--output", "json");
            run(
                    env,
                    "revoke",
                    "--cluster",
                    CLUSTER,
                    "--yes",
                    "--cloud-only",
                    "--manifest",
                    manifest.toString(),
                    "--evidence",
                    dir.resolve("evidence").toString(),
                    "--output",
                    "json");
            // An emulator that cannot start (no loopback port) costs the archive Azure's linkage, not the archive.
            try (AzureEmulator azure = AzureEmulator.start(0, 1024)) {
                azureRevoke(azure, dir);
            } catch (RuntimeException e) {
                System.err.println("cannot train on an Azure revoke: " + e);
            }
            // The stand-in speaks plain HTTP, so the revoke never loaded the trust store (the AWS clients load it on
            // their first TLS handshake): load it here, so that its classes are in the archive for real endpoints.
            trustStore();
            preload(AZURE_REVOKE_CLASSES);
        } finally {
            server.stop(0);
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /**
     * An Azure revoke without the Cloud API against the project's emulator, started in this JVM on the loopback interface
     * with 1024-bit keys of its own (2048-bit ones took 1-6 s to make in a cold JVM): the archive then also holds what
     * an Azure revoke links as it runs (the lambdas and method handles of MSAL, azure-core and the JDK's HTTP client and
     * TLS), which loading by name leaves out. The cluster is provisioned first, up to its keys, which the emulator is
     * told to refuse (an RSA 3072 pair takes seconds to make in a cold JVM): the revoke then finds the vaults and the
     * cluster app, and disables its sign-in. Returns the revoke's exit code.
     */
    static int azureRevoke(AzureEmulator azure, Path dir) {
        String app = UUID.randomUUID().toString();
        azure.registerMultiTenantApp(app, "CockroachDB Cloud - " + CLUSTER);
        azure.deny("keyvault.keys.create");
        List<String> regions = List.of("eastus", "westeurope");
        try {
            new AzureCmek(AzureClients.fromEnvironment(azure.env()))
                    .provision(AzureCmekRequest.builder()
                            .clusterId(CLUSTER)
                            .clusterAppId(app)
                            .tenantId(azure.tenantId())
                            .subscriptionId(azure.subscriptionId())
                            .regions(regions)
                            .build());
        } catch (dev.cmek.azure.AzureCmekException e) {
            // the keys refused, as intended
        }
        return run(
                azure.env(),
                "revoke",
                "--cluster",
                CLUSTER,
                "--yes",
                "--cloud-only",
                "--regions",
                String.join(",", regions),
                "--cloud",
                "azure",
                "--evidence",
                dir.resolve("azure-evidence").toString());
    }

    /**
     * Loads, without initialising, every class a resource beside this class names (one per line): the archive then
     * holds them, parsed and verified, as if they had been used. Missing ones (another JDK, a changed library) are
     * skipped. Returns how many loaded.
     */
    static int preload(String resource) throws IOException {
        ClassLoader loader = ArchiveTraining.class.getClassLoader();
        int loaded = 0;
        try (InputStream in = ArchiveTraining.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("no " + resource + " beside " + ArchiveTraining.class.getName());
            }
            for (String name : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (name.isBlank()) {
                    continue;
                }
                try {
                    Class.forName(name.strip(), false, loader);
                    loaded++;
                } catch (ClassNotFoundException | LinkageError e) {
                    // not in this JDK or this jar: nothing to archive
                }
            }
        }
        return loaded;
    }

    private static void trustStore() {
        try {
            dev.cmek.aws.SdkClients.loadTrustStore();
        } catch (java.security.GeneralSecurityException e) {
            System.err.println("cannot load the default trust store: " + e);
        }
    }

    /**
     * One command through the CLI's own entry, its output discarded; a failure is told on stderr (the launchers discard
     * it: a training run that fails still archives what it loaded).
     */
    private static int run(Map<String, String> env, String... args) {
        StringWriter text = new StringWriter();
        PrintWriter sink = new PrintWriter(text);
        int code = Main.run(new Terminal(new BufferedReader(new StringReader("")), sink, sink, env, false), args);
        if (code != 0) {
            System.err.println("cmek " + args[0] + " exited " + code + ": " + text);
        }
        return code;
    }

    /**
     * Answers the calls of a revoke as AWS does (STS, IAM, the Tagging API, KMS), for one role and one key per Region
     * tagged for {@link #CLUSTER}; policies written are read back as written.
     */
    static final class AwsStandIn {
        private final String role = "crdb-cmek-" + CLUSTER.substring(0, 8) + "-" + CLUSTER.substring(24);
        private final String roleArn = "arn:aws:iam::" + ACCOUNT + ":role/" + role;
        private final Map<String, String> keys = REGIONS.stream()
                .collect(Collectors.toMap(
                        r -> r, r -> "arn:aws:kms:" + r + ":" + ACCOUNT + ":key/" + UUID.randomUUID()));
        private final Map<String, String> policies = new ConcurrentHashMap<>();
        private volatile String trust = ("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                        + "\"Principal\":{\"AWS\":\"arn:aws:iam::999988887777:root\"},\"Action\":\"sts:AssumeRole\","
                        + "\"Condition\":{\"StringEquals\":{\"sts:ExternalId\":\"%s\"}}}]}")
                .formatted(UUID.randomUUID());

        String manifest() {
            return keys.entrySet().stream()
                    .map(e -> ("{\"region\":\"%s\",\"key_spec\":{\"type\":\"AWS_KMS\",\"uri\":\"%s\","
                                    + "\"auth_principal\":\"%s\"}}")
                            .formatted(e.getKey(), e.getValue(), roleArn))
                    .collect(Collectors.joining(",", "{\"region_specs\":[", "]}"));
        }

        void answer(HttpExchange x) throws IOException {
            try (x) {
                String body = new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                String target = x.getRequestHeaders().getFirst("X-Amz-Target");
                String auth = String.valueOf(x.getRequestHeaders().getFirst("Authorization"));
                if (target != null) {
                    String region = auth.replaceFirst(".*Credential=[^/]+/[^/]+/([^/]+)/.*", "$1");
                    send(x, 200, "application/x-amz-json-1.1", json(target, region, body));
                } else {
                    Map<String, String> form = form(body);
                    send(x, 200, "text/xml", query(form.getOrDefault("Action", ""), form));
                }
            } catch (RuntimeException e) {
                send(
                        x,
                        400,
                        "application/x-amz-json-1.1",
                        "{\"__type\":\"ValidationException\",\"message\":\"training\"}");
            }
        }

        private String json(String target, String region, String body) throws IOException {
            String operation = target.substring(target.indexOf('.') + 1);
            String key = keys.get(region);
            return switch (operation) {
                case "GetResources" ->
                    JSON.createObjectNode()
                            .put("PaginationToken", "")
                            .set(
                                    "ResourceTagMappingList",
                                    JSON.createArrayNode()
                                            .add(JSON.createObjectNode()
                                                    .put("ResourceARN", key)
                                                    .set(
                                                            "Tags",
                                                            JSON.createArrayNode()
                                                                    .add(JSON.createObjectNode()
                                                                            .put("Key", "crdb-cmek-cluster")
                                                                            .put("Value", CLUSTER)))))
                            .toString();
                case "GetKeyPolicy" ->
                    JSON.createObjectNode()
                            .put("PolicyName", "default")
                            .put("Policy", policies.computeIfAbsent(key, this::keyPolicy))
                            .toString();
                case "PutKeyPolicy" -> {
                    JsonNode put = JSON.readTree(body);
                    policies.put(key, put.path("Policy").asText());
                    yield "{}";
                }
                default -> throw new IllegalArgumentException(operation);
            };
        }

        private String query(String action, Map<String, String> form) {
            String result = switch (action) {
                case "GetCallerIdentity" ->
                    "<Arn>arn:aws:iam::" + ACCOUNT + ":user/responder</Arn><UserId>AIDATRAINING</UserId>" + "<Account>"
                            + ACCOUNT + "</Account>";
                case "GetRole" ->
                    "<Role><Path>/</Path><RoleName>" + role + "</RoleName><RoleId>AROATRAINING</RoleId><Arn>"
                            + roleArn + "</Arn><CreateDate>2024-01-01T00:00:00Z</CreateDate>"
                            + "<AssumeRolePolicyDocument>" + URLEncoder.encode(trust, StandardCharsets.UTF_8)
                            + "</AssumeRolePolicyDocument><Tags><member><Key>crdb-cmek-cluster</Key><Value>"
                            + CLUSTER + "</Value></member></Tags></Role>";
                case "UpdateAssumeRolePolicy" -> {
                    trust = form.get("PolicyDocument");
                    yield "";
                }
                default -> throw new IllegalArgumentException(action);
            };
            String ns = action.equals("GetCallerIdentity")
                    ? "https://sts.amazonaws.com/doc/2011-06-15/"
                    : "https://iam.amazonaws.com/doc/2010-05-08/";
            return "<" + action + "Response xmlns=\"" + ns + "\"><" + action + "Result>" + result + "</" + action
                    + "Result><ResponseMetadata><RequestId>" + UUID.randomUUID()
                    + "</RequestId></ResponseMetadata></" + action + "Response>";
        }

        private String keyPolicy(String key) {
            return ("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"Enable IAM User Permissions\","
                            + "\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::%s:root\"},\"Action\":\"kms:*\","
                            + "\"Resource\":\"*\"},{\"Sid\":\"%s\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"%s\"},"
                            + "\"Action\":[\"kms:Encrypt\",\"kms:Decrypt\",\"kms:ReEncrypt*\",\"kms:GenerateDataKey*\","
                            + "\"kms:DescribeKey\"],\"Resource\":\"*\"}]}")
                    .formatted(ACCOUNT, "CrdbCmekGrant" + CLUSTER.replace("-", ""), roleArn);
        }

        private static Map<String, String> form(String body) {
            return Stream.of(body.split("&"))
                    .filter(p -> p.contains("="))
                    .collect(Collectors.toMap(
                            p -> URLDecoder.decode(p.substring(0, p.indexOf('=')), StandardCharsets.UTF_8),
                            p -> URLDecoder.decode(p.substring(p.indexOf('=') + 1), StandardCharsets.UTF_8),
                            (a, b) -> b));
        }

        private static void send(HttpExchange x, int status, String type, String body) {
            try {
                byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
                x.getResponseHeaders().set("Content-Type", type);
                x.getResponseHeaders().set("x-amzn-RequestId", UUID.randomUUID().toString());
                x.sendResponseHeaders(status, bytes.length);
                try (OutputStream out = x.getResponseBody()) {
                    out.write(bytes);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
