package dev.cmek.cli;

import dev.cmek.CmekException;
import dev.cmek.ExitCode;
import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Runs {@code cmek fleet} in-process under a stand-in root, until FleetCommand is registered in CmekCommand (then
 * {@link Cli} covers it through Main.run). Like {@link Cli}, it fails any run whose output contains the API key.
 */
final class FleetCli {
    private final Map<String, String> env = new HashMap<>();

    @Command(name = "cmek", mixinStandardHelpOptions = true, scope = CommandLine.ScopeType.INHERIT)
    static final class Root implements Runnable {
        @Override
        public void run() {}
    }

    FleetCli env(String name, String value) {
        env.put(name, value);
        return this;
    }

    Cli.Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Terminal terminal = new Terminal(new BufferedReader(new StringReader("")), new PrintWriter(out, true), new PrintWriter(err, true),
                Map.copyOf(env), false);
        CommandLine cli = new CommandLine(new Root());
        cli.addSubcommand("fleet", new CommandLine(new FleetCommand(terminal)));
        cli.setOut(terminal.out());
        cli.setErr(terminal.err());
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setParameterExceptionHandler((ex, arguments) -> {
            terminal.err().println("cmek: " + ex.getMessage());
            return ExitCode.BAD_INPUT.code();
        });
        // The same mapping as Main's handler: one line, the exception's exit code.
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            terminal.err().println("cmek: " + ex.getMessage());
            return ex instanceof CmekException c ? c.exitCode().code() : ExitCode.INTERNAL.code();
        });
        String[] withCommand = new String[args.length + 1];
        withCommand[0] = "fleet";
        System.arraycopy(args, 0, withCommand, 1, args.length);
        int exit = cli.execute(withCommand);
        Cli.Result result = new Cli.Result(exit, out.toString(), err.toString());
        String key = env.get("COCKROACH_API_KEY");
        if (key != null && !key.isBlank() && result.all().contains(key)) {
            throw new AssertionError("the API key appeared in the output of cmek fleet " + String.join(" ", args));
        }
        return result;
    }
}
