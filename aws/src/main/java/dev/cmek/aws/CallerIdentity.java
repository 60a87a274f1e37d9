package dev.cmek.aws;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Who the credentials are (STS GetCallerIdentity): the account, the ARN, and the partition every ARN we write must use
 * ({@code aws}, {@code aws-cn}, {@code aws-us-gov}), taken from that ARN rather than assumed.
 */
public record CallerIdentity(AccountId account, String arn, String partition) {
    private static final Pattern PARTITION = Pattern.compile("arn:(aws[a-z-]*):.*");

    public static CallerIdentity of(String account, String arn) {
        Matcher m = PARTITION.matcher(String.valueOf(arn));
        if (!m.matches()) {
            throw new InvalidInputException("caller identity ARN", arn, "arn:<partition>:...");
        }
        return new CallerIdentity(AccountId.of(account), arn, m.group(1));
    }
}
