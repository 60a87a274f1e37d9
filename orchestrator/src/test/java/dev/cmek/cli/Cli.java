package dev.cmek.cli;

import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.util.HashMap;
import java.util.Map;

/** Runs the CLI in-process with captured streams, a given environment and given keyboard input. */
public final class Cli {
    private final Map<String, String> env = new HashMap<>();
    private String stdin = "";
    private boolean interactive;

    public record Result(int exit, String out, String err) {
        /** Everything the run printed, for checks that a secret appears nowhere. */
        public String all() {
            return out + "\n" + err;
        }
    }

    public Cli env(String name, String value) {
        env.put(name, value);
        return this;
    }

    public Cli typing(String input) {
        this.stdin = input;
        this.interactive = true;
        return this;
    }

    public Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Terminal terminal = new Terminal(
                new BufferedReader(new StringReader(stdin)),
                new PrintWriter(out, true),
                new PrintWriter(err, true),
                Map.copyOf(env),
                interactive);
        int exit = Main.run(terminal, args);
        Result result = new Result(exit, out.toString(), err.toString());
        String key = env.get("COCKROACH_API_KEY");
        if (key != null && !key.isBlank() && result.all().contains(key)) {
            throw new AssertionError("the API key appeared in the output of cmek " + String.join(" ", args));
        }
        return result;
    }
}
