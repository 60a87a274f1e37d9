package dev.cmek.cli;

import dev.cmek.ExitCode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;

/** A subcommand: it reports through {@link Report} and answers with an {@link ExitCode}. */
abstract class BaseCommand implements Callable<Integer> {
    final Terminal terminal;

    @Mixin
    OutputOptions output;

    BaseCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    Report report() {
        return new Report(terminal, output.json());
    }

    @Override
    public final Integer call() {
        return execute().code();
    }

    abstract ExitCode execute();
}
