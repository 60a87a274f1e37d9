package dev.cmek.gcp;

/**
 * A revocation record asks restore to put back something this toolkit never grants (another member or role, another
 * project's or cluster's account): nothing was written.
 */
public final class UntrustedRecordException extends GcpCmekException {
    public UntrustedRecordException(String message) {
        super(message);
    }
}
