package dev.cmek.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The commands a revocation prints for finishing it later, built from the arguments it was started with, so that what
 * a responder pastes is what ran (every option kept), not a reconstruction.
 */
final class RerunAdvice {
    private RerunAdvice() {}

    /** The same revocation again, with {@code --yes} and {@code --evidence dir} added when missing: it resumes the record. */
    static List<String> again(List<String> original, Path dir) {
        List<String> args = new ArrayList<>(original);
        if (args.isEmpty()) {
            args.add("revoke");
        }
        if (args.stream().noneMatch(a -> a.equals("--yes"))) {
            args.add("--yes");
        }
        if (args.stream().noneMatch(a -> a.equals("--evidence") || a.startsWith("--evidence="))) {
            args.addAll(List.of("--evidence", dir.toString()));
        }
        return args;
    }

    /**
     * The revoke that only sends REVOKE, with the same evidence and the options that reach the Cloud API as given:
     * what finishes a revocation whose cloud step ran without the API.
     */
    static List<String> sendLater(List<String> original, String clusterId, Path dir) {
        List<String> args = new ArrayList<>(List.of("revoke", "--cluster", clusterId, "--api-only", "--yes"));
        for (int i = 0; i < original.size(); i++) {
            String a = original.get(i);
            String name = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
            if (name.equals("--no-wait")) {
                args.add(a);
            } else if (List.of("--server", "--api-key-file", "--timeout", "-o", "--output")
                    .contains(name)) {
                args.add(a);
                if (!a.contains("=") && i + 1 < original.size()) {
                    args.add(original.get(++i));
                }
            }
        }
        args.addAll(List.of("--evidence", dir.toString()));
        return args;
    }
}
