package dev.cmek.cli;

import java.io.BufferedReader;
import java.io.PrintWriter;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * Everything a command may touch outside the process: its streams, its environment, and whether a person is
 * there to answer a question. Tests pass their own.
 *
 * @param stdinIsTerminal asked only when a command needs to ask a question (finding out may start a process)
 */
public record Terminal(
        BufferedReader in, PrintWriter out, PrintWriter err, Map<String, String> env, BooleanSupplier stdinIsTerminal) {

    public Terminal(BufferedReader in, PrintWriter out, PrintWriter err, Map<String, String> env, boolean interactive) {
        this(in, out, err, env, () -> interactive);
    }

    /** Whether a person can answer on stdin: stdin is a terminal, wherever stdout goes. */
    public boolean interactive() {
        return stdinIsTerminal.getAsBoolean();
    }
}
