package dev.cmek;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Checks, before anything is changed anywhere, that a file or directory the command will write can be written: so
 * that no key is made in a cloud by a command that then cannot record it. Each refusal is one line of bad input
 * (exit code 2) saying what to do instead.
 */
public final class OutputPath {
    private OutputPath() {}

    /**
     * {@code file} (an option's value, named by {@code option} in messages) can be written by {@link AtomicFile}: it
     * is not a directory nor a device, its directory exists, and a new file can be made there; {@code exampleName}
     * is suggested for a directory given instead of a file.
     */
    public static void checkFile(Path file, String option, String exampleName) {
        Path target = AtomicFile.resolveLinks(file);
        String shown = option + " " + file;
        if (Files.isDirectory(target)) {
            throw new CmekException.InvalidInput(
                    shown + " is a directory; give a file name, e.g. " + file.resolve(exampleName));
        }
        if (Files.exists(target) && !Files.isRegularFile(target)) {
            throw new CmekException.InvalidInput(shown + " is not a regular file; give a file name to write");
        }
        checkCanCreateIn(target.toAbsolutePath().getParent(), shown, option);
    }

    /**
     * {@code dir} is a directory that exists and takes new files, or does not exist yet and can be made in an existing
     * directory.
     */
    public static void checkDirectory(Path dir, String option) {
        String shown = option + " " + dir;
        Path target = AtomicFile.resolveLinks(dir);
        if (Files.isDirectory(target)) {
            checkCanCreateIn(target.toAbsolutePath(), shown, option);
            return;
        }
        if (Files.exists(target)) {
            throw new CmekException.InvalidInput(shown + " is a file, not a directory; give a new or empty directory");
        }
        checkCanCreateIn(target.toAbsolutePath().getParent(), shown, option);
    }

    private static void checkCanCreateIn(Path dir, String shown, String option) {
        if (dir == null || !Files.exists(dir)) {
            throw new CmekException.InvalidInput(
                    shown + ": directory " + dir + " does not exist; create it first or" + " choose another " + option);
        }
        if (!Files.isDirectory(dir)) {
            throw new CmekException.InvalidInput(shown + ": " + dir + " is not a directory; choose another " + option);
        }
        // Asking the file system is the only reliable test: permissions, read-only mounts, /proc and /sys each refuse
        // differently, and root passes every permission check.
        try {
            Path probe = Files.createTempFile(dir, ".cmek-write-check", ".tmp");
            Files.delete(probe);
        } catch (IOException | UnsupportedOperationException e) {
            String why = e instanceof IOException io ? FileProblem.describe(io) : "not supported here";
            throw new CmekException.InvalidInput(
                    shown + ": cannot create files in " + dir + " (" + why + "); choose another " + option);
        }
    }
}
