package dev.cmek.aws;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.regex.Pattern;

/** A 12-digit AWS account id. */
public record AccountId(@JsonValue String value) {
    private static final Pattern SHAPE = Pattern.compile("\\d{12}");

    public AccountId {
        if (value == null || !SHAPE.matcher(value).matches()) {
            throw new InvalidInputException("AWS account id", value, "12 digits");
        }
    }

    @JsonCreator
    public static AccountId of(String value) {
        return new AccountId(value);
    }

    /** The account's root principal, {@code arn:aws:iam::<id>:root}. */
    public String rootPrincipal() {
        return "arn:aws:iam::" + value + ":root";
    }

    @Override
    public String toString() {
        return value;
    }
}
