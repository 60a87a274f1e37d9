package dev.cmek.gcp;

/** An IAM policy kept changing under us: every read-modify-write attempt lost the etag race. */
public final class PolicyConflictException extends GcpCmekException {
    private final String resource;
    private final int attempts;

    public PolicyConflictException(String resource, int attempts, Throwable cause) {
        super(
                "The IAM policy of " + resource + " changed concurrently " + attempts
                        + " times in a row (ABORTED on a stale etag). Find who else edits it, then run the same command"
                        + " again: the run is idempotent.",
                cause);
        this.resource = resource;
        this.attempts = attempts;
    }

    public String resource() {
        return resource;
    }

    public int attempts() {
        return attempts;
    }
}
