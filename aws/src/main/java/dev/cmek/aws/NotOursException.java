package dev.cmek.aws;

/** A resource with one of our deterministic names exists but does not carry our ownership tag; it is left alone. */
public final class NotOursException extends AwsCmekException {
    private final AwsResource type;
    private final String resource;
    private final String region;

    /** @param tagCommand the command that marks it as the cluster's, for when it really is */
    public NotOursException(AwsResource type, String resource, String region, String why, String tagCommand) {
        super(type.words() + " " + resource + (region == null ? "" : " in " + region) + " exists but is not ours ("
                + why
                + "); it was left untouched. Rename or remove it yourself, or, if it really belongs to this cluster,"
                + " tag it (`" + tagCommand + "`) and re-run.");
        this.type = type;
        this.resource = resource;
        this.region = region;
    }

    public AwsResource type() {
        return type;
    }

    /** The bare name or ARN. */
    public String resource() {
        return resource;
    }

    /** Region of the resource, or null for IAM (global). */
    public String region() {
        return region;
    }
}
