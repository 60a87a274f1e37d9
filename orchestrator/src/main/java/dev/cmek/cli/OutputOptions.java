package dev.cmek.cli;

import picocli.CommandLine.Option;

/** {@code --output text|json}, shared by every command. */
public final class OutputOptions {
    @Option(
            names = {"-o", "--output"},
            paramLabel = "FORMAT",
            defaultValue = "text",
            description =
                    "text (default) or json: one JSON document on stdout and nothing else there; progress and errors still go to stderr.")
    OutputFormat format = OutputFormat.text;

    boolean json() {
        return format == OutputFormat.json;
    }
}
