package dev.cmek.cli;

import java.time.Duration;
import picocli.CommandLine.Mixin;

/**
 * A command that submits key specs to CockroachDB and waits for the new status (enable, rotate, add-region): the
 * options of {@code cmek provision} for the keys it may make, {@code --propagation-timeout} and the wait options.
 */
abstract class SubmittingCommand extends CloudCommand {
    @Mixin
    WaitOptions wait;

    @Mixin
    CloudOptions cloud;

    @Mixin
    PropagationOption propagation;

    SubmittingCommand(Terminal terminal) {
        super(terminal);
    }

    @Override
    final CloudOptions cloudOptions() {
        return cloud;
    }

    @Override
    final Duration propagationTimeout() {
        return propagation.timeout;
    }
}
