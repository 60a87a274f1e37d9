package dev.cmek.azure;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What an Azure revocation works on, in plain values: the cluster (whose id names and tags our vaults), where our vaults
 * are, the cluster app when known, and the keys in use (also revoked when not ours: keys the customer brought).
 *
 * @param resourceGroup where our vaults are looked for (the default {@code crdb-cmek-<cluster id>} unless named)
 * @param tenantId the customer's tenant; empty: read from the subscription
 * @param clusterAppId the cluster's {@code azure_cluster_identity_client_id}; empty when the Cloud API could not be
 *     read: then it is read from our vaults' tags
 * @param keysInUse each key CockroachDB uses (any version) and the regions it serves
 * @param dryRun read everything, write nothing: each document is reported as it would end
 */
public record RevocationRequest(
        ClusterId clusterId,
        String subscriptionId,
        String resourceGroup,
        Optional<String> tenantId,
        Optional<String> clusterAppId,
        Map<KeyUri, List<String>> keysInUse,
        boolean dryRun) {

    public RevocationRequest {
        Objects.requireNonNull(clusterId, "clusterId");
        subscriptionId = Guid.require(subscriptionId, "The subscription id (--azure-subscription)");
        resourceGroup = resourceGroup == null || resourceGroup.isBlank()
                ? CmekNames.resourceGroup(clusterId)
                : resourceGroup.strip();
        if (!AzureCmekRequest.RESOURCE_GROUP.matcher(resourceGroup).matches()) {
            throw new InvalidInputException("Not a resource group name (--azure-resource-group): " + resourceGroup);
        }
        tenantId = tenantId.map(t -> Guid.require(t, "The tenant id (--azure-tenant)"));
        clusterAppId = clusterAppId.map(a -> Guid.require(a, "The cluster's azure_cluster_identity_client_id"));
        Map<KeyUri, List<String>> keys = new LinkedHashMap<>();
        keysInUse.forEach((k, regions) ->
                keys.computeIfAbsent(k.unversioned(), x -> new ArrayList<>()).addAll(regions));
        keysInUse = Collections.unmodifiableMap(keys);
    }

    /** A revocation of what {@code request} provisions: its regions' keys (brought ones included) and its cluster app. */
    public static RevocationRequest of(AzureCmekRequest request, boolean dryRun) {
        Map<KeyUri, List<String>> keys = new LinkedHashMap<>();
        request.regions()
                .forEach(r -> keys.computeIfAbsent(request.keyOf(r, 1), k -> new ArrayList<>())
                        .add(r));
        return new RevocationRequest(
                request.clusterId(),
                request.subscriptionId(),
                request.resourceGroup(),
                Optional.of(request.tenantId()),
                Optional.of(request.clusterAppId()),
                keys,
                dryRun);
    }

    /**
     * A revocation without the Cloud API: only the cluster id, the subscription and (when not the default) the
     * resource group are known; our vaults, their regions and the cluster app are found from our tags.
     */
    public static RevocationRequest cloudOnly(ClusterId clusterId, String subscriptionId, String resourceGroup) {
        return new RevocationRequest(
                clusterId, subscriptionId, resourceGroup, Optional.empty(), Optional.empty(), Map.of(), false);
    }

    /** The same revocation, reading only ({@code true}) or writing. */
    public RevocationRequest withDryRun(boolean dry) {
        return new RevocationRequest(clusterId, subscriptionId, resourceGroup, tenantId, clusterAppId, keysInUse, dry);
    }

    /** The same revocation, also removing the grants on these keys in use (any version), for these regions. */
    public RevocationRequest withKeysInUse(Map<KeyUri, List<String>> keys) {
        Map<KeyUri, List<String>> all = new LinkedHashMap<>(keysInUse);
        keys.forEach((k, r) ->
                all.computeIfAbsent(k.unversioned(), x -> new ArrayList<>()).addAll(r));
        return new RevocationRequest(clusterId, subscriptionId, resourceGroup, tenantId, clusterAppId, all, dryRun);
    }
}
