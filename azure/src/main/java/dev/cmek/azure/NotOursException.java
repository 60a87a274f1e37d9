package dev.cmek.azure;

/** A resource with our deterministic name exists but lacks our tags, so it is reported and never adopted or changed. */
public final class NotOursException extends AzureCmekException {
    private final String resource;

    public NotOursException(String resource, String mark) {
        super(resource + " exists but is not tagged as made by this toolkit (expected " + mark + "), so it is never"
                + " adopted or changed: if it is a key you want CockroachDB to use, give it with --existing-key"
                + " REGION=URI; otherwise give another resource group or vault name prefix, or move it out of the way,"
                + " and run the same command again.");
        this.resource = resource;
    }

    public String resource() {
        return resource;
    }
}
