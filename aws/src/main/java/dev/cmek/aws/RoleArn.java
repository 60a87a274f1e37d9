package dev.cmek.aws;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The ARN of an IAM role: {@code arn:<partition>:iam::<account>:role/<path><name>}. */
public record RoleArn(@JsonValue String value) {
    private static final Pattern SHAPE =
            Pattern.compile("arn:(aws[a-z-]*):iam::(\\d{12}):role/(.*/)?([\\w+=,.@-]{1,64})");

    public RoleArn {
        if (value == null || !SHAPE.matcher(value).matches()) {
            throw new InvalidInputException("IAM role ARN", value, "arn:<partition>:iam::<account>:role/<name>");
        }
    }

    @JsonCreator
    public static RoleArn of(String value) {
        return new RoleArn(value);
    }

    public static RoleArn of(String partition, AccountId account, String roleName) {
        return new RoleArn("arn:" + partition + ":iam::" + account.value() + ":role/" + roleName);
    }

    /** {@code aws}, {@code aws-cn}, {@code aws-us-gov}, ... */
    public String partition() {
        return parts().group(1);
    }

    private Matcher parts() {
        Matcher m = SHAPE.matcher(value);
        m.matches();
        return m;
    }

    public AccountId account() {
        return AccountId.of(parts().group(2));
    }

    public String roleName() {
        return parts().group(4);
    }

    @Override
    public String toString() {
        return value;
    }
}
