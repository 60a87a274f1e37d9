package dev.cmek.gcp;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A user-managed service account's email, {@code <account id>@<project>.iam.gserviceaccount.com}. */
public record ServiceAccountEmail(String value) {
    private static final Pattern FORM = Pattern.compile(
            "([a-z][a-z0-9-]{4,28}[a-z0-9])@([a-z][a-z0-9-]{4,28}[a-z0-9])\\.iam\\.gserviceaccount\\.com");

    public ServiceAccountEmail {
        if (value == null || !FORM.matcher(value).matches()) {
            throw new InvalidInputException("Not a user-managed service account email: " + value);
        }
    }

    public static ServiceAccountEmail of(String accountId, String project) {
        return new ServiceAccountEmail(accountId + "@" + project + ".iam.gserviceaccount.com");
    }

    public String accountId() {
        return part(1);
    }

    public String project() {
        return part(2);
    }

    /** The IAM admin resource name, {@code projects/<project>/serviceAccounts/<email>}. */
    public String resourceName() {
        return "projects/" + project() + "/serviceAccounts/" + value;
    }

    private String part(int group) {
        Matcher m = FORM.matcher(value);
        m.matches();
        return m.group(group);
    }

    @Override
    public String toString() {
        return value;
    }
}
