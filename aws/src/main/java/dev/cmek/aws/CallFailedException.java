package dev.cmek.aws;

import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * An AWS call failed with an error that is not retried here (throttling and 5xx were already retried by the SDK), with
 * a classification the caller maps to an exit code.
 */
public final class CallFailedException extends AwsCmekException {

    /** Why the call failed, as far as the caller can act on it. */
    public enum Failure {
        /** AWS refused the request as asked (validation, conflict, a limit, a bad policy). */
        REJECTED,
        /** The caller may not do this (AccessDenied, a bad or expired token). */
        PERMISSION_DENIED,
        /** The resource does not exist (or not yet). */
        NOT_FOUND,
        /** AWS could not be reached, answered 5xx, or kept throttling after the SDK's retries. */
        UNAVAILABLE
    }

    private final String operation;
    private final String region;
    private final Failure failure;

    public CallFailedException(String operation, String region, SdkException cause) {
        super(
                operation + (region == null ? "" : " in " + region) + " failed: " + cause.getMessage()
                        + "; fix the cause and re-run (every step is idempotent)",
                cause);
        this.operation = operation;
        this.region = region;
        this.failure = classify(cause);
    }

    static Failure classify(SdkException e) {
        if (e instanceof SdkClientException) {
            return Failure.UNAVAILABLE;
        }
        if (e instanceof AwsServiceException s) {
            String code = s.awsErrorDetails() == null
                    ? ""
                    : String.valueOf(s.awsErrorDetails().errorCode());
            if (s.statusCode() >= 500 || s.isThrottlingException()) {
                return Failure.UNAVAILABLE;
            }
            if (s.statusCode() == 403
                    || code.contains("AccessDenied")
                    || code.equals("UnrecognizedClientException")
                    || code.equals("InvalidClientTokenId")
                    || code.equals("ExpiredTokenException")
                    || code.equals("ExpiredToken")) {
                return Failure.PERMISSION_DENIED;
            }
            if (code.equals("NotFoundException") || code.equals("NoSuchEntity") || s.statusCode() == 404) {
                return Failure.NOT_FOUND;
            }
        }
        return Failure.REJECTED;
    }

    /**
     * What a revocation tells the responder to do about a document it could not change: grant the permission when AWS
     * refused it, wait for AWS when it did not answer; then the same revoke again.
     */
    static String whatToDo(RuntimeException e, String permission) {
        Failure f = e instanceof CallFailedException c ? c.failure() : null;
        String then = " and re-run with the same --evidence";
        if (f == Failure.PERMISSION_DENIED) {
            return "grant " + permission + then;
        }
        if (f == Failure.UNAVAILABLE) {
            return "AWS did not answer: check the network (or AWS_ENDPOINT_URL)" + then;
        }
        return "fix that" + then;
    }

    /** Why a call failed, in one line, without the advice to re-run (each caller gives its own). */
    static String reason(RuntimeException e) {
        if (e instanceof CallFailedException c && c.getCause() != null) {
            String m = String.valueOf(c.getCause().getMessage());
            int cut = m.indexOf(" (Service: ");
            return c.operation() + " failed: "
                    + (cut > 0 ? m.substring(0, cut) : m).lines().findFirst().orElse("");
        }
        return String.valueOf(e.getMessage()).lines().findFirst().orElse("");
    }

    public String operation() {
        return operation;
    }

    /** The region of the call, or null for IAM and STS. */
    public String region() {
        return region;
    }

    public Failure failure() {
        return failure;
    }
}
