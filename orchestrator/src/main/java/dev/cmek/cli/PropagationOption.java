package dev.cmek.cli;

import java.time.Duration;
import picocli.CommandLine.Option;

/** {@code --propagation-timeout}: only for the commands that submit key specs (enable, rotate, add-region, fleet). */
public final class PropagationOption {
    static final Duration DEFAULT = Duration.ofMinutes(10);

    @Option(
            names = "--propagation-timeout",
            paramLabel = "DURATION",
            defaultValue = "10m",
            converter = DurationConverter.class,
            description =
                    "How long to keep retrying while CockroachDB cannot reach the key yet (cloud IAM propagation). Default: ${DEFAULT-VALUE}.")
    Duration timeout = DEFAULT;
}
