package dev.cmek.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cmek.ExitCode;
import dev.cmek.PrettyJson;
import dev.cmek.workflow.ReadyToRun;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Where a command's results go: readable lines on stdout, or exactly one JSON document on stdout. Progress
 * always goes to stderr so that stdout stays parseable.
 */
final class Report {
    static final ObjectMapper JSON = JsonMapper.builder().build();

    /**
     * A Java exception's class name inside a message, e.g. {@code io.grpc.StatusRuntimeException: }: the libraries
     * below the adapters put them in their messages, and they mean nothing to a user.
     */
    private static final Pattern CLASS_NAME =
            Pattern.compile("\\b(?:[a-z][a-z0-9_]*\\.)+[A-Z][A-Za-z0-9_$]*(?:Exception|Error)\\b:?\\s*"
                    + "|\\b[A-Z][A-Za-z0-9_$]*Exception\\b:?\\s*");

    private final Terminal terminal;
    private final boolean json;
    private final java.util.Optional<String> cluster;

    /** @param cluster the cluster the command works on, if one: the hints in a failure's message name it */
    Report(Terminal terminal, boolean json, java.util.Optional<String> cluster) {
        this.terminal = terminal;
        this.json = json;
        this.cluster = cluster;
    }

    boolean json() {
        return json;
    }

    /** A progress line on stderr (shown in both formats). */
    void progress(String line) {
        line = plain(line);
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

    /**
     * A result that is also a failure (verification found problems, a CMEK status is FAILED, provisioning is
     * blocked, some clusters of a fleet failed): the document as usual, plus, as every failure, the {@code error}
     * object in JSON and a {@code cmek: message} line on stderr. Returns {@code code}.
     */
    ExitCode result(Object document, List<String> lines, ExitCode code, String message) {
        message = plain(ReadyToRun.forCluster(message, cluster.orElse(null)));
        if (code == ExitCode.OK) {
            result(document, lines);
            return code;
        }
        if (json) {
            ObjectNode node = JSON.valueToTree(document);
            node.set("error", JSON.valueToTree(Main.errorDocument(code, message).get("error")));
            terminal.out().println(toJson(node));
        } else {
            lines.forEach(terminal.out()::println);
        }
        terminal.out().flush();
        terminal.err().println("cmek: " + message);
        terminal.err().flush();
        return code;
    }

    /** {@code text} without Java class names: the one place every message passes before a user sees it. */
    static String plain(String text) {
        return text == null ? "" : CLASS_NAME.matcher(text).replaceAll("");
    }

    static String toJson(Object document) {
        return PrettyJson.write(JSON, document);
    }
}
