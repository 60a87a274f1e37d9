package dev.cmek;

/**
 * Root of every failure the toolkit reports; caught once, at the CLI, and turned into a one-line
 * message and an {@link ExitCode}.
 */
public class CmekException extends RuntimeException {
    private final ExitCode exitCode;

    public CmekException(ExitCode exitCode, String message) {
        this(exitCode, message, null);
    }

    public CmekException(ExitCode exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    public ExitCode exitCode() {
        return exitCode;
    }

    /** Bad input from the user: a malformed manifest, an unknown region, a missing option. Nothing was changed. */
    public static final class InvalidInput extends CmekException {
        public InvalidInput(String message) {
            super(ExitCode.BAD_INPUT, message);
        }
    }

    /** A CMEK operation ended in a {@code *_FAILED} status. */
    public static final class OperationFailed extends CmekException {
        public OperationFailed(String message) {
            super(ExitCode.OPERATION_FAILED, message);
        }
    }

    /** A wait ran out of time before every region settled. */
    public static final class Timeout extends CmekException {
        public Timeout(String message) {
            super(ExitCode.TIMEOUT, message);
        }
    }
}
