package dev.cmek.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A finished command's process ends, with its exit code, whatever a shutdown hook does. */
class ExitBoundTest {
    @Test
    void aShutdownHookThatNeverEnds_doesNotKeepAFinishedCommandsProcess() throws Exception {
        Process child = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        ExitProbe.class.getName(),
                        "3")
                .redirectErrorStream(true)
                .start();

        // The hook sleeps ten minutes; the bound is Main.EXIT_BOUND, and a minute leaves room for a loaded machine.
        boolean ended = child.waitFor(60, TimeUnit.SECONDS);
        if (!ended) {
            child.destroyForcibly();
        }

        assertTrue(ended, "a shutdown hook kept the process past a minute (the bound is " + Main.EXIT_BOUND + ")");
        assertEquals(3, child.exitValue(), "with the command's exit code");
    }
}
