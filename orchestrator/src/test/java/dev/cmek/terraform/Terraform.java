package dev.cmek.terraform;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cmek.aws.testing.MotoServer;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The terraform binary and a local mirror of the AWS provider, found at test time: {@code -Dcmek.terraform=PATH} or
 * {@code terraform} on PATH (else /usr/local/bin/terraform), and {@code -Dcmek.terraform.plugins=DIR} (the directory
 * above {@code registry.terraform.io}) or /opt/tf-plugins. Tests that need them skip, saying which is missing, where
 * they are not.
 */
final class Terraform {
    private static final Optional<Path> BINARY = binary();
    private static final Optional<Path> PLUGINS = plugins();

    private final Map<String, String> env = new HashMap<>();

    record Result(int exit, String out, String err) {
        String all() {
            return out + "\n" + err;
        }
    }

    private Terraform() {
        // No network (no update checks), no prompts, no CLI configuration of the machine's.
        env.put("CHECKPOINT_DISABLE", "1");
        env.put("TF_IN_AUTOMATION", "1");
        env.put("TF_INPUT", "0");
        env.put("TF_CLI_CONFIG_FILE", "/dev/null");
    }

    /** Skips the calling test, naming what is missing, unless terraform is here. */
    static Terraform require() {
        assumeTrue(BINARY.isPresent(), "terraform not found (-Dcmek.terraform, PATH or /usr/local/bin/terraform)");
        return new Terraform();
    }

    /** Skips the calling test, naming what is missing, unless terraform and the AWS provider's mirror are here. */
    static Terraform requireAwsProvider() {
        Terraform t = require();
        assumeTrue(
                PLUGINS.isPresent(),
                "no local mirror of the hashicorp/aws provider (-Dcmek.terraform.plugins, or /opt/tf-plugins with"
                        + " registry.terraform.io/hashicorp/aws/*/<os_arch>/terraform-provider-aws_*)");
        return t;
    }

    /** The AWS provider talks to moto through its strict stand-in, with the session credentials it expects. */
    Terraform aws(MotoServer moto) {
        env.put("AWS_ENDPOINT_URL", moto.endpoint().toString());
        env.put("AWS_ACCESS_KEY_ID", MotoServer.ACCESS_KEY_ID);
        env.put("AWS_SECRET_ACCESS_KEY", MotoServer.SECRET_ACCESS_KEY);
        env.put("AWS_SESSION_TOKEN", MotoServer.SESSION_TOKEN);
        env.put("AWS_EC2_METADATA_DISABLED", "true");
        return this;
    }

    Result init(Path dir) {
        return run(dir, "init", "-input=false", "-no-color", "-plugin-dir=" + PLUGINS.orElseThrow());
    }

    Result run(Path dir, String... args) {
        List<String> command = new ArrayList<>();
        command.add(BINARY.orElseThrow().toString());
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
        pb.environment().putAll(env);
        try {
            Path out = Files.createTempFile("terraform-", ".out");
            Path err = Files.createTempFile("terraform-", ".err");
            try {
                Process p = pb.redirectOutput(out.toFile())
                        .redirectError(err.toFile())
                        .start();
                if (!p.waitFor(5, TimeUnit.MINUTES)) {
                    p.destroyForcibly();
                    throw new AssertionError("terraform " + String.join(" ", args) + " ran past 5 minutes in " + dir);
                }
                return new Result(
                        p.exitValue(),
                        Files.readString(out, StandardCharsets.UTF_8),
                        Files.readString(err, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    private static Optional<Path> binary() {
        String given = System.getProperty("cmek.terraform");
        if (given != null && !given.isBlank()) {
            return Optional.of(Path.of(given)).filter(Files::isExecutable);
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(dir, "terraform");
            if (!dir.isEmpty() && Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.of(Path.of("/usr/local/bin/terraform")).filter(Files::isExecutable);
    }

    /** The directory above registry.terraform.io holding an unpacked hashicorp/aws provider for this platform. */
    private static Optional<Path> plugins() {
        String given = System.getProperty("cmek.terraform.plugins");
        Path root = Path.of(given != null && !given.isBlank() ? given : "/opt/tf-plugins");
        Path aws = root.resolve("registry.terraform.io/hashicorp/aws");
        if (!Files.isDirectory(aws)) {
            return Optional.empty();
        }
        try (Stream<Path> files = Files.walk(aws, 3)) {
            return files.anyMatch(f -> f.getFileName().toString().startsWith("terraform-provider-aws_"))
                    ? Optional.of(root)
                    : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
