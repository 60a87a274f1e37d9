package dev.cmek.model;

import dev.cmek.CmekException;
import java.util.regex.Pattern;

/** What a cluster id may look like before it is put in a request path: a UUID-like token, nothing that reshapes the path. */
public final class ClusterIdRule {
    private static final Pattern SHAPE = Pattern.compile("[0-9A-Za-z-]{1,64}");

    private ClusterIdRule() {}

    /** Returns {@code clusterId}, or throws a one-line bad-input error. */
    public static String check(String clusterId) {
        if (clusterId == null || !SHAPE.matcher(clusterId).matches()) {
            throw new CmekException.InvalidInput(
                    "cluster id \"" + clusterId + "\" is not a CockroachDB Cloud cluster id (a UUID)");
        }
        return clusterId;
    }
}
