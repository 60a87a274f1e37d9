package dev.cmek.aws;

import java.time.Duration;

/** KMS kept rejecting the role as an invalid principal for longer than the propagation bound. */
public final class PrincipalNotYetVisibleException extends AwsCmekException {
    private final String principal;
    private final Duration waited;

    public PrincipalNotYetVisibleException(String principal, Duration waited, Throwable last) {
        super(
                "KMS still rejects principal " + principal + " as invalid after " + waited.toSeconds()
                        + "s; IAM may be slow to propagate: re-run later (it is safe), or give a longer --propagation-bound",
                last);
        this.principal = principal;
        this.waited = waited;
    }

    public String principal() {
        return principal;
    }

    public Duration waited() {
        return waited;
    }
}
