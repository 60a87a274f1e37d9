package dev.cmek.model;

import dev.cmek.CmekException;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks a manifest against the cluster it is meant for: the key type must match the cluster's cloud and
 * the regions must be the right ones for the operation.
 */
public final class ClusterFit {

    /** What the manifest is about to be used for; each needs a different set of regions. */
    public enum Purpose {
        /** Enable: exactly every cluster region. */
        ENABLE,
        /** Rotate: some of the cluster's regions. */
        ROTATE,
        /** Add a region: only regions the cluster does not have yet. */
        ADD_REGION
    }

    private ClusterFit() {}

    /**
     * Throws a one-line {@link CmekException.InvalidInput} when the manifest does not fit.
     *
     * @param clusterRegions the cluster's current regions
     * @param allowCrossRegionKeys whether an AWS key of another region may serve a region (CockroachDB allows it; we
     *     refuse it unless asked, see {@link KeySpecRules#checkRegionMatch})
     */
    public static void check(
            Manifest manifest,
            String clusterId,
            CloudProvider cloud,
            List<String> clusterRegions,
            Purpose purpose,
            boolean allowCrossRegionKeys) {
        KeyType expected = KeyType.forCloud(cloud);
        for (RegionSpec spec : manifest.regionSpecs()) {
            if (spec.keySpec().type() != expected) {
                throw new CmekException.InvalidInput("region " + spec.region() + ": key type "
                        + spec.keySpec().type() + " does not match cluster " + clusterId + " on " + cloud
                        + " (expected " + expected + ")");
            }
        }
        KeySpecRules.checkRegionsMatch(manifest, allowCrossRegionKeys);
        List<String> unknown = new ArrayList<>(manifest.regions());
        unknown.removeAll(clusterRegions);
        switch (purpose) {
            case ENABLE -> {
                if (!unknown.isEmpty()) {
                    throw new CmekException.InvalidInput("cluster " + clusterId + " has no region "
                            + String.join(", ", unknown) + " (its regions: " + String.join(", ", clusterRegions) + ")");
                }
                List<String> missing = new ArrayList<>(clusterRegions);
                missing.removeAll(manifest.regions());
                if (!missing.isEmpty()) {
                    throw new CmekException.InvalidInput(
                            "enable must cover every cluster region; missing: " + String.join(", ", missing));
                }
            }
            case ROTATE -> {
                if (!unknown.isEmpty()) {
                    throw new CmekException.InvalidInput("cluster " + clusterId + " has no region "
                            + String.join(", ", unknown) + " (its regions: " + String.join(", ", clusterRegions) + ")");
                }
            }
            case ADD_REGION -> {
                List<String> existing = new ArrayList<>(manifest.regions());
                existing.retainAll(clusterRegions);
                if (!existing.isEmpty()) {
                    throw new CmekException.InvalidInput("cluster " + clusterId + " already has region "
                            + String.join(", ", existing) + "; add-region takes only new regions");
                }
            }
        }
    }
}
