package dev.cmek.gcp;

import java.time.Duration;

/** A new service account was still not visible to IAM when the propagation bound ran out. */
public final class PrincipalNotYetVisibleException extends GcpCmekException {
    private final String principal;

    public PrincipalNotYetVisibleException(String principal, Duration bound, Throwable cause) {
        super(
                "service account " + principal + " is still not visible to IAM after " + bound.toSeconds()
                        + " s (IAM is eventually consistent after an account is created): run the same command again,"
                        + " or give it longer with --propagation-bound.",
                cause);
        this.principal = principal;
    }

    public String principal() {
        return principal;
    }
}
