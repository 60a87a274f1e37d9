package dev.cmek.aws;

/** The SDK's default credentials chain found nothing usable (or an SSO session that must be renewed first). */
public final class NoCredentialsException extends AwsCmekException {
    public NoCredentialsException(String message, Throwable cause) {
        super(message, cause);
    }
}
