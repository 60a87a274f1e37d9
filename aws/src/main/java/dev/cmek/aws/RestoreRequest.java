package dev.cmek.aws;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What restore puts back: the intents a revocation kept, for the cluster and accounts they must belong to.
 *
 * @param clusterAccount the cluster's account the trust may name; empty when the revocation did not read the Cloud
 *     API (then the trust statements are still held to the canonical shape, and the account they name is reported)
 * @param externalId the organization id the trust must require, when known
 * @param customerAccount the account the record's role and keys must be in, when named by the user; the account of the
 *     credentials must match it in any case
 */
public record RestoreRequest(
        ClusterId clusterId,
        Optional<AccountId> clusterAccount,
        Optional<ExternalId> externalId,
        Optional<AccountId> customerAccount,
        List<RevocationRecord.Intent> intents,
        Duration propagationBound) {
    public RestoreRequest {
        intents = List.copyOf(intents);
    }

    /** Restores what {@code record} removed, for the cluster account and organization of {@code request}. */
    public static RestoreRequest of(RevocationRecord record, AwsCmekRequest request) {
        return new RestoreRequest(
                record.clusterId(),
                Optional.of(request.trustedAccount()),
                Optional.of(request.externalId()),
                Optional.empty(),
                record.intents(),
                request.principalPropagationBound());
    }
}
