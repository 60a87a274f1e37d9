package dev.cmek.cli;

import dev.cmek.ExitCode;
import dev.cmek.workflow.BreachResponse;
import dev.cmek.workflow.Provisioning;
import java.time.Clock;
import picocli.CommandLine.Mixin;

/** A subcommand that works in the customer's cloud as well as with the Cloud API. */
abstract class CloudCommand extends ApiCommand {
    @Mixin
    CloudOptions cloudOptions;

    private CloudKeysFactory keys;
    private Provisioning provisioning;

    CloudCommand(Terminal terminal) {
        super(terminal);
    }

    @Override
    final ExitCode execute() {
        try {
            return run();
        } finally {
            if (keys != null) {
                keys.close();
            }
        }
    }

    abstract ExitCode run();

    CloudKeysFactory keys() {
        if (keys == null) {
            keys = new CloudKeysFactory(cloudOptions, terminal.env(), cloudOptions.propagationBound);
        }
        return keys;
    }

    /** One per command, so the organization is read once however many clusters the command works on. */
    Provisioning provisioning() {
        if (provisioning == null) {
            provisioning = new Provisioning(api(), keys());
        }
        return provisioning;
    }

    BreachResponse breachResponse() {
        return new BreachResponse(api(), waiter(), keys(), Clock.systemUTC(), report()::progress);
    }
}
