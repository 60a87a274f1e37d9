package dev.cmek.aws;

import java.util.Locale;
import java.util.function.Supplier;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;

/** Names a failing AWS call in the exception, so the caller knows what to fix. */
final class AwsCall {
    /** What the SDK's default chain looks at, in its order, for the one-line message when it found nothing. */
    static final String CHAIN = "Java system properties aws.accessKeyId/aws.secretAccessKey, environment variables"
            + " AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), web identity"
            + " (AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ROLE_ARN), the profile in AWS_PROFILE (default: \"default\") of"
            + " ~/.aws/config and ~/.aws/credentials (including SSO and credential_process), container credentials"
            + " (AWS_CONTAINER_CREDENTIALS_*), and the EC2 instance profile";

    private AwsCall() {}

    static <T> T run(String operation, String region, Supplier<T> call) {
        try {
            return call.get();
        } catch (SdkClientException e) {
            throw noCredentials(e).orElseGet(() -> new CallFailedException(operation, region, e));
        } catch (SdkException e) {
            throw new CallFailedException(operation, region, e);
        }
    }

    /** The chain's 1.4 KB dump, said in one line: what was tried, or that an SSO session needs {@code aws sso login}. */
    static java.util.Optional<AwsCmekException> noCredentials(SdkClientException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String said = String.valueOf(t.getMessage());
            if (said.startsWith(NamedProfileCredentials.NOT_FOUND)) {
                return java.util.Optional.of(new NoCredentialsException(
                        "no AWS credentials found: " + said.substring(NamedProfileCredentials.NOT_FOUND.length())
                                + "; set AWS_PROFILE to one of the profiles there (`aws configure list-profiles`),"
                                + " or unset it",
                        e));
            }
        }
        String m = String.valueOf(e.getMessage());
        String lower = m.toLowerCase(Locale.ROOT);
        if (lower.contains("sso") && (lower.contains("expired") || lower.contains("sso login"))) {
            return java.util.Optional.of(new NoCredentialsException(
                    "the AWS SSO session of your profile has expired or was never started: run `aws sso login"
                            + " --profile <your profile>` (the profile in AWS_PROFILE), then re-run",
                    e));
        }
        if (lower.contains("unable to load credentials")) {
            return java.util.Optional.of(new NoCredentialsException(
                    "no AWS credentials found; tried " + CHAIN
                            + ". Set AWS_PROFILE (after `aws configure` or `aws sso login`) or export credentials",
                    e));
        }
        return java.util.Optional.empty();
    }
}
