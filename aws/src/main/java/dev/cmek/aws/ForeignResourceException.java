package dev.cmek.aws;

/** A resource with one of our deterministic names exists but does not carry our ownership tag; it is left alone. */
public final class ForeignResourceException extends AwsCmekException {
    private final String resource;
    private final String region;

    public ForeignResourceException(String resource, String region, String why) {
        super(resource + (region == null ? "" : " in " + region) + " exists but is not ours (" + why
                + "); it was left untouched. Rename or remove it yourself, or tag it "
                + ResourceNames.CLUSTER_TAG + "=<cluster id> if it really belongs to this cluster.");
        this.resource = resource;
        this.region = region;
    }

    public String resource() {
        return resource;
    }

    /** Region of the resource, or null for IAM (global). */
    public String region() {
        return region;
    }
}
