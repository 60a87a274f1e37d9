package dev.cmek.aws;

/** An AWS call failed with an error that is not retried here (throttling and 5xx were already retried by the SDK). */
public final class AwsCallFailedException extends AwsCmekException {
    private final String operation;
    private final String region;

    public AwsCallFailedException(String operation, String region, Throwable cause) {
        super(
                operation + (region == null ? "" : " in " + region) + " failed: " + cause.getMessage()
                        + "; fix the cause and re-run (every step is idempotent)",
                cause);
        this.operation = operation;
        this.region = region;
    }

    public String operation() {
        return operation;
    }

    public String region() {
        return region;
    }
}
