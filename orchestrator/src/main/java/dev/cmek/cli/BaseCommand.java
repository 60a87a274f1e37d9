package dev.cmek.cli;

import dev.cmek.CmekException;
import dev.cmek.ExitCode;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;

/** A subcommand: it reports through {@link Report} and answers with an {@link ExitCode}. */
abstract class BaseCommand implements Callable<Integer> {
    final Terminal terminal;

    @Mixin
    OutputOptions output;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    BaseCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    Report report() {
        return new Report(terminal, output.json(), clusterGiven());
    }

    /** The {@code --cluster} this command was given, if it takes one: the hints in its messages name it. */
    java.util.Optional<String> clusterGiven() {
        CommandLine.Model.OptionSpec option = spec == null ? null : spec.findOption("--cluster");
        Object value = option == null ? null : option.getValue();
        return value == null ? java.util.Optional.empty() : java.util.Optional.of(value.toString());
    }

    @Override
    public final Integer call() {
        Interruption.started(this);
        try {
            return execute().code();
        } finally {
            Interruption.finished(this);
        }
    }

    abstract ExitCode execute();

    /**
     * What to tell a person who interrupts this command: by default that nothing was changed, which holds for every
     * read-only command; changing commands say where they stand and how to finish. Null: say nothing.
     */
    Interruption.Notice interruptNotice() {
        return Interruption.Notice.readOnly("running " + name());
    }

    /** {@code cmek status}, {@code cmek manifest build}, ... */
    String name() {
        return spec == null ? "cmek" : spec.qualifiedName();
    }

    /** The arguments this command was started with, from the subcommand on: to print the command again. */
    List<String> originalArgs() {
        if (spec == null) {
            return List.of();
        }
        return spec.commandLine().getParseResult().originalArgs();
    }

    /**
     * Asks the person at the terminal to type {@code expected} (a cluster id, an account) before a change no API call
     * undoes; {@code yes} skips it. Without a terminal to ask on, refuses: nothing is changed.
     */
    void confirmByTyping(boolean yes, String expected, String noun, String warning) {
        if (yes) {
            return;
        }
        if (!terminal.interactive()) {
            throw new CmekException.InvalidInput("refusing to " + name().replaceFirst("^cmek ", "")
                    + " without --yes: no terminal to confirm on;" + " nothing was changed");
        }
        terminal.err().println(warning);
        terminal.err().print("Type the " + noun + " to confirm: ");
        terminal.err().flush();
        String answer;
        try {
            answer = terminal.in().readLine();
        } catch (IOException e) {
            answer = null;
        }
        if (answer == null || !answer.strip().equals(expected)) {
            throw new CmekException.InvalidInput("not confirmed; nothing was changed");
        }
    }

    /** This very command line again, quoted for a shell. */
    String sameCommand() {
        return Interruption.command(originalArgs());
    }
}
