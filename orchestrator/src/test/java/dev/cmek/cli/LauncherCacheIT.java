package dev.cmek.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cmek.cli.DistributionIT.Result;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The installed launcher's class-data archive at rest: code the JVM maps into a process that holds cloud credentials.
 * It is made owner-only whatever the umask, and one that another user owns or could have changed is never handed to
 * the JVM: it is made anew, or, where the launcher cannot, left out. What the JVM was given is read from its own
 * {@code -XX:+PrintCommandLineFlags}, passed through {@code CMEK_JAVA_OPTS}.
 */
class LauncherCacheIT {
    private static final String NOBODY = "nobody";

    @TempDir
    static Path tmp;

    private static Path launcher;

    @BeforeAll
    static void unpack() throws Exception {
        // Giving a file to another user, as the tests below do, takes root (as CI runs).
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "not root");
        launcher = DistributionIT.unpack(Files.createDirectories(tmp.resolve("opt")))
                .resolve("bin/cmek");
    }

    /** {@code cmek --version} under umask 000 with its cache in {@code xdg}: the archive the JVM was given, if any. */
    private static String version(Path xdg) throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("XDG_CACHE_HOME", xdg.toString());
        env.put("JAVA_HOME", System.getProperty("java.home"));
        env.put("CMEK_JAVA_OPTS", "-XX:+PrintCommandLineFlags");
        Result r = DistributionIT.run(
                tmp, List.of("sh", "-c", "umask 000 && exec \"$0\" --version", launcher.toString()), env, null);
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("cmek "), r.out());
        for (String flag : r.out().lines().findFirst().orElseThrow().split(" ")) {
            if (flag.startsWith("-XX:SharedArchiveFile=")) {
                return flag.substring("-XX:SharedArchiveFile=".length());
            }
        }
        return "";
    }

    private static String mode(Path file) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS));
    }

    private static Object identity(Path file) throws Exception {
        return Files.readAttributes(file, BasicFileAttributes.class).fileKey();
    }

    private static List<Path> files(Path dir) throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.toList();
        }
    }

    @Test
    void archive_isMadeOwnerOnly_whateverTheUmask() throws Exception {
        Path xdg = tmp.resolve("fresh-cache");
        String given = version(xdg);

        Path dir = xdg.resolve("cmek");
        assertEquals("rwx------", mode(xdg), "made by the launcher");
        assertEquals("rwx------", mode(dir));
        List<Path> made = files(dir);
        assertEquals(1, made.size(), "no temporary file left: " + made);
        Path archive = made.get(0);
        assertTrue(archive.getFileName().toString().endsWith(".jsa"), made::toString);
        assertEquals("rw-------", mode(archive));
        assertEquals(archive.toString(), given, "the JVM used the archive it made");
        assertEquals(archive.toString(), version(xdg), "and uses it on the next run");
    }

    @Test
    void archive_thatOthersCouldChange_isIgnored_andMadeAnew() throws Exception {
        Path xdg = tmp.resolve("tampered-cache");
        Path dir = xdg.resolve("cmek");
        Path archive = Path.of(version(xdg));
        UserPrincipal me = Files.getOwner(archive);
        UserPrincipal nobody =
                archive.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(NOBODY);

        for (String loose : List.of("rw-rw----", "rw----rw-", "rw-rw-rw-")) {
            Files.setPosixFilePermissions(archive, PosixFilePermissions.fromString(loose));
            Object before = identity(archive);
            assertEquals(archive.toString(), version(xdg));
            assertNotEquals(before, identity(archive), loose + ": the JVM was given a new archive, not that one");
            assertEquals("rw-------", mode(archive), loose);
        }

        Files.setOwner(archive, nobody);
        Object before = identity(archive);
        assertEquals(archive.toString(), version(xdg));
        assertNotEquals(before, identity(archive), "another user's archive was replaced before use");
        assertEquals(me, Files.getOwner(archive));
        assertEquals("rw-------", mode(archive));

        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxr-x"));
        before = identity(archive);
        assertEquals(archive.toString(), version(xdg));
        assertNotEquals(before, identity(archive), "an archive in a directory others could write was made anew");
        assertEquals("rwx------", mode(dir));
        assertEquals(List.of(archive), files(dir));
    }

    @Test
    void archive_inAnotherUsersDirectory_isNeverGivenToTheJvm() throws Exception {
        Path made = Path.of(version(tmp.resolve("own-cache")));
        Path xdg = Files.createDirectories(tmp.resolve("foreign-cache"));
        Path dir = Files.createDirectories(xdg.resolve("cmek"));
        Path archive = Files.copy(made, dir.resolve(made.getFileName()));
        Files.setPosixFilePermissions(archive, PosixFilePermissions.fromString("rw-r--r--"));
        UserPrincipal nobody =
                archive.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(NOBODY);
        Files.setOwner(archive, nobody);
        Files.setOwner(dir, nobody);
        Object before = identity(archive);

        assertEquals("", version(xdg), "the JVM ran without it");
        assertEquals(List.of(archive), files(dir), "and the launcher wrote nothing there");
        assertEquals(before, identity(archive));
        assertEquals(nobody, Files.getOwner(archive));
    }
}
