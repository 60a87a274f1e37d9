package dev.cmek.aws;

/** A policy written and read back was not structurally what was written (a concurrent writer, or a silent rewrite). */
public final class ReadBackMismatchException extends AwsCmekException {
    private final String resource;
    private final String written;
    private final String readBack;

    public ReadBackMismatchException(String resource, String written, String readBack) {
        super("policy of " + resource + " read back differs from what was written; someone else may be editing it."
                + " Re-run to converge. written=" + written + " readBack=" + readBack);
        this.resource = resource;
        this.written = written;
        this.readBack = readBack;
    }

    public String resource() {
        return resource;
    }

    public String written() {
        return written;
    }

    public String readBack() {
        return readBack;
    }
}
