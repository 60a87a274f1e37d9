package dev.cmek.workflow;

import dev.cmek.api.Cluster;
import dev.cmek.model.CloudProvider;
import java.util.List;

/**
 * The facts about a cluster that the cloud side needs, read once from the Cloud API.
 *
 * @param accountId the CockroachDB-managed cloud account behind the cluster (AWS account id or GCP project id)
 * @param organizationId the CockroachDB Cloud organization id: the AWS trust policy's external id
 */
public record ClusterTarget(
        String clusterId, CloudProvider cloud, String accountId, String organizationId, List<String> regions) {

    public ClusterTarget {
        regions = List.copyOf(regions);
    }

    public static ClusterTarget of(Cluster cluster, String organizationId) {
        return new ClusterTarget(
                cluster.id(), cluster.cloudProvider(), cluster.accountId(), organizationId, cluster.regionNames());
    }

    public ClusterTarget withRegions(List<String> only) {
        return new ClusterTarget(clusterId, cloud, accountId, organizationId, only);
    }
}
