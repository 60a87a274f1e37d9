package dev.cmek.cli;

import java.util.Locale;
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

    /**
     * Whether {@code args} ask for JSON, read before (or without) picocli: a usage error stops parsing before the
     * option is seen, and it must be reported in JSON too. Takes {@code --output json}, {@code --output=json},
     * {@code -o json}, {@code -ojson}, {@code -o=json}; the last one given counts; nothing after {@code --}.
     */
    static boolean jsonRequested(String... args) {
        String format = null;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--")) {
                break;
            }
            if ((arg.equals("--output") || arg.equals("-o")) && i + 1 < args.length) {
                format = args[++i];
            } else if (arg.startsWith("--output=")) {
                format = arg.substring("--output=".length());
            } else if (arg.startsWith("-o=")) {
                format = arg.substring(3);
            } else if (arg.startsWith("-o") && !arg.startsWith("--")) {
                format = arg.substring(2);
            }
        }
        return format != null && format.strip().toLowerCase(Locale.ROOT).equals("json");
    }
}
