package dev.cmek.cli;

import java.io.BufferedReader;
import java.io.PrintWriter;
import java.util.Map;

/**
 * Everything a command may touch outside the process: its streams, its environment, and whether a person is
 * there to answer a question. Tests pass their own.
 */
public record Terminal(
        BufferedReader in, PrintWriter out, PrintWriter err, Map<String, String> env, boolean interactive) {}
