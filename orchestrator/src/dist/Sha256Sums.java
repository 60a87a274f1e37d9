import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * Build step (run by the orchestrator pom as a single-file program): the SHA-256 of each file, one line each in the
 * format {@code sha256sum -c} reads (digest, two spaces, the file's name), written to OUTPUT. The names are bare, so
 * that the check runs in the directory that holds the files. In Java, not sha256sum: the same on every build machine.
 *
 * <p>Usage: {@code java Sha256Sums.java OUTPUT FILE...}
 */
public class Sha256Sums {
    public static void main(String[] args) throws Exception {
        Path output = Path.of(args[0]);
        StringBuilder sums = new StringBuilder();
        for (int i = 1; i < args.length; i++) {
            Path file = Path.of(args[i]);
            if (!Files.isRegularFile(file)) {
                // One line instead of a stack trace: the file an earlier build step should have made is not there.
                System.err.println("Sha256Sums: " + file + " does not exist"
                        + (file.getFileName().toString().endsWith(".cdx.json")
                                ? ": CycloneDX's makeBom, which makes the SBOM, skips itself when Maven runs offline"
                                        + " (-o); build once without -o"
                                : ": an earlier step of the build did not make it"));
                System.exit(1);
            }
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            try (InputStream in = Files.newInputStream(file)) {
                byte[] buffer = new byte[1 << 16];
                for (int n; (n = in.read(buffer)) > 0; ) {
                    sha256.update(buffer, 0, n);
                }
            }
            sums.append(HexFormat.of().formatHex(sha256.digest()))
                    .append("  ")
                    .append(file.getFileName())
                    .append('\n');
        }
        Files.createDirectories(output.toAbsolutePath().getParent());
        Files.writeString(output, sums, StandardCharsets.UTF_8);
        // The jar carries one of these files: its entry's mode must not follow the umask.
        if (output.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Files.setPosixFilePermissions(output, PosixFilePermissions.fromString("rw-r--r--"));
        }
    }
}
