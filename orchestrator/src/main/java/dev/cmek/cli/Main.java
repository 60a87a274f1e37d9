package dev.cmek.cli;

import dev.cmek.CmekException;
import dev.cmek.ExitCode;
import dev.cmek.api.ApiKey;
import dev.cmek.workflow.ReadyToRun;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.lang.reflect.Constructor;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code cmek} entry point; {@link #run} is the same thing for tests, with their own streams and environment. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        if ("1".equals(System.getenv("CMEK_DEBUG"))) {
            // The SDKs' own log lines, which simplelogger.properties silences, for a bug report (system properties
            // come before that file).
            System.setProperty("org.slf4j.simpleLogger.log.com.azure", "warn");
            System.setProperty("org.slf4j.simpleLogger.log.com.microsoft.aad.msal4j", "warn");
        }
        PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        Terminal terminal = new Terminal(in, out, err, System.getenv(), StdinTerminal::check);
        // Ctrl-C: the JVM runs this hook and exits with 128 + SIGINT = 130; the hook says where things stand.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> Interruption.report(terminal), "cmek-interrupt"));
        int code = run(terminal, args);
        out.flush();
        err.flush();
        HttpSelectors.stop();
        exit(code);
    }

    /** How long shutdown hooks may hold a finished command's process before it halts. */
    static final Duration EXIT_BOUND = Duration.ofSeconds(5);

    /**
     * Exits with {@code code}. The command is done and its output flushed, so no library's shutdown hook may keep the
     * process (azure-core's waits for its shared executor's tasks, a token request still in flight among them): after
     * {@link #EXIT_BOUND} the JVM halts with the same code. A daemon thread runs on while the hooks do.
     */
    static void exit(int code) {
        Thread watchdog = new Thread(
                () -> {
                    try {
                        Thread.sleep(EXIT_BOUND.toMillis());
                    } catch (InterruptedException e) {
                        return;
                    }
                    Runtime.getRuntime().halt(code);
                },
                "cmek-exit");
        watchdog.setDaemon(true);
        watchdog.start();
        System.exit(code);
    }

    public static int run(Terminal terminal, String... args) {
        boolean json = OutputOptions.jsonRequested(args);
        for (String arg : args) {
            // A user trying to pass the key as a flag must not see it echoed back, nor find it in a log.
            if (arg.equals("--api-key") || arg.startsWith("--api-key=")) {
                return report(
                        terminal,
                        json,
                        ExitCode.BAD_INPUT,
                        "there is no --api-key flag (a flag value ends up in shell history and process lists): set "
                                + ApiKey.ENV + " or use --api-key-file FILE");
            }
        }
        CommandLine cli = topLevelHelp(args) ? helpTree(terminal) : commandLine(terminal, named(args));
        if (json) {
            // picocli prints the version as text; in JSON it is a document, like every other result.
            cli.setExecutionStrategy(parsed ->
                    versionRequested(parsed) ? printVersion(terminal) : new CommandLine.RunLast().execute(parsed));
        }
        cli.setParameterExceptionHandler((ex, arguments) -> usageError(terminal, json, ex));
        cli.setExecutionExceptionHandler(
                (ex, commandLine, parseResult) -> failure(terminal, json, ex, commandLine.getCommand()));
        return cli.execute(args);
    }

    private static boolean versionRequested(CommandLine.ParseResult parsed) {
        for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) {
            if (p.isUsageHelpRequested()) {
                return false;
            }
            if (p.isVersionHelpRequested()) {
                return true;
            }
        }
        return false;
    }

    private static int printVersion(Terminal terminal) {
        try {
            terminal.out().println(Report.toJson(CmekCommand.Version.document()));
        } catch (IOException e) {
            return report(terminal, true, ExitCode.INTERNAL, "cannot read the version: " + e.getMessage());
        }
        terminal.out().flush();
        return ExitCode.OK.code();
    }

    /** The command tree as {@link #run} uses it, for tools that document it (completion scripts, man pages). */
    public static CommandLine commandLine(Terminal terminal) {
        return commandLine(terminal, null);
    }

    /** The command tree with only {@code only} of the commands (all of them when null). */
    private static CommandLine commandLine(Terminal terminal, Class<?> only) {
        CommandLine cli = new CommandLine(CmekCommand.class, new TerminalFactory(terminal));
        for (Class<?> command : CmekCommand.COMMANDS.values()) {
            if (only == null || command == only) {
                cli.addSubcommand(command);
            }
        }
        return configured(cli, terminal);
    }

    /** {@code cmek --help} (or {@code -h}) and nothing else: the whole help, which lists the commands and no option. */
    static boolean topLevelHelp(String... args) {
        return args.length == 1 && (args[0].equals("--help") || args[0].equals("-h"));
    }

    /**
     * The tree the top-level help needs: each command as its name and its {@code @Command} texts, which is all the
     * command list shows, instead of picocli's model of every option of every command (about 0.1 s of a cold {@code
     * cmek --help}). A test checks that the help is the same as from the whole tree.
     */
    private static CommandLine helpTree(Terminal terminal) {
        CommandLine cli = new CommandLine(CmekCommand.class, new TerminalFactory(terminal));
        CmekCommand.COMMANDS.forEach((name, command) -> {
            Command c = command.getAnnotation(Command.class);
            CommandLine.Model.CommandSpec spec =
                    CommandLine.Model.CommandSpec.create().name(name).aliases(c.aliases());
            spec.usageMessage().header(c.header()).description(c.description()).hidden(c.hidden());
            cli.addSubcommand(name, new CommandLine(spec));
        });
        return configured(cli, terminal);
    }

    private static CommandLine configured(CommandLine cli, Terminal terminal) {
        // Not in CmekCommand's annotation: picocli then calls the provider for each subcommand it adds (an inherited
        // attribute), reading the build's resources on every start; set on every command, it runs for --version only.
        withVersion(cli, new CmekCommand.Version());
        cli.setOut(terminal.out());
        cli.setErr(terminal.err());
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setUsageHelpAutoWidth(true);
        return cli;
    }

    private static void withVersion(CommandLine command, CommandLine.IVersionProvider version) {
        command.getCommandSpec().versionProvider(version);
        command.getSubcommands().values().forEach(sub -> withVersion(sub, version));
    }

    /**
     * The command the arguments name when they start with one (not help): the only one picocli then needs to model.
     * Null otherwise (no command, an option first, a typo to suggest a command for, help): then all of them.
     */
    static Class<?> named(String... args) {
        if (args.length == 0 || args[0].startsWith("-")) {
            return null;
        }
        Class<?> command = CmekCommand.COMMANDS.get(args[0]);
        return command == CommandLine.HelpCommand.class ? null : command;
    }

    /**
     * A usage error, reported like any other failure. picocli has not finished parsing when it happens, so whether
     * JSON was asked for comes from the raw arguments.
     */
    private static int usageError(Terminal terminal, boolean json, CommandLine.ParameterException ex) {
        CommandLine cmd = ex.getCommandLine();
        String message = redact(terminal, null, usageMessage(ex)) + " (see '"
                + cmd.getCommandSpec().qualifiedName() + " --help')";
        return report(terminal, json, ExitCode.BAD_INPUT, message);
    }

    /** picocli's message, with "did you mean" for a mistyped command or option. */
    static String usageMessage(CommandLine.ParameterException ex) {
        String message = ex.getMessage().replaceFirst("^Error: ", "");
        CommandLine.UnmatchedArgumentException unmatched =
                ex instanceof CommandLine.UnmatchedArgumentException u ? u : unmatchedBehind(ex);
        if (unmatched == null) {
            return message;
        }
        List<String> unknown = unmatched.getUnmatched();
        List<String> suggestions = unmatched.getSuggestions();
        if (unmatched != ex) {
            // picocli reports a missing required option before an unknown one, although the unknown one is the typo.
            message = "unknown option '" + unknown.get(0) + "'";
        } else if (!unmatched.isUnknownOption() && !unknown.isEmpty() && !suggestions.isEmpty()) {
            message = "unknown command '" + unknown.get(0) + "'";
        } else if (!unmatched.isUnknownOption() && !unknown.isEmpty()) {
            message =
                    "unexpected argument" + (unknown.size() > 1 ? "s" : "") + " '" + String.join("' '", unknown) + "'";
        }
        if (!suggestions.isEmpty()) {
            message += "; did you mean " + suggestions.get(0) + "?";
        }
        return message;
    }

    /** The unknown options of a command line that failed for another reason first, with their suggestions. */
    private static CommandLine.UnmatchedArgumentException unmatchedBehind(CommandLine.ParameterException ex) {
        CommandLine cmd = ex.getCommandLine();
        CommandLine.ParseResult parsed = cmd == null ? null : cmd.getParseResult();
        if (parsed == null) {
            return null;
        }
        List<String> options =
                parsed.unmatched().stream().filter(a -> a.startsWith("-")).toList();
        if (options.isEmpty()) {
            return null;
        }
        CommandLine.UnmatchedArgumentException u = new CommandLine.UnmatchedArgumentException(cmd, options);
        return u.getSuggestions().isEmpty() ? null : u;
    }

    private static int failure(Terminal terminal, boolean json, Exception ex, Object command) {
        ExitCode code = ex instanceof CmekException c ? c.exitCode() : ExitCode.INTERNAL;
        ApiKey key = command instanceof ApiCommand api ? api.apiKey().orElse(null) : null;
        // A bug: its class name and message mean nothing to a user; CMEK_DEBUG=1 prints them with the stack trace.
        String message = ex instanceof CmekException
                ? ex.getMessage()
                : "internal error (a bug in cmek: please report it; CMEK_DEBUG=1 shows where it happened)";
        if (command instanceof BaseCommand base) {
            message = ReadyToRun.forCluster(message, base.clusterGiven().orElse(null));
        }
        message = redact(terminal, key, message);
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
        boolean jsonOut = json || (command instanceof BaseCommand base && base.output != null && base.output.json());
        return report(terminal, jsonOut, code, message);
    }

    /**
     * The one way a failure is told: one line on stderr, and with {@code --output json} the same message in the error
     * document on stdout.
     */
    static int report(Terminal terminal, boolean json, ExitCode code, String message) {
        message = Report.plain(message);
        terminal.err().println("cmek: " + message);
        terminal.err().flush();
        if (json) {
            terminal.out().println(Report.toJson(errorDocument(code, message)));
            terminal.out().flush();
        }
        return code.code();
    }

    static Map<String, Object> errorDocument(ExitCode code, String message) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("exit_code", code.code());
        error.put("kind", code.kind());
        error.put("message", message);
        return Map.of("error", error);
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
