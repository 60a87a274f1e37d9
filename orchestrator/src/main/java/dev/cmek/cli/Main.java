package dev.cmek.cli;

import dev.cmek.CmekException;
import dev.cmek.ExitCode;
import dev.cmek.api.ApiKey;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.lang.reflect.Constructor;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine;

/** The {@code cmek} entry point; {@link #run} is the same thing for tests, with their own streams and environment. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        int code = run(new Terminal(in, out, err, System.getenv(), System.console() != null), args);
        out.flush();
        err.flush();
        System.exit(code);
    }

    public static int run(Terminal terminal, String... args) {
        for (String arg : args) {
            // A user trying to pass the key as a flag must not see it echoed back, nor find it in a log.
            if (arg.equals("--api-key") || arg.startsWith("--api-key=")) {
                terminal.err()
                        .println(
                                "cmek: there is no --api-key flag (a flag value ends up in shell history and process lists): set "
                                        + ApiKey.ENV + " or use --api-key-file FILE");
                terminal.err().flush();
                return ExitCode.BAD_INPUT.code();
            }
        }
        CommandLine cli = new CommandLine(CmekCommand.class, new TerminalFactory(terminal));
        cli.setOut(terminal.out());
        cli.setErr(terminal.err());
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setUsageHelpAutoWidth(true);
        cli.setParameterExceptionHandler((ex, arguments) -> usageError(terminal, ex));
        cli.setExecutionExceptionHandler(
                (ex, commandLine, parseResult) -> failure(terminal, ex, commandLine.getCommand()));
        return cli.execute(args);
    }

    private static int usageError(Terminal terminal, CommandLine.ParameterException ex) {
        terminal.err().println("cmek: " + redact(terminal, null, ex.getMessage()));
        CommandLine cmd = ex.getCommandLine();
        terminal.err().println("Run '" + cmd.getCommandSpec().qualifiedName() + " --help' for usage.");
        terminal.err().flush();
        return ExitCode.BAD_INPUT.code();
    }

    private static int failure(Terminal terminal, Exception ex, Object command) {
        ExitCode code = ex instanceof CmekException c ? c.exitCode() : ExitCode.INTERNAL;
        ApiKey key = command instanceof ApiCommand api ? api.apiKey().orElse(null) : null;
        String message = ex instanceof CmekException
                ? ex.getMessage()
                : "internal error: " + ex.getClass().getName()
                        + (ex.getMessage() == null ? "" : ": " + ex.getMessage());
        message = redact(terminal, key, message);
        terminal.err().println("cmek: " + message);
        if ("1".equals(terminal.env().get("CMEK_DEBUG"))) {
            StringBuilder trace = new StringBuilder();
            for (Throwable t = ex; t != null; t = t.getCause()) {
                trace.append(t).append('\n');
                for (StackTraceElement el : t.getStackTrace()) {
                    trace.append("    at ").append(el).append('\n');
                }
            }
            terminal.err().print(redact(terminal, key, trace.toString()));
        }
        terminal.err().flush();
        if (command instanceof BaseCommand base && base.output != null && base.output.json()) {
            Map<String, Object> error = new LinkedHashMap<>();
            error.put("exit_code", code.code());
            error.put("kind", code.name().toLowerCase());
            error.put("message", message);
            terminal.out().println(Report.toJson(Map.of("error", error)));
            terminal.out().flush();
        }
        return code.code();
    }

    private static String redact(Terminal terminal, ApiKey key, String text) {
        String result = key == null ? text : key.redact(text);
        return ApiKey.redact(result, terminal.env().get(ApiKey.ENV));
    }

    /** Hands each command the terminal it runs in. */
    private record TerminalFactory(Terminal terminal) implements CommandLine.IFactory {
        @Override
        public <K> K create(Class<K> cls) throws Exception {
            try {
                Constructor<K> withTerminal = cls.getDeclaredConstructor(Terminal.class);
                withTerminal.setAccessible(true);
                return withTerminal.newInstance(terminal);
            } catch (NoSuchMethodException e) {
                return CommandLine.defaultFactory().create(cls);
            }
        }
    }
}
