package dev.cmek.azure;

import java.time.Duration;

/** A new service principal was still unknown to Azure Resource Manager when the propagation bound ran out. */
public final class PrincipalNotYetVisibleException extends AzureCmekException {
    private final String principalId;

    public PrincipalNotYetVisibleException(String principalId, Duration bound, Throwable cause) {
        super(
                "service principal " + principalId + " is still unknown to Azure Resource Manager after "
                        + bound.toSeconds() + " s (PrincipalNotFound: the directory replicates a new principal with a"
                        + " delay): run the same command again, or give it longer with --propagation-bound.",
                cause);
        this.principalId = principalId;
    }

    public String principalId() {
        return principalId;
    }
}
