package dev.cmek.aws;

/**
 * A revocation record asks restore to put back something this toolkit never writes (a statement of another shape,
 * another account's or cluster's role, a wildcard principal, a dropped external id): nothing was written.
 */
public final class UntrustedRecordException extends AwsCmekException {
    public UntrustedRecordException(String message) {
        super(message);
    }
}
