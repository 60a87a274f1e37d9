package dev.cmek.aws;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.regions.Region;

/** The ARN of a KMS key: {@code arn:<partition>:kms:<region>:<account>:key/<key id>}. */
public record KeyArn(@JsonValue String value) {
    private static final Pattern SHAPE = Pattern.compile(
            "arn:(aws[a-z-]*):kms:([a-z0-9-]+):(\\d{12}):key/((mrk-)?[0-9a-f-]{32,36}|mrk-[0-9a-f]{32})");

    public KeyArn {
        if (value == null || !SHAPE.matcher(value).matches()) {
            throw new InvalidInputException(
                    "KMS key ARN", value, "arn:<partition>:kms:<region>:<account>:key/<key id>");
        }
    }

    @JsonCreator
    public static KeyArn of(String value) {
        return new KeyArn(value);
    }

    private Matcher parts() {
        Matcher m = SHAPE.matcher(value);
        m.matches();
        return m;
    }

    /** {@code aws}, {@code aws-cn}, {@code aws-us-gov}, ... */
    public String partition() {
        return parts().group(1);
    }

    public Region region() {
        return Region.of(parts().group(2));
    }

    public AccountId account() {
        return AccountId.of(parts().group(3));
    }

    public String keyId() {
        return parts().group(4);
    }

    public boolean multiRegion() {
        return keyId().startsWith("mrk-");
    }

    // Written out, as the record would: its generated equals and hashCode link through invokedynamic (ObjectMethods) on
    // first use, about 20 ms of a cold revoke's main thread, where keys are first put in sets (a wall-clock profile).
    @Override
    public boolean equals(Object o) {
        return o instanceof KeyArn k && value.equals(k.value);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }

    @Override
    public String toString() {
        return value;
    }
}
