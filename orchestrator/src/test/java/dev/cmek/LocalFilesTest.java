package dev.cmek;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** AtomicFile, OutputPath, StrictJson's reading, FileProblem and Durations: the local-file and wording rules. */
class LocalFilesTest {
    @TempDir
    Path dir;

    @Test
    void atomicWrite_throughAChainOfLinks_replacesTheEndTarget_andKeepsEveryLink() throws Exception {
        Path target = dir.resolve("real/config.json");
        Files.createDirectories(target.getParent());
        Files.writeString(target, "old");
        Path middle = Files.createSymbolicLink(dir.resolve("middle.json"), Path.of("real/config.json"));
        Path first = Files.createSymbolicLink(dir.resolve("first.json"), middle.getFileName());

        AtomicFile.write(first, "new");

        assertEquals("new", Files.readString(target));
        assertTrue(Files.isSymbolicLink(first) && Files.isSymbolicLink(middle));
        try (var files = Files.list(target.getParent())) {
            assertEquals(
                    List.of(target), files.toList(), "the temporary file was in the target's directory, and is gone");
        }
    }

    @Test
    void atomicWrite_toADanglingLink_createsItsTarget() throws Exception {
        Path link = Files.createSymbolicLink(dir.resolve("link.json"), Path.of("made.json"));
        AtomicFile.write(link, "x");
        assertEquals("x", Files.readString(dir.resolve("made.json")));
        assertTrue(Files.isSymbolicLink(link));
    }

    @Test
    void linkLoop_isOneLineOfBadInput() throws Exception {
        Path a = dir.resolve("a");
        Files.createSymbolicLink(a, Path.of("b"));
        Files.createSymbolicLink(dir.resolve("b"), Path.of("a"));
        var e = assertThrows(CmekException.InvalidInput.class, () -> AtomicFile.write(a, "x"));
        assertEquals(a + ": too many levels of symbolic links", e.getMessage());
    }

    @Test
    void outputPath_refusesDirectoriesDevicesMissingParentsAndUnwritablePlaces() throws Exception {
        assertEquals(
                "--out " + dir + " is a directory; give a file name, e.g. " + dir.resolve("cmek_config.json"),
                assertThrows(
                                CmekException.InvalidInput.class,
                                () -> OutputPath.checkFile(dir, "--out", "cmek_config.json"))
                        .getMessage());
        assertTrue(assertThrows(
                        CmekException.InvalidInput.class,
                        () -> OutputPath.checkFile(Path.of("/dev/null"), "--out", "x.json"))
                .getMessage()
                .contains("is not a regular file"));
        assertTrue(assertThrows(
                        CmekException.InvalidInput.class,
                        () -> OutputPath.checkFile(dir.resolve("no/such.json"), "--state", "x.json"))
                .getMessage()
                .contains("does not exist; create it first or choose another --state"));
        assertTrue(assertThrows(
                        CmekException.InvalidInput.class,
                        () -> OutputPath.checkDirectory(Path.of("/proc/x"), "--evidence"))
                .getMessage()
                .startsWith("--evidence /proc/x: cannot create files in /proc"));
        Path file = Files.writeString(dir.resolve("file"), "x");
        assertTrue(assertThrows(CmekException.InvalidInput.class, () -> OutputPath.checkDirectory(file, "--evidence"))
                .getMessage()
                .contains("is a file, not a directory"));
        OutputPath.checkFile(dir.resolve("fine.json"), "--out", "x.json");
        OutputPath.checkDirectory(dir.resolve("new-dir"), "--evidence");
        try (var files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList(), "the checks leave nothing behind");
        }
    }

    @Test
    void readText_dropsAByteOrderMark() throws Exception {
        Path bom = Files.writeString(dir.resolve("bom.json"), "\uFEFF{\"a\": 1}", StandardCharsets.UTF_8);
        assertEquals("{\"a\": 1}", StrictJson.readText(bom));
    }

    @Test
    void fileProblems_areWords() {
        assertEquals("permission denied", FileProblem.describe(new AccessDeniedException("/x")));
        assertEquals(
                "read-only file system",
                FileProblem.describe(new FileSystemException("/x", null, "Read-only file system")));
    }

    @Test
    void durations_readBackAsGiven() {
        assertEquals("300ms", Durations.format(Duration.ofMillis(300)));
        assertEquals("1500ms", Durations.format(Duration.ofMillis(1500)));
        assertEquals("90s", Durations.format(Duration.ofSeconds(90)));
        assertEquals("10m", Durations.format(Duration.ofMinutes(10)));
        assertEquals("2h", Durations.format(Duration.ofHours(2)));
        assertEquals("0s", Durations.format(Duration.ZERO));
    }
}
