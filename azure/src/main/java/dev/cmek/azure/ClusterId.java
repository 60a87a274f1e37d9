package dev.cmek.azure;

import java.util.Locale;
import java.util.regex.Pattern;

/** A CockroachDB Cloud cluster id (a UUID, lower case): it names and tags everything this toolkit makes for it. */
public record ClusterId(String value) {
    static final Pattern UUID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    public ClusterId {
        if (value == null || !UUID.matcher(value).matches()) {
            throw new InvalidInputException(
                    "The cluster id must be a UUID (as CockroachDB Cloud shows it), got " + value);
        }
    }

    public static ClusterId of(String value) {
        return new ClusterId(value == null ? null : value.strip().toLowerCase(Locale.ROOT));
    }

    /** The id's first group (8 hex digits): how a person recognises the cluster in a 24-character vault name. */
    String firstGroup() {
        return value.substring(0, 8);
    }

    @Override
    public String toString() {
        return value;
    }
}
