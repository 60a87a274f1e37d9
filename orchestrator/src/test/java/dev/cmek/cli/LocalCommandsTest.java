package dev.cmek.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cmek.model.Samples;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Commands and failures that need no API at all. */
class LocalCommandsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Every command of ours, read from the tree itself, so that a new command cannot go untested here (a fixed list
     * had left out {@code audit}); picocli's own {@code help} command is not ours and has no exit codes to explain.
     */
    static java.util.stream.Stream<String> commands() {
        return CmekCommand.COMMANDS.values().stream()
                .filter(c -> c != picocli.CommandLine.HelpCommand.class)
                .map(c -> c.getAnnotation(picocli.CommandLine.Command.class).name());
    }

    @ParameterizedTest
    @MethodSource("commands")
    void help_explainsEachCommand(String command) {
        Cli.Result r = new Cli().run(command, "--help");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("Usage: cmek " + command), r.out());
        assertTrue(r.out().contains("Exit codes:"), r.out());
    }

    @ParameterizedTest
    @ValueSource(strings = {"revoke", "manifest validate", "export terraform", "sandbox"})
    void version_ofACommand_isTheToolsVersion(String command) {
        Cli.Result tool = new Cli().run("--version");
        List<String> args = new ArrayList<>(List.of(command.split(" ")));
        args.add("--version");
        Cli.Result r = new Cli().run(args.toArray(String[]::new));
        assertEquals(0, r.exit(), r.err());
        assertTrue(tool.out().startsWith("cmek "), tool.out());
        assertEquals(tool.out(), r.out());
    }

    @Test
    void version_namesTheApiVersion_andTheCommitWhenTheBuildKnowsIt() throws Exception {
        Cli.Result r = new Cli().run("--version");
        assertEquals(0, r.exit());
        assertTrue(r.out().matches("cmek \\S+( \\(commit [0-9a-f]{7,40}\\))? \\(Cloud API 2024-09-16\\)\\s*"), r.out());
        try (var in = CmekCommand.class.getResourceAsStream("commit.txt")) {
            String commit = in == null ? "" : new String(in.readAllBytes()).strip();
            if (!commit.isEmpty()) {
                assertTrue(r.out().contains("(commit " + commit + ")"), r.out());
            }
        }
    }

    @Test
    void version_inJson_isOneDocument_namingTheSameVersion_andTheSbomWhenTheBuildMadeOne() throws Exception {
        String text = new Cli().run("--version").out().strip();
        for (String[] args : new String[][] {
            {"--version", "--output", "json"}, {"-o", "json", "--version"}, {"--version", "-ojson"}, {"-V", "-o=json"}
        }) {
            Cli.Result r = new Cli().run(args);
            assertEquals(0, r.exit(), r.err());
            JsonNode version = JSON.readTree(r.out());
            assertEquals(
                    text,
                    "cmek " + version.get("version").textValue()
                            + (version.get("commit").isNull()
                                    ? ""
                                    : " (commit " + version.get("commit").textValue() + ")")
                            + " (Cloud API " + version.get("cloud_api_version").textValue() + ")");
            // The digest is written just before the jar is made, after these tests: DistributionIT checks it.
            JsonNode sbom = version.get("sbom");
            assertTrue(sbom.isNull() || sbom.get("sha256").textValue().matches("[0-9a-f]{64}"), r.out());
        }
    }

    @Test
    void noCommand_isUsageError() {
        assertEquals(2, new Cli().run().exit());
        assertEquals(2, new Cli().run("frobnicate").exit());
    }

    @Test
    void apiKeyAsFlag_isRefusedWithoutEchoingIt() {
        for (String[] args : new String[][] {
            {"status", "--api-key=CCDB1_flagsecret", "--cluster", "x"},
            {"status", "--api-key", "CCDB1_flagsecret", "--cluster", "x"}
        }) {
            Cli.Result r = new Cli().run(args);
            assertEquals(2, r.exit());
            assertFalse(r.all().contains("CCDB1_flagsecret"), r.all());
            assertTrue(r.err().contains("set COCKROACH_API_KEY or use --api-key-file"), r.err());
        }
    }

    @Test
    void validate_goodManifest_printsRegions(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("cmek_config.json"), Samples.AWS_MANIFEST);
        Cli.Result text = new Cli().run("manifest", "validate", file.toString());
        assertEquals(0, text.exit(), text.err());
        assertTrue(text.out().contains("valid, 2 region(s): us-east-1, us-west-2"), text.out());

        Cli.Result json = new Cli().run("manifest", "validate", file.toString(), "--output", "json");
        assertEquals(0, json.exit());
        JsonNode doc = JSON.readTree(json.out());
        assertTrue(doc.get("valid").booleanValue());
        assertEquals("us-west-2", doc.get("regions").get(1).textValue());
        assertEquals("", json.err());
    }

    @Test
    void validate_badManifest_isOneLineWithExitTwo_andJsonErrorDocument(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(
                dir.resolve("bad.json"), Samples.oneRegion("us-east-1", "AWS_KMS", "not-an-arn", Samples.AWS_ROLE));
        Cli.Result r = new Cli().run("manifest", "validate", file.toString(), "-o", "json");
        assertEquals(2, r.exit());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(
                r.err()
                        .startsWith("cmek: " + file
                                + ": region_specs[0].key_spec: uri \"not-an-arn\" is not a KMS key ARN"),
                r.err());
        JsonNode error = JSON.readTree(r.out()).get("error");
        assertEquals(2, error.get("exit_code").intValue());
        assertEquals("bad_input", error.get("kind").textValue());
    }

    @Test
    void build_fromFlags_writesTheCanonicalManifest(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("cmek_config.json");
        Cli.Result r = new Cli().run(Samples.buildAwsManifest("--out", out.toString()));
        assertEquals(0, r.exit(), r.err());
        assertEquals(Samples.AWS_MANIFEST, Files.readString(out));
    }

    @Test
    void build_fromFile_printsToStdout(@TempDir Path dir) throws Exception {
        Path keys = Files.writeString(
                dir.resolve("keys.txt"),
                "# region uri principal\nus-central1 " + Samples.GCP_KEY + " " + Samples.GCP_SA + "\n");
        Cli.Result r = new Cli().run("manifest", "build", "--from", keys.toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals(Samples.GCP_MANIFEST, r.out());
    }

    @Test
    void build_badEntry_namesTheLine(@TempDir Path dir) throws Exception {
        Path keys = Files.writeString(dir.resolve("keys.txt"), "us-central1 " + Samples.GCP_KEY + "\n");
        Cli.Result r = new Cli().run("manifest", "build", "--from", keys.toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("keys.txt:1: expected REGION URI PRINCIPAL, found 2 field(s)"), r.err());
    }

    @Test
    void revoke_withoutYes_whenNotInteractive_refuses() {
        Cli.Result r = new Cli()
                .env("COCKROACH_API_KEY", "CCDB1_k")
                .run("revoke", "--cluster", "c0ffee00-0000-4000-8000-000000000001", "--server", "http://127.0.0.1:9");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("refusing to revoke without --yes"), r.err());
    }
}
