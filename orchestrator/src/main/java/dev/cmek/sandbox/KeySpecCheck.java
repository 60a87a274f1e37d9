package dev.cmek.sandbox;

import java.util.Optional;

/**
 * Decides whether CockroachDB could use a customer key; plugged into the sandbox so enable and rotate
 * end in {@code ENABLE_FAILED}/{@code ROTATE_FAILED} when the key is unusable.
 *
 * <p>Called once per region spec when the sandbox accepts an enable, rotate or add-region request; the
 * outcome is applied when the transition completes. An exception counts as a failure with its message.
 */
@FunctionalInterface
public interface KeySpecCheck {

    /** Accepts every key. */
    KeySpecCheck ACCEPT_ALL = (cluster, key) -> Optional.empty();

    /** Returns empty if CockroachDB could use the key, otherwise the {@code user_message} to report. */
    Optional<String> check(ClusterFacts cluster, RegionKey key);

    /**
     * The key's newest version in the KMS right now (AWS: when its newest material was made; GCP: the primary version's
     * name; Azure: the version the URI names): the version CockroachDB wraps its store key with when the spec is
     * submitted. Empty where the check cannot see the KMS. The sandbox records it per region at each submission, so
     * tests can prove a re-wrap took the newest.
     */
    default Optional<String> newestVersion(ClusterFacts cluster, RegionKey key) {
        return Optional.empty();
    }

    /**
     * What a check may need about the cluster: the AWS trust policy names the account and organization; on Azure,
     * CockroachDB signs in as the cluster's app ({@code azure_cluster_identity_client_id}, null on the other clouds).
     */
    record ClusterFacts(
            String clusterId,
            String cloudProvider,
            String accountId,
            String organizationId,
            String azureClusterIdentityClientId) {

        /** A cluster on AWS or GCP. */
        public ClusterFacts(String clusterId, String cloudProvider, String accountId, String organizationId) {
            this(clusterId, cloudProvider, accountId, organizationId, null);
        }
    }

    /** One region's key spec as sent in {@code region_specs} / {@code cmek_region_specs}. */
    record RegionKey(String region, String type, String uri, String authPrincipal) {}
}
