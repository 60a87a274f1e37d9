package dev.cmek.azure;

/** A resource read back after our write does not show what we wrote (an Azure Policy or another tool changed it). */
public final class ReadBackMismatchException extends AzureCmekException {
    private final String resource;

    public ReadBackMismatchException(String resource, String expected) {
        super("after writing " + resource + ", Azure answers it without " + expected + ": something changed it at once"
                + " (an Azure Policy with a modify or deny effect?); check it and run the same command again.");
        this.resource = resource;
    }

    public String resource() {
        return resource;
    }
}
