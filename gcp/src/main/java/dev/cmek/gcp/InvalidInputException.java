package dev.cmek.gcp;

/** Input the adapter cannot act on (a malformed name, an unknown region, ...); nothing was sent to Google. */
public final class InvalidInputException extends GcpCmekException {
    public InvalidInputException(String message) {
        super(message);
    }

    public InvalidInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
