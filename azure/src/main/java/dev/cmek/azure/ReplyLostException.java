package dev.cmek.azure;

/**
 * A write that is not idempotent (a key create or rotate: each adds a version) was sent, but its reply was lost. Not
 * retried by {@link CallRetry}; the caller reads back whether it took effect. It keeps the lost connection's reason in
 * its message, not as its cause: the SDK's retry policy judges every cause of an exception in turn, and would retry
 * the I/O error beneath.
 */
final class ReplyLostException extends RuntimeException {
    ReplyLostException(Throwable lost) {
        super("the reply to a Key Vault write was lost: " + CallFailedException.reason(lost));
    }
}
