package dev.cmek;

/** The documented process exit codes; scripts branch on these, so numbers never change meaning. */
public enum ExitCode {
    /** Everything asked for was done (or was already so). */
    OK(0),
    /** An unexpected internal error: a bug, please report it. */
    INTERNAL(1),
    /** Bad input or usage: nothing was changed and nothing was sent. */
    BAD_INPUT(2),
    /** The Cloud API or a cloud provider rejected the request (authentication, permission, conflict, validation). */
    REJECTED(3),
    /** A CMEK operation ended in a {@code *_FAILED} status. */
    OPERATION_FAILED(4),
    /** Waiting for a CMEK operation timed out; it may still complete. */
    TIMEOUT(5),
    /** The Cloud API or a cloud provider could not be reached or kept failing (network, 5xx) after retries. */
    UNAVAILABLE(6),
    /** A verification found a grant missing or broader than intended. */
    VERIFY_FAILED(7);

    private final int code;

    ExitCode(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }
}
