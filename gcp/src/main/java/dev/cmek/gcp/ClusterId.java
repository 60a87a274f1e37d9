package dev.cmek.gcp;

import java.util.Locale;
import java.util.UUID;

/** A CockroachDB Cloud cluster id (a UUID); the names of everything we create derive from it. */
public record ClusterId(String value) {
    public ClusterId {
        try {
            value = UUID.fromString(value).toString().toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new InvalidInputException("Cluster id must be a UUID, got: " + value, e);
        }
    }

    public static ClusterId of(String value) {
        return new ClusterId(value);
    }

    /** The last 12 characters, which CockroachDB uses in its per-cluster identity. */
    public String last12() {
        return value.substring(value.length() - 12);
    }

    @Override
    public String toString() {
        return value;
    }
}
