package dev.cmek.cli;

import dev.cmek.ExitCode;
import picocli.CommandLine.Command;

@Command(name = "sandbox", description = {"Serve a local sandbox of the CockroachDB Cloud API on 127.0.0.1 (placeholder until the sandbox lands)."})
final class SandboxCommand extends BaseCommand {
    SandboxCommand(Terminal terminal) {
        super(terminal);
    }

    @Override
    ExitCode execute() {
        throw new dev.cmek.CmekException.InvalidInput("sandbox is not available in this build");
    }
}
