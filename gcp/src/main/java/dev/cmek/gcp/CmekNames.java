package dev.cmek.gcp;

import java.util.Map;

/** Deterministic names and ownership marks derived from the cluster id, so every run finds what an earlier one made. */
public final class CmekNames {
    private CmekNames() {}

    /** Label key and value marking a crypto key as created by this toolkit. */
    public static final String MANAGED_BY_LABEL = "managed-by";

    public static final String MANAGED_BY_VALUE = "crdb-cmek-toolkit";
    /** Label carrying the cluster id the key serves. */
    public static final String CLUSTER_LABEL = "crdb-cluster";

    /** {@code crdb-cmek-<last 12 of cluster id>}: 22 characters, inside GCP's 6 to 30 rule, starts with a letter. */
    public static String serviceAccountId(ClusterId cluster) {
        return "crdb-cmek-" + cluster.last12();
    }

    /** CockroachDB's own identity for the cluster, in the cluster's account: {@code crl-kms-user-<last 12>}. */
    public static String cockroachIdentityId(ClusterId cluster) {
        return "crl-kms-user-" + cluster.last12();
    }

    public static ServiceAccountEmail serviceAccountEmail(String customerProject, ClusterId cluster) {
        return ServiceAccountEmail.of(serviceAccountId(cluster), customerProject);
    }

    /** The ownership mark we put in, and look for in, the service account's description. */
    public static String serviceAccountMark(ClusterId cluster) {
        return "[" + MANAGED_BY_VALUE + " cluster=" + cluster + "]";
    }

    public static String serviceAccountDescription(ClusterId cluster) {
        return "Cross-tenant account CockroachDB Cloud impersonates to use this cluster's CMEK keys. "
                + serviceAccountMark(cluster);
    }

    public static String serviceAccountDisplayName(ClusterId cluster) {
        return "CockroachDB CMEK " + cluster.last12();
    }

    /** {@code crdb-cmek-<cluster id>}; one per location, since key rings live in a location. */
    public static String keyRingId(ClusterId cluster) {
        return "crdb-cmek-" + cluster;
    }

    /** Generation 1 is {@code <base>}, later ones {@code <base>-g<n>}: crypto key names can never be reused. */
    public static String cryptoKeyId(String base, int generation) {
        if (generation < 1) {
            throw new InvalidInputException("Key generation starts at 1, got " + generation);
        }
        return generation == 1 ? base : base + "-g" + generation;
    }

    public static final String DEFAULT_KEY_BASE = "crdb-cmek";

    public static Map<String, String> labels(ClusterId cluster) {
        return Map.of(MANAGED_BY_LABEL, MANAGED_BY_VALUE, CLUSTER_LABEL, cluster.value());
    }

    /** Whether key labels carry our mark for this cluster. */
    public static boolean isOurs(Map<String, String> labels, ClusterId cluster) {
        return MANAGED_BY_VALUE.equals(labels.get(MANAGED_BY_LABEL))
                && cluster.value().equals(labels.get(CLUSTER_LABEL));
    }
}
