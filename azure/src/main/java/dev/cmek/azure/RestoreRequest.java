package dev.cmek.azure;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What restore puts back: the intents a revocation kept, for the cluster, tenant and subscription they must belong to.
 *
 * @param clusterAppId the cluster app's client id from the Cloud API; empty: the record's own, checked against the
 *     principal's display name and reported
 * @param keysInUse keys CockroachDB uses (from the manifest): an assignment on a key outside our vaults is put back only
 *     when its key is one of them
 * @param vaultCryptoOfficer whether Key Vault Crypto Officer on a whole vault may be put back: the broader role
 *     provision grants only when asked, so restore asks the same
 */
public record RestoreRequest(
        ClusterId clusterId,
        String tenantId,
        String subscriptionId,
        Optional<String> clusterAppId,
        List<RevocationRecord.Intent> intents,
        Set<KeyUri> keysInUse,
        boolean vaultCryptoOfficer) {
    public RestoreRequest {
        Objects.requireNonNull(clusterId, "clusterId");
        tenantId = Guid.require(tenantId, "The tenant id");
        subscriptionId = Guid.require(subscriptionId, "The subscription id");
        clusterAppId = clusterAppId.map(a -> Guid.require(a, "The cluster's azure_cluster_identity_client_id"));
        intents = List.copyOf(intents);
        keysInUse =
                keysInUse.stream().map(KeyUri::unversioned).collect(java.util.stream.Collectors.toUnmodifiableSet());
    }

    /** Restores what {@code record} removed, for the cluster, tenant, subscription, app and keys of {@code request}. */
    public static RestoreRequest of(RevocationRecord record, AzureCmekRequest request) {
        return new RestoreRequest(
                ClusterId.of(record.clusterId()),
                request.tenantId(),
                request.subscriptionId(),
                Optional.of(request.clusterAppId()),
                record.intents(),
                Set.copyOf(request.existingKeys().values()),
                request.broaderRole());
    }

    /**
     * Restores what {@code record} removed when the Cloud API cannot be read: the tenant and subscription are the
     * record's, and the cluster app is held to the one its principal intent names.
     */
    public static RestoreRequest fromRecord(RevocationRecord record) {
        if (record.tenantId() == null) {
            throw new InvalidInputException("The revocation record names no tenant: give the tenant, subscription and"
                    + " cluster app explicitly");
        }
        return new RestoreRequest(
                ClusterId.of(record.clusterId()),
                record.tenantId(),
                record.subscriptionId(),
                Optional.empty(),
                record.intents(),
                Set.of(),
                false);
    }
}
