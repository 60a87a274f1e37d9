package dev.cmek.cli;

import static dev.cmek.testing.Sandboxes.AWS_CLUSTER;
import static dev.cmek.testing.Sandboxes.GCP_CLUSTER;
import static dev.cmek.testing.Sandboxes.STANDARD_CLUSTER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.cmek.ExitCode;
import dev.cmek.model.Samples;
import dev.cmek.sandbox.CloudApiSandbox;
import dev.cmek.testing.Sandboxes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The CLI contract, for every command and every kind of failure the Cloud API sandbox can produce: with
 * {@code --output json} stdout is exactly one JSON document with {@code error.exit_code}, {@code error.kind} and
 * {@code error.message}; the process exits with that code; stderr says the same in one {@code cmek:} line; no Java
 * class name appears anywhere; every JSON field is snake_case; and bad input sends nothing to the API (or only the
 * reads that found the input bad). Failures that need a cloud are in {@link ChecksBeforeChangesTest}; the
 * interrupt's 130 is in {@link InterruptionTest} and the distribution's InterruptIT.
 */
class CliContractTest {
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();
    /** What a Java class name or a stack trace looks like in a message. */
    static final Pattern CLASS_NAMES = Pattern.compile(
            "java\\.|javax\\.|Exception|io\\.grpc|software\\.amazon|com\\.fasterxml|com\\.google|dev\\.cmek\\.|\\n\\s+at [a-z]+\\.");

    @TempDir
    static Path dir;

    private static Path manifest;
    private static Path bomManifest;
    private static Path crossRegionManifest;
    private static Path fleetWithStandard;
    private static Path evidenceFileNotDir;

    private CloudApiSandbox sandbox;

    /** How much may reach the API when the input is bad. */
    enum Sent {
        /** Nothing at all: the input was refused before any request. */
        NOTHING,
        /** Only reads (the cluster, the organization, its CMEK status): what it took to find the input bad. */
        ONLY_READS,
        /** Anything: the failure came from the API or from waiting on it. */
        ANY
    }

    record Case(String name, ExitCode expected, Sent sent, List<String> args) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static Case of(String name, ExitCode expected, Sent sent, String... args) {
        return new Case(name, expected, sent, List.of(args));
    }

    @BeforeAll
    static void files() throws Exception {
        manifest = Files.writeString(dir.resolve("cmek_config.json"), Samples.AWS_MANIFEST);
        bomManifest =
                Files.writeString(dir.resolve("bom.json"), "\uFEFF" + Samples.AWS_MANIFEST, StandardCharsets.UTF_8);
        crossRegionManifest = Files.writeString(
                dir.resolve("cross-region.json"),
                Samples.oneRegion("us-west-2", "AWS_KMS", Samples.AWS_KEY_EAST, Samples.AWS_ROLE));
        fleetWithStandard = Files.writeString(
                dir.resolve("fleet.json"),
                "{\"clusters\": [{\"id\": \"" + STANDARD_CLUSTER + "\", \"provision\": true}]}");
        evidenceFileNotDir = Files.writeString(dir.resolve("not-a-dir"), "x");
        Files.createDirectories(dir.resolve("a-directory"));
    }

    static Stream<Case> failures() {
        String m = dir.resolve("cmek_config.json").toString();
        String missingParent = dir.resolve("no/such/dir/out.json").toString();
        String aDirectory = dir.resolve("a-directory").toString();
        return Stream.of(
                // usage errors: picocli stops before --output is parsed, yet the answer is JSON
                of("status without --cluster", ExitCode.BAD_INPUT, Sent.NOTHING, "status", "-o", "json"),
                of(
                        "mistyped option",
                        ExitCode.BAD_INPUT,
                        Sent.NOTHING,
                        "status",
                        "--clustr",
                        AWS_CLUSTER,
                        "--output=json"),
                of(
                        "mistyped command",
                        ExitCode.BAD_INPUT,
                        Sent.NOTHING,
                        "stauts",
                        "--cluster",
                        AWS_CLUSTER,
                        "-o",
                        "json"),
                of("no command", ExitCode.BAD_INPUT, Sent.NOTHING, "-o", "json"),
                of(
                        "--manifest with --provision",
                        ExitCode.BAD_INPUT,
                        Sent.NOTHING,
                        "enable",
                        "--cluster",
                        AWS_CLUSTER,
                        "--manifest",
                        m,
                        "--provision",
                        "-o",
                        "json"),
                of(
                        "--timeout 5x",
                        ExitCode.BAD_INPUT,
                        Sent.NOTHING,
                        "enable",
                        "--cluster",
                        AWS_CLUSTER,
                        "--manifest",
                        m,
                        "--timeout",
                        "5x",
                        "-ojson"),
                of("fleet without a file", ExitCode.BAD_INPUT, Sent.NOTHING, "fleet", "--output", "json"),
                of(
                        "rotate without how",
                        ExitCode.BAD_INPUT,
                        Sent.NOTHING,
                        "rotate",
                        "--cluster",
                        AWS_CLUSTER,
                        "-o",
                        "json"),
                of(
                        "add-region with a word for --nodes",
                        ExitCode.BAD_INPUT,
                        Sent.NOTHING,
                        "add-region",
                        "--cluster",
                        AWS_CLUSTER,
                        "--region",
                        "eu-west-1",
                        "--nodes",
                        "three",
                        "--provision",
                        "-o",
                        "json"),
                of("restore without --evidence", ExitCode.BAD_INPUT, Sent.NOTHING, "restore", "-o", "json"),
                of("manifest without a subcommand", ExitCode.BAD_INPUT, Sent.NOTHING, "manifest", "-o", "json"),
                of("sandbox without --clusters", ExitCode.BAD_INPUT, Sent.NOTHING, "sandbox", "-o", "json"),
                of(
                        "--api-key as a flag",
                        ExitCode.BAD_INPUT,
                        Sent.NOTHING,
                        "status",
                        "--cluster",
                        AWS_CLUSTER,
                        "--api-key",
                        "CCDB1_x",
                        "-o",
                        "json"),
                of(
                        "verify of a cluster id that is no id",
                        ExitCode.BAD_INPUT,
                        Sent.NOTHING,
                        "verify",
                        "--cluster",
                        "../x",
                        "-o",
                        "json"),
                of(
                        "plan of a cluster id that is no id",
                        ExitCode.BAD_INPUT,
                        Sent.NOTHING,
                        "plan",
                        "--cluster",
                        "a b",
                        "-o",
                        "json"),
                // bad files and paths, refused before anything is sent
                of(
                        "manifest validate of a missing file",
                        ExitCode.BAD_INPUT,
                        Sent.NOTHING,
                        "manifest",
                        "validate",
                        dir.resolve("missing.json").toString(),
                        "-o",
                        "json"),
                of(
                        "manifest validate: a us-east-1 key for us-west-2 (--for rotate)",
                        ExitCode.BAD_INPUT,
                        Sent.NOTHING,
                        "manifest",
                        "validate",
                        crossRegionManifest.toString(),
                        "--cluster",
                        AWS_CLUSTER,
                        "--for",
                        "rotate",
                        "-o",
                        "json"),
                of(
                        "manifest build --out a directory",
                        ExitCode.BAD_INPUT,
                        Sent.NOTHING,
                        Samples.buildAwsEast("--out", aDirectory, "-o", "json")),
                of(
                        "manifest build --out /proc/x",
                        ExitCode.BAD_INPUT,
                        Sent.NOTHING,
                        Samples.buildAwsEast("--out", "/proc/x", "-o", "json")),
                of(
                        "provision --out a directory",
                        ExitCode.BAD_INPUT,
                        Sent.NOTHING,
                        "provision",
                        "--cluster",
                        AWS_CLUSTER,
                        "--out",
                        aDirectory,
                        "-o",
                        "json"),
                of(
                        "provision --out /proc/x",
                        ExitCode.BAD_INPUT,
                        Sent.NOTHING,
                        "provision",
                        "--cluster",
                        AWS_CLUSTER,
                        "--out",
                        "/proc/x",
                        "-o",
                        "json"),
                of(
                        "provision --out with a missing parent",
                        ExitCode.BAD_INPUT,
                        Sent.NOTHING,
                        "provision",
                        "--cluster",
                        AWS_CLUSTER,
                        "--out",
                        missingParent,
                        "-o",
                        "json"),
                of(
                        "enable --provision --out /proc/x",
                        ExitCode.BAD_INPUT,
                        Sent.NOTHING,
                        "enable",
                        "--cluster",
                        AWS_CLUSTER,
                        "--provision",
                        "--out",
                        "/proc/x",
                        "-o",
                        "json"),
                of(
                        "revoke --evidence a file",
                        ExitCode.BAD_INPUT,
                        Sent.NOTHING,
                        "revoke",
                        "--cluster",
                        AWS_CLUSTER,
                        "--yes",
                        "--evidence",
                        evidenceFileNotDir.toString(),
                        "-o",
                        "json"),
                of(
                        "revoke --evidence /proc/x",
                        ExitCode.BAD_INPUT,
                        Sent.NOTHING,
                        "revoke",
                        "--cluster",
                        AWS_CLUSTER,
                        "--yes",
                        "--evidence",
                        "/proc/x",
                        "-o",
                        "json"),
                of(
                        "revoke --cloud-only --api-only",
                        ExitCode.BAD_INPUT,
                        Sent.NOTHING,
                        "revoke",
                        "--cluster",
                        AWS_CLUSTER,
                        "--yes",
                        "--cloud-only",
                        "--api-only",
                        "-o",
                        "json"),
                of(
                        "restore of a missing evidence directory",
                        ExitCode.BAD_INPUT,
                        Sent.NOTHING,
                        "restore",
                        "--evidence",
                        dir.resolve("no-evidence").toString(),
                        "-o",
                        "json"),
                of(
                        "fleet --state a directory",
                        ExitCode.BAD_INPUT,
                        Sent.NOTHING,
                        "fleet",
                        fleetWithStandard.toString(),
                        "--state",
                        aDirectory,
                        "-o",
                        "json"),
                of(
                        "sandbox with a missing clusters file",
                        ExitCode.BAD_INPUT,
                        Sent.NOTHING,
                        "sandbox",
                        "--clusters",
                        dir.resolve("missing.json").toString(),
                        "-o",
                        "json"),
                // bad input that takes reading the cluster to see: only reads
                of(
                        "status of an unknown cluster",
                        ExitCode.BAD_INPUT,
                        Sent.ONLY_READS,
                        "status",
                        "--cluster",
                        "00000000-0000-4000-8000-000000000000",
                        "-o",
                        "json"),
                of(
                        "plan of a STANDARD cluster",
                        ExitCode.BAD_INPUT,
                        Sent.ONLY_READS,
                        "plan",
                        "--cluster",
                        STANDARD_CLUSTER,
                        "-o",
                        "json"),
                of(
                        "provision of a STANDARD cluster",
                        ExitCode.BAD_INPUT,
                        Sent.ONLY_READS,
                        "provision",
                        "--cluster",
                        STANDARD_CLUSTER,
                        "--out",
                        dir.resolve("s.json").toString(),
                        "-o",
                        "json"),
                of(
                        "enable --provision of a STANDARD cluster",
                        ExitCode.BAD_INPUT,
                        Sent.ONLY_READS,
                        "enable",
                        "--cluster",
                        STANDARD_CLUSTER,
                        "--provision",
                        "--out",
                        dir.resolve("s2.json").toString(),
                        "-o",
                        "json"),
                of(
                        "provision on AWS with --gcp-protection",
                        ExitCode.BAD_INPUT,
                        Sent.ONLY_READS,
                        "provision",
                        "--cluster",
                        AWS_CLUSTER,
                        "--gcp-protection",
                        "HSM",
                        "--out",
                        dir.resolve("a.json").toString(),
                        "-o",
                        "json"),
                of(
                        "provision on GCP with --aws-multi-region-key",
                        ExitCode.BAD_INPUT,
                        Sent.ONLY_READS,
                        "provision",
                        "--cluster",
                        GCP_CLUSTER,
                        "--aws-multi-region-key",
                        "--gcp-project",
                        "acme-keys",
                        "--out",
                        dir.resolve("g.json").toString(),
                        "-o",
                        "json"),
                of(
                        "enable with a GCP manifest on AWS",
                        ExitCode.BAD_INPUT,
                        Sent.ONLY_READS,
                        "enable",
                        "--cluster",
                        AWS_CLUSTER,
                        "--manifest",
                        writeGcpManifest(),
                        "-o",
                        "json"),
                of(
                        "rotate of a cluster without CMEK",
                        ExitCode.BAD_INPUT,
                        Sent.ONLY_READS,
                        "rotate",
                        "--cluster",
                        AWS_CLUSTER,
                        "--manifest",
                        m,
                        "-o",
                        "json"),
                of(
                        "revoke of a cluster without CMEK",
                        ExitCode.BAD_INPUT,
                        Sent.ONLY_READS,
                        "revoke",
                        "--cluster",
                        AWS_CLUSTER,
                        "--yes",
                        "--api-only",
                        "--evidence",
                        dir.resolve("e-disabled").toString(),
                        "-o",
                        "json"),
                // the API's own answers
                of(
                        "a server that is not there",
                        ExitCode.UNAVAILABLE,
                        Sent.NOTHING,
                        "status",
                        "--cluster",
                        AWS_CLUSTER,
                        "--server",
                        "http://127.0.0.1:9",
                        "-o",
                        "json"));
    }

    private static String writeGcpManifest() {
        try {
            return Files.writeString(dir.resolve("gcp.json"), Samples.GCP_MANIFEST)
                    .toString();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @BeforeEach
    void start() {
        sandbox = Sandboxes.start(Duration.ofMillis(150));
    }

    @AfterEach
    void stop() {
        sandbox.close();
    }

    private Cli cli() {
        return new Cli()
                .api(sandbox)
                // Nothing may reach a cloud in these cases: these point the SDKs at a closed port.
                .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
                .env("AWS_ACCESS_KEY_ID", "test")
                .env("AWS_SECRET_ACCESS_KEY", "test")
                .env("CLOUDKMS_EMULATOR_HOST", "127.0.0.1:9")
                .env("IAM_EMULATOR_HOST", "127.0.0.1:9");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("failures")
    void everyFailure_isOneJsonErrorDocument_withItsExitCode_andNothingSentOnBadInput(Case c) throws Exception {
        String[] args = c.args().toArray(String[]::new);
        long started = System.nanoTime();
        Cli.Result r = cli().run(args);
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertEquals(c.expected().code(), r.exit(), () -> "stderr: " + r.err() + "\nstdout: " + r.out());
        JsonNode error = assertErrorDocument(r, c.expected());
        assertEquals(
                1,
                r.err()
                        .lines()
                        .filter(l -> l.equals("cmek: " + error.get("message").textValue()))
                        .count(),
                "the same message once on stderr: " + r.err());
        switch (c.sent()) {
            case NOTHING -> assertEquals(0, sandbox.requestLog().size(), "nothing reached the API");
            case ONLY_READS ->
                assertTrue(
                        sandbox.requestLog().exchanges().stream()
                                .allMatch(x -> x.method().equals("GET")),
                        "only reads: " + sandbox.requestLog().exchanges());
            case ANY -> {}
        }
        assertTrue(took.compareTo(Duration.ofSeconds(30)) < 0, "answered without long retries: " + took);
    }

    /** Checks the document and returns its error object. */
    static JsonNode assertErrorDocument(Cli.Result r, ExitCode expected) throws Exception {
        JsonNode doc;
        try {
            doc = JSON.readTree(r.out());
        } catch (Exception e) {
            throw new AssertionError("stdout is not one JSON document: <" + r.out() + ">\nstderr: " + r.err(), e);
        }
        JsonNode error = doc.get("error");
        assertTrue(error != null && error.isObject(), "an error object: " + r.out());
        assertEquals(expected.code(), error.get("exit_code").intValue(), r.out());
        assertEquals(expected.kind(), error.get("kind").textValue(), r.out());
        String message = error.get("message").textValue();
        assertFalse(message.isBlank(), r.out());
        assertNoClassNames(r);
        assertSnakeCase(doc, "");
        return error;
    }

    static void assertNoClassNames(Cli.Result r) {
        if (CLASS_NAMES.matcher(r.all()).find()) {
            fail("a Java class name reached the user:\n" + r.all());
        }
    }

    /** Every field name is snake_case (map keys that are data, such as region names, are lower case too). */
    static void assertSnakeCase(JsonNode node, String at) {
        if (node.isObject()) {
            for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
                String name = it.next();
                assertEquals(name.toLowerCase(java.util.Locale.ROOT), name, "camelCase field at " + at + "." + name);
                assertSnakeCase(node.get(name), at + "." + name);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                assertSnakeCase(node.get(i), at + "[" + i + "]");
            }
        }
    }

    @Test
    void usageErrors_suggestWhatWasMeant() {
        Cli.Result option = cli().run("status", "--clustr", AWS_CLUSTER);
        assertEquals(2, option.exit());
        assertTrue(option.err().contains("did you mean --cluster?"), option.err());
        Cli.Result command = cli().run("stauts", "--cluster", AWS_CLUSTER);
        assertEquals(2, command.exit());
        assertTrue(command.err().contains("unknown command 'stauts'; did you mean status?"), command.err());
        assertEquals(0, sandbox.requestLog().size());
    }

    @Test
    void httpsToAnHttpPort_failsAtOnce_suggestingHttp() throws Exception {
        long started = System.nanoTime();
        Cli.Result r = cli().run(
                        "status",
                        "--cluster",
                        AWS_CLUSTER,
                        "--server",
                        "https://127.0.0.1:" + sandbox.port(),
                        "-o",
                        "json");
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        assertEquals(6, r.exit(), r.err());
        assertErrorDocument(r, ExitCode.UNAVAILABLE);
        assertTrue(
                sandbox.requestLog().exchanges().stream()
                        .noneMatch(x -> x.path().startsWith("/api/")),
                "no API request got through (the plain-http probe may show): "
                        + sandbox.requestLog().exchanges());
        assertTrue(r.err().contains("use http://127.0.0.1:" + sandbox.port()), r.err());
        // The sandbox's server never answers a TLS hello: a TLS attempt would wait out the client's 5 s connect
        // timeout (and took 8 to 11 s in all). A plain request line to the loopback port tells it in milliseconds.
        assertTrue(took.compareTo(Duration.ofSeconds(4)) < 0, "at once, without a TLS attempt: " + took);
    }

    @Test
    void timeout_printsTheDurationAsGiven() throws Exception {
        sandbox.setTransitionDelay(Duration.ofSeconds(30));
        Cli.Result r = cli().run(
                        "enable",
                        "--cluster",
                        AWS_CLUSTER,
                        "--manifest",
                        manifest.toString(),
                        "--timeout",
                        "300ms",
                        "-o",
                        "json");
        assertEquals(5, r.exit(), r.err());
        JsonNode error = assertErrorDocument(r, ExitCode.TIMEOUT);
        assertTrue(error.get("message").textValue().contains("within 300ms"), error.toString());
    }

    @Test
    void rejectedAndFailed_areErrorDocumentsToo() throws Exception {
        Cli.Result rejected = new Cli()
                .env("COCKROACH_API_KEY", "CCDB1_not_the_key")
                .env("COCKROACH_SERVER", sandbox.baseUri().toString())
                .run("status", "--cluster", AWS_CLUSTER, "-o", "json");
        assertEquals(3, rejected.exit());
        assertErrorDocument(rejected, ExitCode.REJECTED);

        sandbox.failNextCmekOperation(AWS_CLUSTER, "us-east-1", "access denied to the key");
        Cli.Result failed =
                cli().run("enable", "--cluster", AWS_CLUSTER, "--manifest", manifest.toString(), "-o", "json");
        assertEquals(4, failed.exit(), failed.err());
        assertErrorDocument(failed, ExitCode.OPERATION_FAILED);

        // status reports the failed status as its document, with the error object beside it.
        Cli.Result status = cli().run("status", "--cluster", AWS_CLUSTER, "-o", "json");
        assertEquals(4, status.exit());
        JsonNode doc = JSON.readTree(status.out());
        assertEquals("ENABLE_FAILED", doc.get("status").textValue());
        assertErrorDocument(status, ExitCode.OPERATION_FAILED);
    }

    @Test
    void manifestWithByteOrderMark_isAccepted() {
        Cli.Result r = cli().run("manifest", "validate", bomManifest.toString(), "-o", "json");
        assertEquals(0, r.exit(), r.err());
        assertNoClassNames(r);
    }

    @Test
    void successDocuments_areSnakeCase() throws Exception {
        List<String[]> runs = new ArrayList<>();
        runs.add(new String[] {"status", "--cluster", AWS_CLUSTER, "-o", "json"});
        runs.add(new String[] {"manifest", "validate", manifest.toString(), "--cluster", AWS_CLUSTER, "-o", "json"});
        runs.add(new String[] {
            "enable", "--cluster", AWS_CLUSTER, "--manifest", manifest.toString(), "--dry-run", "-o", "json"
        });
        runs.add(new String[] {"enable", "--cluster", AWS_CLUSTER, "--manifest", manifest.toString(), "-o", "json"});
        runs.add(new String[] {"revoke", "--cluster", AWS_CLUSTER, "--dry-run", "-o", "json"});
        runs.add(new String[] {
            "revoke",
            "--cluster",
            AWS_CLUSTER,
            "--yes",
            "--api-only",
            "--evidence",
            dir.resolve("e-ok").toString(),
            "-o",
            "json"
        });
        for (String[] args : runs) {
            Cli.Result r = cli().run(args);
            assertEquals(0, r.exit(), () -> Arrays.toString(args) + ": " + r.err());
            assertSnakeCase(JSON.readTree(r.out()), Arrays.toString(args));
            assertNoClassNames(r);
        }
    }

    @Test
    void help_listsOnlyWhatAppliesToEachCommand() {
        String status = cli().run("status", "--help").out();
        String verify = cli().run("verify", "--help").out();
        String restore = cli().run("restore", "--help").out();
        String revoke = cli().run("revoke", "--help").out();
        for (String help : List.of(status, verify, restore, revoke)) {
            assertFalse(help.contains("--propagation-timeout"), help);
            assertFalse(help.contains("--gcp-protection"), help);
            assertFalse(help.contains("--aws-multi-region-key"), help);
            assertFalse(help.contains("--existing-key"), help);
            assertTrue(help.contains("partial: grants left, or REVOKE not sent"), help);
            assertTrue(help.contains("130") && help.contains("interrupted"), help);
        }
        assertFalse(restore.contains("--server"), "restore never calls the API: " + restore);
        String enable = cli().run("enable", "--help").out();
        assertTrue(enable.contains("--propagation-timeout") && enable.contains("--gcp-protection"), enable);
    }

    @Test
    void messagesFromLibraries_loseTheirJavaClassNames() {
        assertEquals(
                "GCP: getServiceAccount failed with UNAVAILABLE: UNAVAILABLE: io exception.",
                Report.plain(
                        "GCP: getServiceAccount failed with UNAVAILABLE: io.grpc.StatusRuntimeException: UNAVAILABLE: io exception."));
        assertEquals(
                "AWS: Unable to execute HTTP request",
                Report.plain(
                        "AWS: software.amazon.awssdk.core.exception.SdkClientException: Unable to execute HTTP request"));
        assertEquals(
                "cannot read x (permission denied)",
                Report.plain("cannot read x (AccessDeniedException: permission denied)"));
        assertEquals("region us-east-1 is ENABLE_FAILED", Report.plain("region us-east-1 is ENABLE_FAILED"));
    }
}
