package dev.cmek;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes a file through a temporary file in the same directory and a rename, so readers never see half of it. A
 * symbolic link is followed: its target is replaced, in the target's directory, and the link stays a link.
 */
public final class AtomicFile {
    /** As Linux's MAXSYMLINKS: past this many links in a row the chain is a loop. */
    private static final int MAX_LINKS = 40;

    private AtomicFile() {}

    /**
     * Writes {@code content}; a failure is one line naming the file and the reason.
     *
     * @throws CmekException exit code 2, e.g. {@code cannot write out.json: permission denied}
     */
    public static void write(Path file, String content) {
        Path target = resolveLinks(file);
        Path dir = target.toAbsolutePath().getParent();
        try {
            Path tmp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
            try {
                Files.writeString(tmp, content, StandardCharsets.UTF_8);
                try {
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new CmekException.InvalidInput("cannot write " + file + ": " + FileProblem.describe(e));
        }
    }

    /**
     * The file a write to {@code file} must replace: {@code file} itself, or the end of its chain of symbolic links
     * (which need not exist yet).
     */
    public static Path resolveLinks(Path file) {
        Path current = file;
        for (int i = 0; i < MAX_LINKS && Files.isSymbolicLink(current); i++) {
            try {
                Path link = Files.readSymbolicLink(current);
                Path parent = current.toAbsolutePath().getParent();
                current = parent == null ? link : parent.resolve(link).normalize();
            } catch (IOException e) {
                throw new CmekException.InvalidInput("cannot follow the link " + file + ": " + FileProblem.describe(e));
            }
        }
        if (Files.isSymbolicLink(current)) {
            throw new CmekException.InvalidInput(file + ": too many levels of symbolic links");
        }
        return current;
    }
}
