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
    VERIFY_FAILED(7),
    /** A revocation left grants in place or did not send REVOKE; fix that and re-run with the same {@code --evidence}. */
    PARTIAL(8),
    /** Interrupted (Ctrl-C, SIGINT): what was done so far and the command that finishes or undoes it are printed. */
    INTERRUPTED(130);

    private final int code;

    ExitCode(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The name scripts see in {@code {"error": {"kind": ...}}}. */
    public String kind() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
