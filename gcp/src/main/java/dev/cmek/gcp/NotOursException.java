package dev.cmek.gcp;

/** A resource with our deterministic name exists but lacks our mark, so it is reported and never adopted. */
public final class NotOursException extends GcpCmekException {
    private final String resource;

    public NotOursException(String resource, String mark) {
        super(
                resource + " exists but is not marked as created by this toolkit (expected " + mark + "). "
                        + "Pass it explicitly as an existing key, or choose other names (key ring / key options), rather than adopting it.");
        this.resource = resource;
    }

    public String resource() {
        return resource;
    }
}
