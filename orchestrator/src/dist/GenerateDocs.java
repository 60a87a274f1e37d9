import dev.cmek.cli.Main;
import dev.cmek.cli.Terminal;
import java.io.BufferedReader;
import java.io.File;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.codegen.docgen.manpage.ManPageGenerator;

/**
 * Build step (run by the orchestrator pom with the compile classpath, as a single-file program): the bash/zsh
 * completion script (picocli's AutoComplete) and the AsciiDoc man pages (picocli's ManPageGenerator) of the very
 * command tree cmek runs, built the way Main builds it.
 *
 * <p>Usage: {@code java -cp CLASSPATH GenerateDocs.java COMPLETION_FILE ADOC_DIR}
 */
public class GenerateDocs {
    public static void main(String[] args) throws Exception {
        Path completion = Path.of(args[0]);
        File adocDir = new File(args[1]);
        Terminal quiet = new Terminal(
                new BufferedReader(new StringReader("")),
                new PrintWriter(new StringWriter()),
                new PrintWriter(new StringWriter()),
                Map.of(),
                false);
        CommandLine cli = Main.commandLine(quiet);
        Files.createDirectories(completion.toAbsolutePath().getParent());
        Files.writeString(completion, AutoComplete.bash("cmek", cli), StandardCharsets.UTF_8);
        adocDir.mkdirs();
        Path longer = Path.of(args.length > 2 ? args[2] : "src/dist/man");
        for (CommandLine sub : cli.getSubcommands().values()) {
            withLongDescription(sub.getCommandSpec(), longer);
        }
        int rc = ManPageGenerator.generateManPage(adocDir, null, new boolean[0], true, cli.getCommandSpec());
        if (rc != 0) {
            throw new IllegalStateException("ManPageGenerator exited " + rc);
        }
    }

    /**
     * `--help` keeps a command's description short; its man page adds the paragraphs of {@code DIR/<name>.txt} (blank
     * lines between paragraphs), where there is one.
     */
    private static void withLongDescription(CommandLine.Model.CommandSpec spec, Path dir) throws Exception {
        Path text = dir.resolve(spec.qualifiedName(" ").replaceFirst("^cmek ", "").replace(' ', '-') + ".txt");
        if (Files.exists(text)) {
            List<String> description = new ArrayList<>(List.of(spec.usageMessage().description()));
            for (String paragraph : Files.readString(text, StandardCharsets.UTF_8).strip().split("\\n\\s*\\n")) {
                description.add("%n" + paragraph.replace('\n', ' ').replace("%", "%%"));
            }
            spec.usageMessage().description(description.toArray(String[]::new));
        }
        for (CommandLine sub : spec.subcommands().values()) {
            withLongDescription(sub.getCommandSpec(), dir);
        }
    }
}
