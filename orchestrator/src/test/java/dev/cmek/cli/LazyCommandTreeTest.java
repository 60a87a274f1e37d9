package dev.cmek.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Main models only the command a run names (start-up time): what the user sees must be the same as with the whole tree.
 */
class LazyCommandTreeTest {

    @Test
    void named_commandFirst_isThatCommandOnly() {
        assertEquals(RevokeCommand.class, Main.named("revoke", "--cluster", "x"));
        assertEquals(ManifestCommand.class, Main.named("manifest", "validate", "f.json"));
        assertEquals(AddRegionCommand.class, Main.named("add-region"));
        assertEquals(ExportCommand.class, Main.named("export", "terraform", "--cluster", "x"));
    }

    @Test
    void commandTable_namesEachCommandAsItsAnnotationDoes() {
        CmekCommand.COMMANDS.forEach((name, command) -> assertEquals(
                name, command.getAnnotation(picocli.CommandLine.Command.class).name(), command.getName()));
    }

    @Test
    void named_noCommandOptionFirstTypoOrHelp_isTheWholeTree() {
        assertNull(Main.named());
        assertNull(Main.named("--help"));
        assertNull(Main.named("-o", "json", "revoke"));
        assertNull(Main.named("revok", "--cluster", "x"));
        assertNull(Main.named("help", "revoke"));
    }

    @Test
    void wholeTree_listsEveryCommandInHelpOrder() {
        List<String> names = List.copyOf(
                Main.commandLine(terminal(new StringWriter())).getSubcommands().keySet());
        assertEquals(
                List.of(
                        "status",
                        "plan",
                        "provision",
                        "enable",
                        "rotate",
                        "add-region",
                        "verify",
                        "audit",
                        "revoke",
                        "restore",
                        "fleet",
                        "manifest",
                        "export",
                        "sandbox",
                        "help"),
                names);
    }

    @ParameterizedTest
    @ValueSource(strings = {"revoke", "provision", "manifest", "audit", "sandbox", "export"})
    void commandHelp_isTheSameAsFromTheWholeTree(String command) {
        StringWriter whole = new StringWriter();
        int wholeExit = Main.commandLine(terminal(whole)).execute(command, "--help");
        Cli.Result lazy = new Cli().run(command, "--help");
        assertEquals(wholeExit, lazy.exit());
        assertEquals(whole.toString(), lazy.out());
    }

    @ParameterizedTest
    @ValueSource(strings = {"--help", "-h"})
    void topLevelHelp_isTheSameAsFromTheWholeTree(String option) {
        assertTrue(Main.topLevelHelp(option));
        StringWriter whole = new StringWriter();
        int wholeExit = Main.commandLine(terminal(whole)).execute(option);
        Cli.Result summary = new Cli().run(option);
        assertEquals(wholeExit, summary.exit());
        assertEquals(whole.toString(), summary.out());
        assertTrue(summary.out().contains("revoke"), summary.out());
    }

    @Test
    void topLevelHelp_isOnlyTheHelpOptionAlone() {
        assertFalse(Main.topLevelHelp());
        assertFalse(Main.topLevelHelp("--help", "revoke"));
        assertFalse(Main.topLevelHelp("revoke", "--help"));
        assertFalse(Main.topLevelHelp("--version"));
    }

    @Test
    void usageErrorInTheNamedCommand_namesTheCommandAndSuggests() {
        Cli.Result r = new Cli().run("revoke", "--clustr", "x", "--yes");
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("did you mean --cluster?"), r.err());
        assertTrue(r.err().contains("cmek revoke --help"), r.err());
    }

    @Test
    void inheritedVersionOption_worksInTheNamedCommand() {
        Cli.Result r = new Cli().run("revoke", "--version");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("cmek "), r.out());
    }

    private static Terminal terminal(StringWriter out) {
        return new Terminal(
                new BufferedReader(new StringReader("")),
                new PrintWriter(out, true),
                new PrintWriter(new StringWriter(), true),
                Map.of(),
                false);
    }
}
