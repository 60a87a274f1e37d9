package dev.cmek.cli;

import dev.cmek.ExitCode;
import dev.cmek.api.CloudApi;
import dev.cmek.api.Cluster;
import dev.cmek.model.ClusterFit;
import dev.cmek.model.Manifest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What a --dry-run of a manifest-driven command shows: the manifest checked against the live cluster, nothing sent. */
final class ManifestPreview {
    private ManifestPreview() {}

    /** Reads the cluster and checks the manifest fits it for {@code purpose}; one-line bad input when not. */
    static void checkFits(
            CloudApi api,
            String clusterId,
            Manifest manifest,
            ClusterFit.Purpose purpose,
            boolean allowCrossRegionKeys) {
        Cluster cluster = api.cluster(clusterId);
        ClusterFit.check(
                manifest, clusterId, cluster.cloudProvider(), cluster.regionNames(), purpose, allowCrossRegionKeys);
    }

    static ExitCode fit(
            ApiCommand command, String clusterId, Manifest manifest, ClusterFit.Purpose purpose, String verb) {
        checkFits(command.api(), clusterId, manifest, purpose, command.allowCrossRegionKeys());
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("cluster_id", clusterId);
        doc.put("dry_run", true);
        doc.put("would", verb);
        doc.put("region_specs", manifest.regionSpecs());
        command.report()
                .result(
                        doc,
                        List.of("would " + verb + " cluster " + clusterId + " with key specs for "
                                + String.join(", ", manifest.regions()) + "; the manifest fits the cluster"));
        return ExitCode.OK;
    }
}
