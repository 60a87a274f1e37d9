package dev.cmek.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.cmek.PrettyJson;
import java.util.List;

/**
 * Where a command's results go: readable lines on stdout, or exactly one JSON document on stdout. Progress
 * always goes to stderr so that stdout stays parseable.
 */
final class Report {
    static final ObjectMapper JSON = JsonMapper.builder().build();

    private final Terminal terminal;
    private final boolean json;

    Report(Terminal terminal, boolean json) {
        this.terminal = terminal;
        this.json = json;
    }

    boolean json() {
        return json;
    }

    /** A progress line on stderr (shown in both formats). */
    void progress(String line) {
        Interruption.progress(line);
        terminal.err().println(line);
        terminal.err().flush();
    }

    /** The command's result: {@code document} as JSON, or {@code lines} as text. */
    void result(Object document, List<String> lines) {
        if (json) {
            terminal.out().println(toJson(document));
        } else {
            lines.forEach(terminal.out()::println);
        }
        terminal.out().flush();
    }

    static String toJson(Object document) {
        return PrettyJson.write(JSON, document);
    }
}
