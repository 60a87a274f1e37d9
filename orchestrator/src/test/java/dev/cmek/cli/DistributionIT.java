package dev.cmek.cli;

import static dev.cmek.testing.Sandboxes.AWS_CLUSTER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cmek.model.Samples;
import dev.cmek.sandbox.CloudApiSandbox;
import dev.cmek.testing.Sandboxes;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distribution as a user gets it: {@code target/cmek-VERSION.tar.gz} unpacked into a temporary directory, and
 * its launcher, completion script and man pages used from outside the source tree, as separate processes. Runs
 * after {@code package} (failsafe). Also the things only a real process shows: Ctrl-C (SIGINT) and exit 130, the
 * revoke prompt on a terminal while stdout is redirected, and "permission denied" for a user who is not root.
 */
class DistributionIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path tmp;

    private static Path home;
    private static Path elsewhere;
    private static Path cache;
    private static CloudApiSandbox sandbox;

    @BeforeAll
    static void unpack() throws Exception {
        home = unpack(Files.createDirectories(tmp.resolve("opt")));
        elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
        cache = tmp.resolve("cache");
    }

    /** The archive mvn package made, unpacked into {@code prefix}: its home directory. */
    static Path unpack(Path prefix) throws Exception {
        Path archive = Path.of(System.getProperty("cmek.dist.archive"));
        assertTrue(Files.isRegularFile(archive), "mvn package made " + archive);
        Result tar = run(prefix, List.of("tar", "-xzf", archive.toString(), "-C", prefix.toString()), Map.of(), null);
        assertEquals(0, tar.exit(), tar.err());
        return prefix.resolve("cmek-" + System.getProperty("cmek.version"));
    }

    @BeforeEach
    void startSandbox() {
        sandbox = Sandboxes.start(Duration.ofMillis(100));
    }

    @AfterEach
    void stopSandbox() {
        sandbox.close();
    }

    record Result(int exit, String out, String err) {}

    private static Map<String, String> env() {
        Map<String, String> env = new HashMap<>();
        env.put("XDG_CACHE_HOME", cache.toString());
        env.put("JAVA_HOME", System.getProperty("java.home"));
        env.put("COCKROACH_API_KEY", Sandboxes.API_KEY);
        env.put("COCKROACH_SERVER", sandbox.baseUri().toString());
        return env;
    }

    private static Result cmek(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(home.resolve("bin/cmek").toString()));
        command.addAll(List.of(args));
        return run(elsewhere, command, env(), null);
    }

    static Result run(Path cwd, List<String> command, Map<String, String> env, String stdin) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(cwd.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        CompletableFuture<String> out = drain(p.getInputStream());
        CompletableFuture<String> err = drain(p.getErrorStream());
        if (stdin != null) {
            p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        p.getOutputStream().close();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + command);
        }
        return new Result(p.exitValue(), out.get(), err.get());
    }

    private static CompletableFuture<String> drain(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "";
            }
        });
    }

    /** A Java 25 or newer installed beside the one running the tests (Debian's /usr/lib/jvm), if any. */
    private static Optional<Path> java25() throws IOException {
        Path jvms = Path.of(System.getProperty("java.home")).getParent();
        if (jvms == null || !Files.isDirectory(jvms)) {
            return Optional.empty();
        }
        try (Stream<Path> homes = Files.list(jvms)) {
            return homes.filter(h -> Files.isExecutable(h.resolve("bin/java")))
                    .filter(h -> {
                        try {
                            return Files.readAllLines(h.resolve("release")).stream()
                                    .filter(l -> l.startsWith("JAVA_VERSION=\""))
                                    .map(l -> l.substring("JAVA_VERSION=\"".length())
                                            .split("[^0-9]")[0])
                                    .anyMatch(v -> !v.isEmpty() && Integer.parseInt(v) >= 25);
                        } catch (IOException | RuntimeException e) {
                            return false;
                        }
                    })
                    .findFirst();
        }
    }

    @Test
    void launcher_givesTheSandboxTheFullCompilers_andShortCommandsC1Only() throws Exception {
        Map<String, String> env = env();
        env.put("CMEK_JAVA_OPTS", "-XX:+PrintFlagsFinal");
        List<String> launcher = List.of(home.resolve("bin/cmek").toString());
        Result shortLived = run(elsewhere, concat(launcher, "--version"), env, null);
        Result server = run(elsewhere, concat(launcher, "sandbox", "--help"), env, null);
        assertEquals(0, shortLived.exit(), shortLived.err());
        assertEquals(0, server.exit(), server.err());
        assertEquals("1", flag(shortLived.out(), "TieredStopAtLevel"));
        assertEquals("1", flag(shortLived.out(), "CICompilerCount"));
        assertEquals("4", flag(server.out(), "TieredStopAtLevel"));
        assertTrue(Integer.parseInt(flag(server.out(), "CICompilerCount")) >= 2, server.out());
        assertTrue(server.out().contains("Usage: cmek sandbox"), server.out());
    }

    private static List<String> concat(List<String> first, String... more) {
        List<String> all = new ArrayList<>(first);
        all.addAll(List.of(more));
        return all;
    }

    /** A flag's value in -XX:+PrintFlagsFinal's table ("type name = value {kinds} {origin}"). */
    private static String flag(String table, String name) {
        return table.lines()
                .map(String::strip)
                .filter(l -> l.matches("\\S+ +" + name + " +:?= .*"))
                .map(l -> l.replaceFirst(".*:?= +(\\S+).*", "$1"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + name + " in:\n" + table));
    }

    @Test
    void launcher_onJava25_keepsAnAotCacheInsteadOfAClassDataArchive() throws Exception {
        Optional<Path> java25 = java25();
        Assumptions.assumeTrue(java25.isPresent(), "no Java 25 or newer next to " + System.getProperty("java.home"));
        Path own = Files.createDirectories(tmp.resolve("cache-java25"));
        Map<String, String> env = env();
        env.put("XDG_CACHE_HOME", own.toString());
        env.put("JAVA_HOME", java25.get().toString());
        List<String> command = List.of(home.resolve("bin/cmek").toString(), "--version");
        for (int run = 0; run < 2; run++) {
            Result version = run(elsewhere, command, env, null);
            assertEquals(0, version.exit(), version.err());
            assertTrue(version.out().startsWith("cmek "), version.out());
            assertEquals("", version.err(), "nothing on stderr, run " + run);
        }
        try (Stream<Path> made = Files.list(own.resolve("cmek"))) {
            List<String> names = made.map(f -> f.getFileName().toString()).toList();
            assertEquals(1, names.size(), names::toString);
            assertTrue(names.get(0).endsWith(".aot"), names::toString);
            assertEquals(
                    "rw-------",
                    PosixFilePermissions.toString(
                            Files.getPosixFilePermissions(own.resolve("cmek").resolve(names.get(0)))));
        }
    }

    @Test
    void launcher_worksFromAnyDirectory_andThroughALink_andKeepsAClassDataArchiveInTheUsersCache() throws Exception {
        Result version = cmek("--version");
        assertEquals(0, version.exit(), version.err());
        assertTrue(
                version.out()
                        .matches("cmek " + System.getProperty("cmek.version").replace(".", "\\.")
                                + "( \\(commit [0-9a-f]{7,40}\\))? \\(Cloud API 2024-09-16\\)\\s*"),
                version.out());
        try (Stream<Path> archives = Files.list(cache.resolve("cmek"))) {
            assertTrue(archives.anyMatch(f -> f.getFileName().toString().endsWith(".jsa")), "archive in " + cache);
        }

        Path manifest = Files.writeString(elsewhere.resolve("cmek_config.json"), Samples.AWS_MANIFEST);
        Result valid = cmek("manifest", "validate", "cmek_config.json", "-o", "json");
        assertEquals(0, valid.exit(), valid.err());
        assertTrue(JSON.readTree(valid.out()).get("valid").booleanValue());

        Path bin = Files.createDirectories(tmp.resolve("usr-local-bin"));
        Path link = Files.createSymbolicLink(bin.resolve("cmek"), home.resolve("bin/cmek"));
        Result linked =
                run(elsewhere, List.of(link.toString(), "manifest", "validate", manifest.toString()), env(), null);
        assertEquals(0, linked.exit(), linked.err());
        assertTrue(linked.out().contains("valid, 2 region(s)"), linked.out());

        Result usage = cmek("stauts", "-o", "json");
        assertEquals(2, usage.exit());
        assertEquals(2, JSON.readTree(usage.out()).get("error").get("exit_code").intValue());
        assertTrue(usage.err().contains("did you mean status?"), usage.err());
    }

    @Test
    void versionInJson_namesTheSbomShippedBesideTheDocs_andSha256SumsCoversArchiveAndSbom() throws Exception {
        Result version = cmek("--version", "--output", "json");
        assertEquals(0, version.exit(), version.err());
        JsonNode sbom = JSON.readTree(version.out()).get("sbom");
        Path file = home.resolve(sbom.get("file").textValue());
        assertTrue(Files.isRegularFile(file), version.out());
        assertEquals(sha256(file), sbom.get("sha256").textValue());

        // Only what cmek.jar holds: no test library, nor the docs generator.
        JsonNode bom = JSON.readTree(file.toFile());
        assertEquals("CycloneDX", bom.get("bomFormat").textValue());
        List<String> components = new ArrayList<>();
        bom.get("components")
                .forEach(c -> components.add(
                        c.get("group").textValue() + ":" + c.get("name").textValue()));
        assertTrue(components.contains("info.picocli:picocli"), components::toString);
        assertTrue(components.contains("software.amazon.awssdk:kms"), components::toString);
        assertTrue(components.contains("dev.cmek:cmek-gcp"), components::toString);
        for (String testOnly : List.of("org.junit", "org.testcontainers", "com.atlassian", "picocli-codegen")) {
            assertFalse(components.stream().anyMatch(c -> c.contains(testOnly)), testOnly + " in " + components);
        }

        Path archive = Path.of(System.getProperty("cmek.dist.archive"));
        Path sums = archive.resolveSibling("SHA256SUMS");
        assertEquals(
                List.of(
                        sha256(archive) + "  " + archive.getFileName(),
                        sbom.get("sha256").textValue() + "  " + file.getFileName()),
                Files.readAllLines(sums));
        Result check = run(sums.getParent(), List.of("sha256sum", "--strict", "-c", "SHA256SUMS"), Map.of(), null);
        assertEquals(0, check.exit(), check.out() + check.err());
        // The class-data archive is made on the user's machine, never shipped.
        try (Stream<Path> shipped = Files.walk(home)) {
            assertFalse(shipped.anyMatch(f -> f.toString().matches(".*\\.(jsa|aot)$")));
        }
    }

    static String sha256(Path file) throws Exception {
        java.security.MessageDigest digest = java.security.MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        }
        return java.util.HexFormat.of().formatHex(digest.digest());
    }

    @Test
    void bashCompletion_isRegistered_andCompletesCommands() throws Exception {
        Path script = home.resolve("share/bash-completion/completions/cmek");
        Result registered =
                run(elsewhere, List.of("bash", "-c", "source '" + script + "'; complete -p cmek"), Map.of(), null);
        assertEquals(0, registered.exit(), registered.err());
        assertTrue(
                registered.out().contains("-F _complete_cmek")
                        && registered.out().strip().endsWith("cmek"),
                registered.out());

        Result completed = run(
                elsewhere,
                List.of(
                        "bash",
                        "-c",
                        "source '" + script + "'; COMP_WORDS=(cmek sta); COMP_CWORD=1; COMP_LINE='cmek sta';"
                                + " COMP_POINT=8; _complete_cmek cmek sta cmek; printf '%s\\n' \"${COMPREPLY[@]}\""),
                Map.of(),
                null);
        assertEquals(0, completed.exit(), completed.err());
        assertTrue(completed.out().lines().anyMatch("status"::equals), completed.out());
        assertTrue(Files.isRegularFile(home.resolve("share/zsh/cmek/cmek-completion.zsh")));
    }

    @Test
    void manPages_existForEveryCommand_andRender() throws Exception {
        for (String page : List.of(
                "cmek",
                "cmek-status",
                "cmek-plan",
                "cmek-provision",
                "cmek-enable",
                "cmek-rotate",
                "cmek-add-region",
                "cmek-verify",
                "cmek-revoke",
                "cmek-restore",
                "cmek-fleet",
                "cmek-manifest",
                "cmek-manifest-validate",
                "cmek-manifest-build",
                "cmek-export",
                "cmek-export-terraform",
                "cmek-sandbox")) {
            Path file = home.resolve("share/man/man1/" + page + ".1");
            String roff = Files.readString(file);
            assertTrue(
                    roff.contains(
                            ".TH \"" + page.toUpperCase(java.util.Locale.ROOT).replace("-", "\\-") + "\" \"1\""),
                    page + ": " + roff.lines().limit(12).toList());
            assertTrue(roff.contains(".SH \"NAME\""), page);
            assertFalse(roff.contains("AUTHOR(S)"), page + " names an AUTHOR(S) section it does not have");
        }
        Path revoke = home.resolve("share/man/man1/cmek-revoke.1");
        Map<String, String> plain = Map.of("MANPAGER", "cat", "PAGER", "cat", "MANWIDTH", "100", "LANG", "C.UTF-8");
        Result rendered = run(elsewhere, List.of("man", "-l", revoke.toString()), plain, null);
        if (rendered.exit() != 0) {
            // No man(1) here: groff renders the same roff.
            rendered = run(elsewhere, List.of("groff", "-man", "-Tutf8", revoke.toString()), plain, null);
        }
        assertEquals(0, rendered.exit(), rendered.err());
        assertTrue(rendered.out().contains("cmek-revoke - Breach response"), rendered.out());
        assertTrue(rendered.out().contains("--evidence=DIR"), rendered.out());
        assertTrue(rendered.out().contains("130"), "the exit codes are documented: " + rendered.out());
        // The footer: the version, the commit's date and the page, each in its place (the date not run into the rest).
        String footer = rendered.out().strip().lines().reduce((a, b) -> b).orElse("");
        assertTrue(footer.matches("cmek \\S+ +\\d{4}-\\d{2}-\\d{2} +CMEK-REVOKE\\(1\\)"), "footer: '" + footer + "'");
    }

    @Test
    void ctrlC_duringRevoke_printsWhereItStands_andTheCommandsToFinishOrUndo_thenExits130() throws Exception {
        Path manifest = Files.writeString(elsewhere.resolve("sigint.json"), Samples.AWS_MANIFEST);
        assertEquals(
                0,
                cmek("enable", "--cluster", AWS_CLUSTER, "--manifest", manifest.toString())
                        .exit());
        sandbox.setTransitionDelay(Duration.ofSeconds(60));
        try {
            Path evidence = elsewhere.resolve("incident-sigint");
            // SIGINT's default action back: a test run started in the background (nohup, `&` without job control)
            // ignores SIGINT, the JVM then never installs its handler, and the signal would do nothing.
            ProcessBuilder pb = new ProcessBuilder(
                            "env",
                            "--default-signal=INT",
                            home.resolve("bin/cmek").toString(),
                            "revoke",
                            "--cluster",
                            AWS_CLUSTER,
                            "--yes",
                            "--api-only",
                            "--evidence",
                            evidence.toString(),
                            "-o",
                            "json")
                    .directory(elsewhere.toFile());
            pb.environment().putAll(env());
            Process p = pb.start();
            p.getOutputStream().close();
            CompletableFuture<String> out = drain(p.getInputStream());
            StringBuilder err = new StringBuilder();
            CompletableFuture<Void> errDone = CompletableFuture.runAsync(() -> {
                try (var reader = p.errorReader(StandardCharsets.UTF_8)) {
                    for (String line; (line = reader.readLine()) != null; ) {
                        synchronized (err) {
                            err.append(line).append('\n');
                        }
                    }
                } catch (IOException e) {
                    // the process ended
                }
            });
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!stderrOf(err).contains("REVOKING")) {
                assertTrue(System.nanoTime() < deadline && p.isAlive(), "revoke reached its wait: " + stderrOf(err));
                Thread.sleep(50);
            }
            Result kill = run(elsewhere, List.of("kill", "-INT", String.valueOf(p.pid())), Map.of(), null);
            assertEquals(0, kill.exit(), kill.err());
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the process ended on SIGINT");
            errDone.get(10, TimeUnit.SECONDS);

            assertEquals(130, p.exitValue(), stderrOf(err));
            String said = stderrOf(err);
            assertTrue(said.contains("cmek: interrupted while revoking cluster " + AWS_CLUSTER), said);
            assertTrue(said.contains("REVOKE was sent; only the wait for REVOKED was cut short"), said);
            assertTrue(said.contains("to check: cmek status --cluster " + AWS_CLUSTER), said);
            assertFalse(
                    said.contains("cmek restore"), "--api-only removed nothing, so there is nothing to undo: " + said);
            JsonNode error = JSON.readTree(out.get(10, TimeUnit.SECONDS)).get("error");
            assertEquals(130, error.get("exit_code").intValue());
            assertEquals("interrupted", error.get("kind").textValue());
        } finally {
            sandbox.setTransitionDelay(Duration.ofMillis(100));
        }
    }

    private static String stderrOf(StringBuilder err) {
        synchronized (err) {
            return err.toString();
        }
    }

    @Test
    void revokePrompt_readsTheTerminal_whenOnlyStdoutIsRedirected() throws Exception {
        Path manifest = Files.writeString(elsewhere.resolve("prompt.json"), Samples.AWS_MANIFEST);
        assertEquals(
                0,
                cmek("enable", "--cluster", AWS_CLUSTER, "--manifest", manifest.toString())
                        .exit());
        Path result = elsewhere.resolve("revoked.json");
        Path evidence = elsewhere.resolve("incident-prompt");
        // script(1) gives the command a terminal on stdin (and stderr); stdout goes to a file.
        String command = "'" + home.resolve("bin/cmek") + "' revoke --cluster " + AWS_CLUSTER
                + " --api-only --evidence '" + evidence + "' -o json > '" + result + "'";
        Result typed = run(elsewhere, List.of("script", "-qec", command, "/dev/null"), env(), AWS_CLUSTER + "\n");
        assertEquals(0, typed.exit(), typed.out() + typed.err());
        assertTrue(
                typed.out().contains("Type the cluster id to confirm:"),
                "the prompt is on the terminal: " + typed.out());
        assertEquals(
                "REVOKED",
                JSON.readTree(Files.readString(result))
                        .get("status")
                        .get("status")
                        .textValue());
    }

    @Test
    void evidence_isTheRespondersAlone_underAnOpenUmask() throws Exception {
        Path manifest = Files.writeString(elsewhere.resolve("umask.json"), Samples.AWS_MANIFEST);
        assertEquals(
                0,
                cmek("enable", "--cluster", AWS_CLUSTER, "--manifest", manifest.toString())
                        .exit());
        Path evidence = elsewhere.resolve("incident-umask");
        String command = "umask 000; exec '" + home.resolve("bin/cmek") + "' revoke --cluster " + AWS_CLUSTER
                + " --api-only --yes --evidence '" + evidence + "'";

        Result r = run(elsewhere, List.of("sh", "-c", command), env(), null);

        assertEquals(0, r.exit(), r.out() + r.err());
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(evidence)));
        try (Stream<Path> files = Files.list(evidence)) {
            for (Path f : files.toList()) {
                assertEquals(
                        "rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)), f.toString());
            }
        }
        // The umask really was open: a file the same shell makes is readable by all.
        Path probe = elsewhere.resolve("umask-probe");
        assertEquals(
                0,
                run(elsewhere, List.of("sh", "-c", "umask 000; : > '" + probe + "'"), env(), null)
                        .exit());
        assertEquals("rw-rw-rw-", PosixFilePermissions.toString(Files.getPosixFilePermissions(probe)));
    }

    @Test
    void unreadableFile_saysPermissionDenied_toAUserWhoIsNotRoot() throws Exception {
        Path secret = Files.writeString(tmp.resolve("secret.json"), Samples.AWS_MANIFEST);
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        Path readOnlyDir = Files.createDirectories(tmp.resolve("read-only"));
        Files.setPosixFilePermissions(readOnlyDir, PosixFilePermissions.fromString("r-xr-xr-x"));
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(home.getParent().getParent(), PosixFilePermissions.fromString("rwxr-xr-x"));
        // As root every permission check passes; setpriv(1) runs the launcher as nobody, as a user would be.
        List<String> asNobody = List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--");
        Map<String, String> env = Map.of(
                "JAVA_HOME", System.getProperty("java.home"), "HOME", "/nonexistent", "XDG_CACHE_HOME", "/nonexistent");

        List<String> read = new ArrayList<>(asNobody);
        read.addAll(
                List.of(home.resolve("bin/cmek").toString(), "manifest", "validate", secret.toString(), "-o", "json"));
        Result unreadable = run(Path.of("/"), read, env, null);
        assertEquals(2, unreadable.exit(), unreadable.err());
        assertTrue(unreadable.err().contains(secret + ": cannot read: permission denied"), unreadable.err());

        List<String> write = new ArrayList<>(asNobody);
        write.add(home.resolve("bin/cmek").toString());
        write.addAll(List.of(
                Samples.buildAwsEast("--out", readOnlyDir.resolve("m.json").toString())));
        Result unwritable = run(Path.of("/"), write, env, null);
        assertEquals(2, unwritable.exit(), unwritable.err());
        assertTrue(unwritable.err().contains("(permission denied); choose another --out"), unwritable.err());
    }
}
