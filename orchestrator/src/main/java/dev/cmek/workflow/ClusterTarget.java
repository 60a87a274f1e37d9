package dev.cmek.workflow;

import dev.cmek.api.Cluster;
import dev.cmek.model.CloudProvider;
import java.util.List;

/**
 * The facts about a cluster that the cloud side needs, read once from the Cloud API.
 *
 * @param accountId the CockroachDB-managed identity the key is granted to: the AWS account id, the GCP project id, or
 *     the Azure cluster app's client id ({@link #grantee})
 * @param organizationId the CockroachDB Cloud organization id: the AWS trust policy's external id
 */
public record ClusterTarget(
        String clusterId, CloudProvider cloud, String accountId, String organizationId, List<String> regions) {

    public ClusterTarget {
        regions = List.copyOf(regions);
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
        return new ClusterTarget(clusterId, cloud, accountId, organizationId, only);
    }
}
