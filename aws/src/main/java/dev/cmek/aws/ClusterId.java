package dev.cmek.aws;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;
import java.util.regex.Pattern;

/** A CockroachDB Cloud cluster id (a UUID, kept in lower case); every name and tag we make derives from it. */
public record ClusterId(@JsonValue String value) {
    private static final Pattern UUID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    public ClusterId {
        if (value == null || !UUID.matcher(value.toLowerCase(Locale.ROOT)).matches()) {
            throw new InvalidInputException("cluster id", value, "a UUID like 3f1c2b9e-0000-4000-8000-123456789abc");
        }
        value = value.toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static ClusterId of(String value) {
        return new ClusterId(value);
    }

    @Override
    public String toString() {
        return value;
    }
}
