package dev.cmek.api;

import dev.cmek.model.Manifest;
import dev.cmek.model.RegionSpec;
import java.util.List;
import java.util.Map;

/**
 * The CockroachDB Cloud API operations CMEK needs. One interface over the whole API, so that everything
 * above it can run against the sandbox or a recording decorator.
 */
public interface CloudApi {

    /** {@code GET /api/v1/organization}: the caller's organization (its id is the AWS external id). */
    Organization organization();

    /**
     * {@code GET /api/v1/clusters}, every page: the organization's active clusters (neither DELETED nor
     * CREATION_FAILED), by name.
     */
    List<Cluster> listClusters();

    /** {@code GET /api/v1/clusters/{id}}. */
    Cluster cluster(String clusterId);

    /** {@code GET /api/v1/clusters/{id}/cmek}. */
    CmekClusterInfo cmekStatus(String clusterId);

    /** {@code POST /api/v1/clusters/{id}/cmek}: the manifest must cover every cluster region. */
    CmekClusterInfo enableCmek(String clusterId, Manifest manifest);

    /** {@code PUT /api/v1/clusters/{id}/cmek}: only the regions being rotated. */
    CmekClusterInfo rotateCmek(String clusterId, Manifest regionsToRotate);

    /** {@code PATCH /api/v1/clusters/{id}/cmek} with {@code {"action":"REVOKE"}}. There is no undo. */
    CmekClusterInfo revokeCmek(String clusterId);

    /**
     * {@code PATCH /api/v1/clusters/{id}}: adds regions to a CMEK cluster.
     *
     * @param regionNodes node count of every region, old and new
     * @param newRegionSpecs key specs of the new regions only
     */
    Cluster addRegions(String clusterId, Map<String, Integer> regionNodes, List<RegionSpec> newRegionSpecs);
}
