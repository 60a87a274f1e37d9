package dev.cmek.cli;

/** How a command reports: readable lines, or one JSON document on stdout for scripts. */
public enum OutputFormat {
    text,
    json
}
