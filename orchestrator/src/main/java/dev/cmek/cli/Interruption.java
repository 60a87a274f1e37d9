package dev.cmek.cli;

import dev.cmek.ExitCode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What a person who pressed Ctrl-C is told: what the running command was doing, where things stand, and the exact
 * commands that finish or undo it. {@link Main} calls {@link #report} from a shutdown hook; the JVM then exits with
 * 130 (128 + SIGINT).
 */
final class Interruption {
    private static final Pattern SHELL_SAFE = Pattern.compile("[A-Za-z0-9_@%+=:,./-]+");

    private static volatile BaseCommand running;
    private static volatile String lastProgress;

    private Interruption() {}

    /**
     * What to tell: {@code state} is one sentence, {@code steps} are labelled commands in the order to run them
     * (e.g. {@code "to finish"} -> {@code cmek revoke ...}).
     */
    record Notice(String doing, String state, Map<String, String> steps) {
        static Notice readOnly(String doing) {
            return new Notice(doing, "nothing was changed", Map.of());
        }

        String message() {
            return Report.plain("interrupted while " + doing + ": " + state);
        }
    }

    /** Labelled commands in order: {@code steps("to check", "cmek status ...", "to finish", "cmek ...")}. */
    static Map<String, String> steps(String... labelsAndCommands) {
        Map<String, String> steps = new LinkedHashMap<>();
        for (int i = 0; i + 1 < labelsAndCommands.length; i += 2) {
            steps.put(labelsAndCommands[i], labelsAndCommands[i + 1]);
        }
        return steps;
    }

    /** Where a wait stood when interrupted: the last progress line, if any. */
    static String lastSeen() {
        String line = lastProgress;
        return line == null ? "" : " (last seen: " + line.strip() + ")";
    }

    static void started(BaseCommand command) {
        lastProgress = null;
        running = command;
    }

    static void finished(BaseCommand command) {
        if (running == command) {
            running = null;
        }
    }

    /** The last progress line the command printed, e.g. the regions' status while waiting. */
    static void progress(String line) {
        lastProgress = line;
    }

    /** Prints the running command's notice, if a command is running (the hook also runs on a normal exit). */
    static void report(Terminal terminal) {
        BaseCommand command = running;
        if (command == null) {
            return;
        }
        Notice notice;
        try {
            notice = command.interruptNotice();
        } catch (RuntimeException e) {
            notice = new Notice("running " + command.name(), "its state could not be read", Map.of());
        }
        if (notice == null) {
            return;
        }
        print(terminal, notice, command.output != null && command.output.json());
    }

    static void print(Terminal terminal, Notice notice, boolean json) {
        terminal.err().println();
        terminal.err().println("cmek: " + notice.message());
        notice.steps().forEach((label, cmd) -> terminal.err().println("  " + label + ": " + cmd));
        terminal.err().flush();
        if (json) {
            Map<String, Object> error = new LinkedHashMap<>();
            error.put("exit_code", ExitCode.INTERRUPTED.code());
            error.put("kind", ExitCode.INTERRUPTED.kind());
            error.put("message", notice.message());
            List<Map<String, String>> steps = new ArrayList<>();
            notice.steps().forEach((label, cmd) -> steps.add(Map.of("what", label, "command", cmd)));
            error.put("next_steps", steps);
            terminal.out().println(Report.toJson(Map.of("error", error)));
            terminal.out().flush();
        }
    }

    /** {@code cmek ARGS}, quoted for a POSIX shell. */
    static String command(List<String> args) {
        StringBuilder b = new StringBuilder("cmek");
        for (String arg : args) {
            b.append(' ').append(shellWord(arg));
        }
        return b.toString();
    }

    /** One word for a POSIX shell: as it is when nothing in it is special, else single-quoted. */
    static String shellWord(String arg) {
        return SHELL_SAFE.matcher(arg).matches() ? arg : "'" + arg.replace("'", "'\\''") + "'";
    }
}
