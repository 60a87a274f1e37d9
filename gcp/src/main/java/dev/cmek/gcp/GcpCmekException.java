package dev.cmek.gcp;

/** Root of every failure the GCP adapter reports; the message says what failed and how to fix it. */
public class GcpCmekException extends RuntimeException {
    public GcpCmekException(String message) {
        super(message);
    }

    public GcpCmekException(String message, Throwable cause) {
        super(message, cause);
    }
}
