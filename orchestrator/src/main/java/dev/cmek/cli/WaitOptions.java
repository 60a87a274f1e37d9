package dev.cmek.cli;

import java.time.Duration;
import picocli.CommandLine.Option;

/** Whether and how long a changing command waits for CockroachDB to finish. */
public final class WaitOptions {
    @Option(
            names = "--no-wait",
            description = "Return as soon as the API accepted the request, without waiting for the new status.")
    boolean noWait;

    @Option(
            names = "--timeout",
            paramLabel = "DURATION",
            defaultValue = "30m",
            converter = DurationConverter.class,
            description =
                    "Give up waiting after DURATION (exit code 5; the operation may still complete). Default: ${DEFAULT-VALUE}.")
    Duration timeout = Duration.ofMinutes(30);
}
