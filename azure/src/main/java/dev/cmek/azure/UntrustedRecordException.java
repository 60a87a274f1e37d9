package dev.cmek.azure;

/**
 * A revocation record asks restore to put back something this toolkit never writes (another principal, role, scope,
 * subscription or cluster): nothing was written.
 */
public final class UntrustedRecordException extends AzureCmekException {
    public UntrustedRecordException(String message) {
        super(message);
    }
}
