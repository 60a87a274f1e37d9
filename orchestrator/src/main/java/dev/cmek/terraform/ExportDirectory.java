package dev.cmek.terraform;

import dev.cmek.AtomicFile;
import dev.cmek.CmekException;
import dev.cmek.FileProblem;
import dev.cmek.OutputPath;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Where an export goes: a new or empty directory, or with {@code force} one that holds an earlier export. Checked before
 * anything is read or written; written only once every file is ready.
 */
final class ExportDirectory {
    /** What an export writes in each directory besides README.md; an {@code imports.tf} left from an earlier one goes. */
    static final String IMPORTS = "imports.tf";

    private final Path root;

    private ExportDirectory(Path root) {
        this.root = root;
    }

    /**
     * {@code dir} can take an export: it does not exist yet (its parent does), or it is an empty directory, or
     * {@code force} is given. Bad input (exit 2) otherwise, with nothing written.
     */
    static ExportDirectory check(Path dir, boolean force) {
        OutputPath.checkDirectory(dir, "--out");
        if (!force && Files.isDirectory(dir) && !isEmpty(dir)) {
            throw new CmekException.InvalidInput("--out " + dir + " exists and is not empty; give an empty or new"
                    + " directory, or --force to write over the files an export writes there (other files, such as"
                    + " Terraform's state, are left as they are)");
        }
        return new ExportDirectory(dir);
    }

    Path root() {
        return root;
    }

    /**
     * Writes every file (relative path to content), each atomically; a directory that gets files without an
     * {@code imports.tf} loses the one an earlier export left there, which would adopt what this one does not name.
     */
    void write(Map<String, String> files) {
        try {
            for (Map.Entry<String, String> f : files.entrySet()) {
                Path file = root.resolve(f.getKey());
                Files.createDirectories(file.getParent());
                AtomicFile.write(file, f.getValue());
            }
            for (String dir : directories(files)) {
                if (!files.containsKey(dir + "/" + IMPORTS)) {
                    Files.deleteIfExists(root.resolve(dir).resolve(IMPORTS));
                }
            }
        } catch (IOException e) {
            throw new CmekException.InvalidInput("cannot write the export to " + root + ": " + FileProblem.describe(e));
        }
    }

    private static List<String> directories(Map<String, String> files) {
        return files.keySet().stream()
                .filter(f -> f.contains("/"))
                .map(f -> f.substring(0, f.indexOf('/')))
                .distinct()
                .toList();
    }

    private static boolean isEmpty(Path dir) {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        } catch (IOException e) {
            throw new CmekException.InvalidInput("--out " + dir + " cannot be read: " + FileProblem.describe(e));
        }
    }
}
