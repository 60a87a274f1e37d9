package dev.cmek.azure;

/** Root of every failure the Azure adapter reports; the message says what failed and how to fix it, in one line. */
public class AzureCmekException extends RuntimeException {
    public AzureCmekException(String message) {
        super(message);
    }

    public AzureCmekException(String message, Throwable cause) {
        super(message, cause);
    }
}
