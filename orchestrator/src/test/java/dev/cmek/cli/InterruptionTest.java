package dev.cmek.cli;

import static dev.cmek.testing.Sandboxes.AWS_CLUSTER;
import static dev.cmek.testing.Sandboxes.GCP_CLUSTER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cmek.model.Samples;
import dev.cmek.sandbox.CloudApiSandbox;
import dev.cmek.testing.Sandboxes;
import java.io.BufferedReader;
import java.io.PipedReader;
import java.io.PipedWriter;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What Ctrl-C prints, through the seam the shutdown hook calls ({@link Interruption#report}) while a real command
 * runs against the sandbox. The real signal on a real process is DistributionIT's.
 */
class InterruptionTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private CloudApiSandbox sandbox;

    @TempDir
    Path dir;

    @BeforeEach
    void start() {
        sandbox = Sandboxes.start(Duration.ofMillis(100));
    }

    @AfterEach
    void stop() {
        sandbox.close();
    }

    /** A command running in the background, with its streams readable while it runs. */
    private final class Running {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final CompletableFuture<Integer> exit;

        Running(BufferedReader in, boolean interactive, String... args) {
            Terminal terminal = new Terminal(
                    in,
                    new PrintWriter(out, true),
                    new PrintWriter(err, true),
                    Map.of(
                            "COCKROACH_API_KEY",
                            Sandboxes.API_KEY,
                            "COCKROACH_SERVER",
                            sandbox.baseUri().toString()),
                    interactive);
            exit = CompletableFuture.supplyAsync(() -> Main.run(terminal, args));
        }

        void awaitStderr(String text) throws InterruptedException {
            await(() -> err.toString().contains(text), "stderr to show " + text + "; it shows: " + err);
        }
    }

    /** Interrupts: what the hook prints, on stderr and (JSON) stdout. */
    private record Printed(String err, String out) {}

    private static Printed interrupt() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Interruption.report(new Terminal(
                new BufferedReader(new StringReader("")),
                new PrintWriter(out, true),
                new PrintWriter(err, true),
                Map.of(),
                false));
        return new Printed(err.toString(), out.toString());
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    private void enable() throws Exception {
        Path manifest = Files.writeString(dir.resolve("cmek_config.json"), Samples.AWS_MANIFEST);
        Cli.Result r =
                new Cli().api(sandbox).run("enable", "--cluster", AWS_CLUSTER, "--manifest", manifest.toString());
        assertEquals(0, r.exit(), r.err());
    }

    @Test
    void revoke_interruptedWhileWaiting_namesTheStepsDone_andTheCommandsThatFinishOrUndoIt() throws Exception {
        enable();
        sandbox.setTransitionDelay(Duration.ofSeconds(30));
        Path evidence = dir.resolve("incident 42");
        Running revoke = new Running(
                new BufferedReader(new StringReader("")),
                false,
                "revoke",
                "--cluster",
                AWS_CLUSTER,
                "--yes",
                "--api-only",
                "--evidence",
                evidence.toString(),
                "--timeout",
                "3s",
                "-o",
                "json");
        revoke.awaitStderr("REVOKING");

        Printed printed = interrupt();

        String file = evidence.resolve("revocation.json").toString();
        assertTrue(
                printed.err()
                        .contains("cmek: interrupted while revoking cluster " + AWS_CLUSTER
                                + ": REVOKE was sent; only the wait for REVOKED was cut short; " + file
                                + " records each step"),
                printed.err());
        assertTrue(printed.err().contains("to check: cmek status --cluster " + AWS_CLUSTER), printed.err());
        assertFalse(
                printed.err().contains("cmek restore"),
                "--api-only removed nothing, so there is nothing to undo: " + printed.err());
        JsonNode error = JSON.readTree(printed.out()).get("error");
        assertEquals(130, error.get("exit_code").intValue());
        assertEquals("interrupted", error.get("kind").textValue());
        assertEquals("to check", error.get("next_steps").get(0).get("what").textValue());
        assertEquals(5, revoke.exit.get().intValue(), "the command itself ran on until its timeout");
    }

    @Test
    void revoke_interruptedAtThePrompt_changedNothing() throws Exception {
        enable();
        PipedWriter keyboard = new PipedWriter();
        Running revoke = new Running(
                new BufferedReader(new PipedReader(keyboard)),
                true,
                "revoke",
                "--cluster",
                AWS_CLUSTER,
                "--api-only",
                "--evidence",
                dir.resolve("e").toString());
        revoke.awaitStderr("Type the cluster id to confirm:");

        Printed printed = interrupt();

        assertTrue(
                printed.err().contains("interrupted while revoking cluster " + AWS_CLUSTER + ": nothing was changed"),
                printed.err());
        keyboard.close();
        assertEquals(2, revoke.exit.get().intValue());
    }

    @Test
    void enable_interruptedWhileWaiting_saysItCarriesOn_andHowToWaitAgain() throws Exception {
        sandbox.setTransitionDelay(Duration.ofSeconds(30));
        Path manifest = Files.writeString(dir.resolve("cmek_config.json"), Samples.AWS_MANIFEST);
        Running enable = new Running(
                new BufferedReader(new StringReader("")),
                false,
                "enable",
                "--cluster",
                AWS_CLUSTER,
                "--manifest",
                manifest.toString(),
                "--timeout",
                "2s");
        enable.awaitStderr("ENABLING");

        Printed printed = interrupt();

        assertTrue(printed.err().contains("interrupted while enabling CMEK on cluster " + AWS_CLUSTER), printed.err());
        assertTrue(printed.err().contains("(last seen: "), printed.err());
        assertTrue(printed.err().contains("to check: cmek status --cluster " + AWS_CLUSTER), printed.err());
        assertTrue(
                printed.err()
                        .contains("to finish: cmek enable --cluster " + AWS_CLUSTER + " --manifest " + manifest
                                + " --timeout 2s"),
                printed.err());
        assertEquals("", printed.out(), "no JSON unless asked for");
        assertEquals(5, enable.exit.get().intValue());
    }

    @Test
    void exportTerraform_interrupted_saysOnlyItsFilesMayBePartlyWritten_andHowToWriteThemAgain() throws Exception {
        sandbox.setLatency(Duration.ofSeconds(2));
        Path out = dir.resolve("infra cmek");
        Running export = new Running(
                new BufferedReader(new StringReader("")),
                false,
                "export",
                "terraform",
                "--cluster",
                GCP_CLUSTER,
                "--out",
                out.toString());
        await(() -> interrupt().err().contains("exporting"), "export to be running");

        Printed printed = interrupt();

        assertTrue(
                printed.err()
                        .contains("cmek: interrupted while exporting cluster " + GCP_CLUSTER
                                + " to Terraform: nothing was changed in the Cloud API or your cloud; the files in "
                                + out + " may be partly written"),
                printed.err());
        assertTrue(
                printed.err()
                        .contains("to write them again: cmek export terraform --cluster " + GCP_CLUSTER + " --out '"
                                + out + "' --force"),
                printed.err());
        sandbox.setLatency(Duration.ZERO);
        export.exit.get(); // then it stops on its own: there is no GCP project in its environment
    }

    @Test
    void afterTheCommandFinished_theHookSaysNothing() throws Exception {
        enable();
        Printed printed = interrupt();
        assertEquals("", printed.err());
        assertEquals("", printed.out());
    }
}
