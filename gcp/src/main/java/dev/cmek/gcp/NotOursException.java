package dev.cmek.gcp;

/** A resource with our deterministic name exists but lacks our mark, so it is reported and never adopted. */
public final class NotOursException extends GcpCmekException {
    private final String resource;

    public NotOursException(String resource, String mark) {
        super(resource + " exists but is not marked as created by this toolkit (expected " + mark + "), so it is"
                + " never adopted: if it is a key you want CockroachDB to use, give it with --existing-key"
                + " REGION=URI; otherwise move the clashing resource out of the way and run the same command"
                + " again.");
        this.resource = resource;
    }

    public String resource() {
        return resource;
    }
}
