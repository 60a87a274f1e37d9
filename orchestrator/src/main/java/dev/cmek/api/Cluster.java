package dev.cmek.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.cmek.model.CloudProvider;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The parts of a cluster ({@code Cluster}) that CMEK work needs.
 *
 * @param azureClusterIdentityClientId on Azure clusters only: the client id of CockroachDB's multi-tenant app for the
 *     cluster, whose service principal in the customer's tenant uses the key
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Cluster(
        @JsonProperty("id") String id,
        @JsonProperty("name") String name,
        @JsonProperty("cloud_provider") CloudProvider cloudProvider,
        @JsonProperty("account_id") String accountId,
        @JsonProperty("plan") String plan,
        @JsonProperty("state") ClusterState state,
        @JsonProperty("operation_status") String operationStatus,
        @JsonProperty("network_visibility") String networkVisibility,
        @JsonProperty("regions") List<Region> regions,
        @JsonProperty("azure_cluster_identity_client_id") String azureClusterIdentityClientId) {

    public Cluster {
        cloudProvider = Objects.requireNonNullElse(cloudProvider, CloudProvider.UNRECOGNIZED);
        state = Objects.requireNonNullElse(state, ClusterState.UNRECOGNIZED);
        regions = regions == null ? List.of() : List.copyOf(regions);
    }

    /** A cluster region and its node count. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Region(
            @JsonProperty("name") String name,
            @JsonProperty("node_count") int nodeCount) {}

    public List<String> regionNames() {
        return regions.stream().map(Region::name).toList();
    }

    /** Region name to node count, in the cluster's order. */
    public Map<String, Integer> regionNodes() {
        return regions.stream()
                .collect(Collectors.toMap(Region::name, Region::nodeCount, (a, b) -> a, java.util.LinkedHashMap::new));
    }
}
