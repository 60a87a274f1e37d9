package dev.cmek;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.NotLinkException;
import java.util.Locale;

/** What went wrong with a file, in the words a user knows ("permission denied"), never a Java class name. */
public final class FileProblem {
    private FileProblem() {}

    /** A few words for {@code e}, e.g. {@code permission denied}, {@code no such file or directory}. */
    public static String describe(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        if (e instanceof NotDirectoryException) {
            return "not a directory";
        }
        if (e instanceof FileAlreadyExistsException) {
            return "already exists";
        }
        if (e instanceof DirectoryNotEmptyException) {
            return "directory not empty";
        }
        if (e instanceof FileSystemLoopException) {
            return "too many levels of symbolic links";
        }
        if (e instanceof NotLinkException) {
            return "not a symbolic link";
        }
        if (e instanceof CharacterCodingException) {
            return "not UTF-8 text";
        }
        if (e instanceof FileSystemException fs && fs.getReason() != null) {
            // The operating system's own words (strerror), e.g. "Read-only file system", "Is a directory".
            return fs.getReason().strip().toLowerCase(Locale.ROOT);
        }
        String message = e.getMessage();
        return message == null || message.isBlank()
                ? "input/output error"
                : message.lines().findFirst().orElse("").strip();
    }
}
