package dev.cmek.cli;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * Whether standard input is a terminal. {@code System.console()} is not the answer on its own: on JDK 17 it is null
 * as soon as stdout is redirected ({@code cmek revoke ... > result.json}), although a person still types on stdin.
 * Java has no isatty before JDK 22's {@code Console.isTerminal()}, so {@code test -t 0} (POSIX) is asked, with
 * this process's stdin handed to it.
 */
final class StdinTerminal {
    private StdinTerminal() {}

    static boolean check() {
        if (System.console() != null) {
            return true; // JDK 17: both stdin and stdout are terminals
        }
        try {
            Process test = new ProcessBuilder("sh", "-c", "test -t 0")
                    .redirectInput(ProcessBuilder.Redirect.INHERIT)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (!test.waitFor(5, TimeUnit.SECONDS)) {
                test.destroyForcibly();
                return false;
            }
            return test.exitValue() == 0;
        } catch (IOException e) {
            return false; // no POSIX shell: treated as no terminal, so --yes is needed
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
