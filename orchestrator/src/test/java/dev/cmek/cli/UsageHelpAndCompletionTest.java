package dev.cmek.cli;

import static dev.cmek.cli.Cli.exit;
import static dev.cmek.cli.Cli.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.AutoComplete;

/** What a script and a shell see of the command line itself: usage errors, --help, and completion. */
class UsageHelpAndCompletionTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A word of the help broken at a dot or slash, e.g. {@code (default: .} then {@code /cmek-revocation-...}. */
    private static final Pattern BROKEN_WORD = Pattern.compile("^\\s+[./]\\S");

    @ParameterizedTest
    @ValueSource(
            strings = {
                "status --clustr x",
                "status",
                "plan --cluster",
                "revoke --cluster x --cloud-only --api-only",
                "revoke",
                "rotate --cluster x",
                "add-region --cluster x",
                "manifest",
                "frobnicate",
                "status --cluster x extra"
            })
    void aUsageError_isOneLineOnStderr_andInJsonTheSameMessage(String line) throws Exception {
        String[] args = line.split(" ");
        Cli.Result text = exit(2, new Cli().run(args));
        assertEquals(1, text.err().lines().count(), text.err());
        assertEquals("", text.out());

        String[] withJson = Arrays.copyOf(args, args.length + 2);
        withJson[args.length] = "-o";
        withJson[args.length + 1] = "json";
        Cli.Result json = exit(2, new Cli().run(withJson));
        assertEquals(1, json.err().lines().count(), json.err());
        JsonNode error = JSON.readTree(json.out()).get("error");
        assertEquals(2, error.get("exit_code").intValue());
        assertEquals(json.err().strip(), "cmek: " + error.get("message").textValue());
    }

    @Test
    void revokeHelp_startsWithTheChoiceItNeeds_andNoHelpBreaksAWordAtADot() {
        String revoke = ok(new Cli().run("revoke", "--help")).out();
        assertTrue(
                revoke.startsWith("Usage: cmek revoke (--cluster=ID | --all-using=ACCOUNT) [--yes] [--dry-run]\n"),
                revoke);
        assertTrue(
                revoke.replaceAll("\\s+", " ")
                        .contains("(default: cmek-revocation-<cluster>-<time> in the current directory)"),
                revoke);
        for (String command : List.of(
                "status",
                "plan",
                "provision",
                "enable",
                "rotate",
                "add-region",
                "verify",
                "revoke",
                "restore",
                "fleet",
                "audit",
                "sandbox")) {
            String help = ok(new Cli().run(command, "--help")).out();
            for (String l : help.lines().toList()) {
                assertFalse(BROKEN_WORD.matcher(l).find(), command + " --help: '" + l + "' in\n" + help);
            }
        }
    }

    /** The bash completion script as the build generates it, asked for the words after {@code line} as bash would. */
    @ParameterizedTest
    @CsvSource({
        "provision --gcp-protection, SOFTWARE HSM",
        "enable --azure-protection, SOFTWARE HSM",
        "plan --azure-protection, SOFTWARE HSM",
        "revoke --cloud, aws gcp azure",
        "status -o, text json",
        "verify --output, text json",
        "manifest validate --for, ENABLE ROTATE ADD_REGION"
    })
    void completion_offersTheValuesOfAnOptionThatTakesOneOfAFewWords(String line, String values, @TempDir Path dir)
            throws Exception {
        Terminal quiet = new Terminal(
                new BufferedReader(new StringReader("")),
                new PrintWriter(new StringWriter()),
                new PrintWriter(new StringWriter()),
                Map.of(),
                false);
        Path script = Files.writeString(dir.resolve("cmek"), AutoComplete.bash("cmek", Main.commandLine(quiet)));
        List<String> words = new ArrayList<>(List.of("cmek"));
        words.addAll(List.of(line.split(" ")));
        String bash = "source '" + script + "' 2>/dev/null; COMP_WORDS=(" + String.join(" ", words) + " '');"
                + " COMP_CWORD=" + words.size() + "; COMP_LINE='" + String.join(" ", words) + " ';"
                + " COMP_POINT=${#COMP_LINE}; _complete_cmek 2>/dev/null; printf '%s\\n' \"${COMPREPLY[@]}\"";
        Process p = new ProcessBuilder("bash", "-c", bash)
                .redirectErrorStream(false)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        Set<String> offered =
                new TreeSet<>(out.lines().filter(s -> !s.isBlank()).toList());
        assertEquals(new TreeSet<>(List.of(values.split(" "))), offered, "cmek " + line + " <TAB>");
    }
}
