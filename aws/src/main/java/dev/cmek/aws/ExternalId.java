package dev.cmek.aws;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.regex.Pattern;

/** The sts:ExternalId the trusted account must present (for CockroachDB Cloud: the organization id). */
public record ExternalId(@JsonValue String value) {
    // https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html (ExternalId constraints)
    private static final Pattern SHAPE = Pattern.compile("[\\w+=,.@:/-]{2,1224}");

    public ExternalId {
        if (value == null || !SHAPE.matcher(value).matches()) {
            throw new InvalidInputException("external id", value, "2-1224 characters of [\\w+=,.@:/-]");
        }
    }

    @JsonCreator
    public static ExternalId of(String value) {
        return new ExternalId(value);
    }

    @Override
    public String toString() {
        return value;
    }
}
