package dev.cmek.azure;

/**
 * A write that is not idempotent (a key create or rotate: each adds a version) was sent, but its reply was lost. Not
 * retried by {@link CallRetry}; the caller reads back whether it took effect.
 */
final class ReplyLostException extends RuntimeException {
    ReplyLostException(Throwable cause) {
        super("the reply to a Key Vault write was lost: " + CallFailedException.reason(cause), cause);
    }
}
