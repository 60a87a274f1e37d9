package dev.cmek.aws;

/** Root of every failure this module reports; the message says what failed and what to do about it. */
public class AwsCmekException extends RuntimeException {
    public AwsCmekException(String message) {
        super(message);
    }

    public AwsCmekException(String message, Throwable cause) {
        super(message, cause);
    }
}
