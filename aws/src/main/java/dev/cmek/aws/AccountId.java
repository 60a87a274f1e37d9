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

    /** The account's root principal in a partition, {@code arn:<partition>:iam::<id>:root}. */
    public String rootPrincipal(String partition) {
        return "arn:" + partition + ":iam::" + value + ":root";
    }

    /** True for {@code <id>} or {@code arn:<any partition>:iam::<id>:<anything>}: a principal in this account. */
    public boolean namedBy(String principal) {
        return principal.equals(value) || principal.matches("arn:aws[a-z-]*:iam::" + value + ":.+");
    }

    @Override
    public String toString() {
        return value;
    }
}
