package dev.cmek.gcp;

/** An IAM policy read back after a write does not show the change we made. */
public final class ReadBackMismatchException extends GcpCmekException {
    private final String resource;

    /** @param change what the write did, in words: {@code granting ...}, {@code removing ...} */
    public ReadBackMismatchException(String resource, String change) {
        super("After updating the IAM policy of " + resource + ", reading it back does not show the change (" + change
                + "). Something rewrote it at once (an org policy or another tool?); inspect it and run the same command"
                + " again.");
        this.resource = resource;
    }

    public String resource() {
        return resource;
    }
}
