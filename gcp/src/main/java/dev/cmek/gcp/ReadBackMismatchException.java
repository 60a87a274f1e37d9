package dev.cmek.gcp;

/** An IAM policy read back after a write does not show the change we made. */
public final class ReadBackMismatchException extends GcpCmekException {
    private final String resource;

    public ReadBackMismatchException(String resource, String expectation) {
        super("After updating the IAM policy of " + resource + ", reading it back does not show that " + expectation
                + ". Something rewrote it at once (an org policy or another tool?); inspect it and run the same command"
                + " again.");
        this.resource = resource;
    }

    public String resource() {
        return resource;
    }
}
