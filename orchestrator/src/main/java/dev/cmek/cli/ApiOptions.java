package dev.cmek.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * How to reach the Cloud API. The API key deliberately has no flag: a flag value would land in shell history
 * and process listings.
 */
public final class ApiOptions {
    @Option(
            names = "--server",
            paramLabel = "URL",
            description =
                    "Cloud API base URL (default: $COCKROACH_SERVER, else https://cockroachlabs.cloud). Plain http only for 127.0.0.1/localhost.")
    String server;

    @Option(
            names = "--api-key-file",
            paramLabel = "FILE",
            description = "Read the service-account API key from FILE instead of $COCKROACH_API_KEY.")
    Path apiKeyFile;
}
