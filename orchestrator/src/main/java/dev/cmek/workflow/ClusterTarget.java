package dev.cmek.workflow;

import dev.cmek.api.Cluster;
import dev.cmek.model.CloudProvider;
import java.util.List;
import java.util.Map;

/**
 * The facts about a cluster that the cloud side needs, read once from the Cloud API.
 *
 * @param accountId the CockroachDB-managed identity the key is granted to: the AWS account id, the GCP project id, or
 *     the Azure cluster app's client id ({@link #grantee})
 * @param organizationId the CockroachDB Cloud organization id: the AWS trust policy's external id
 * @param keyGenerations the generation of the key each region uses now (1 for the toolkit's first key, one more per
 *     {@code rotate --new-key}; 0 for a key the toolkit did not make): plan and provision converge on the toolkit's keys
 *     in use, never on an older generation. A region not named here uses no key yet.
 */
public record ClusterTarget(
        String clusterId,
        CloudProvider cloud,
        String accountId,
        String organizationId,
        List<String> regions,
        Map<String, Integer> keyGenerations) {

    public ClusterTarget {
        regions = List.copyOf(regions);
        keyGenerations = Map.copyOf(keyGenerations);
    }

    /** A cluster whose keys are not known to be in use yet: every region at the first generation. */
    public ClusterTarget(
            String clusterId, CloudProvider cloud, String accountId, String organizationId, List<String> regions) {
        this(clusterId, cloud, accountId, organizationId, regions, Map.of());
    }

    public static ClusterTarget of(Cluster cluster, String organizationId) {
        return new ClusterTarget(
                cluster.id(), cluster.cloudProvider(), grantee(cluster), organizationId, cluster.regionNames());
    }

    /**
     * Who the key is granted to on CockroachDB's side: the cluster's AWS account or GCP project, and on Azure the
     * client id of the cluster's app ({@code azure_cluster_identity_client_id}), whose service principal gets the role.
     */
    public static String grantee(Cluster cluster) {
        return cluster.cloudProvider() == CloudProvider.AZURE
                ? cluster.azureClusterIdentityClientId()
                : cluster.accountId();
    }

    public ClusterTarget withRegions(List<String> only) {
        return new ClusterTarget(clusterId, cloud, accountId, organizationId, only, keyGenerations);
    }

    /** The generation of each region's key of ours in use; the regions in {@code brought} use keys taken as given. */
    public Map<String, Integer> generationsExcept(java.util.Set<String> brought) {
        Map<String, Integer> out = new java.util.LinkedHashMap<>();
        regions.forEach(region -> out.put(region, keyGeneration(region)));
        brought.forEach(out::remove);
        return out;
    }

    public ClusterTarget withKeyGenerations(Map<String, Integer> generations) {
        return new ClusterTarget(clusterId, cloud, accountId, organizationId, regions, generations);
    }

    /** The generation of the key {@code region} is to use: the one of ours in use, else the first. */
    public int keyGeneration(String region) {
        return Math.max(1, keyGenerations.getOrDefault(region, 1));
    }

    /** Whether some region uses a key the toolkit did not make: provisioning would not land on it. */
    public boolean usesKeysNotMadeHere() {
        return keyGenerations.containsValue(0);
    }
}
