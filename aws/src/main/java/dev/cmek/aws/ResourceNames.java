package dev.cmek.aws;

import java.util.Map;

/** Deterministic names, tags and statement ids derived from a cluster id, so every run finds what an earlier run made. */
public record ResourceNames(ClusterId clusterId) {
    /** Tag key marking a role or key as ours; its value is the cluster id. */
    public static final String CLUSTER_TAG = "crdb-cmek-cluster";
    /** Tag key carrying the key generation (1 for the first key, +1 per key rotation). */
    public static final String GENERATION_TAG = "crdb-cmek-generation";

    /**
     * Tag key on the role listing the cluster's Regions (space-separated): a revocation without the Cloud API finds the
     * cluster's keys from it.
     */
    public static final String REGIONS_TAG = "crdb-cmek-regions";

    public static final String MANAGED_BY_TAG = "crdb-cmek-managed-by";
    public static final String MANAGED_BY = "cmek-toolkit";
    /** Inline policy added by revoke to deny role sessions issued before the revocation. */
    public static final String REVOKE_SESSIONS_POLICY = "crdb-cmek-revoke-older-sessions";

    /** Role name: {@code crdb-cmek-<first 8>-<last 12 of the uuid>} (31 chars, under IAM's 64). */
    public String roleName() {
        String id = clusterId.value();
        return "crdb-cmek-" + id.substring(0, 8) + "-" + id.substring(id.length() - 12);
    }

    /** Alias of the key of a generation: {@code alias/crdb-cmek-<cluster id>}, then {@code ...-g<n>} from generation 2. */
    public String alias(int generation) {
        if (generation < 1) {
            throw new InvalidInputException("key generation", Integer.toString(generation), "1 or more");
        }
        return aliasPrefix() + (generation == 1 ? "" : "-g" + generation);
    }

    /** The role's description, as IAM shows it. */
    public String roleDescription() {
        return "CockroachDB Cloud CMEK access for cluster " + clusterId;
    }

    /** A key's description; a multi-Region replica gets its primary's (the description is not a shared property). */
    public String keyDescription(int generation) {
        return "CockroachDB Cloud CMEK key for cluster " + clusterId + " (generation " + generation + ")";
    }

    /** Every generation's alias starts with this. */
    public String aliasPrefix() {
        return "alias/crdb-cmek-" + clusterId.value();
    }

    /** Sid of the key policy statement granting the role (IAM Sids are alphanumeric). */
    public String grantSid() {
        return "CrdbCmekGrant" + clusterId.value().replace("-", "");
    }

    /** Sid of the deny statement revoke adds to the role's trust policy. */
    public String trustDenySid() {
        return "CrdbCmekRevoked" + clusterId.value().replace("-", "");
    }

    public Map<String, String> roleTags(java.util.Collection<String> regions) {
        return regions.isEmpty()
                ? Map.of(CLUSTER_TAG, clusterId.value(), MANAGED_BY_TAG, MANAGED_BY)
                : Map.of(CLUSTER_TAG, clusterId.value(), MANAGED_BY_TAG, MANAGED_BY, REGIONS_TAG, regionsTag(regions));
    }

    /** The Regions a role's tags list; empty when the role was made before they were recorded. */
    public static java.util.SortedSet<String> regionsIn(Map<String, String> tags) {
        java.util.SortedSet<String> out = new java.util.TreeSet<>();
        String v = tags.get(REGIONS_TAG);
        if (v != null) {
            for (String r : v.strip().split("\\s+")) {
                if (!r.isEmpty()) {
                    out.add(r);
                }
            }
        }
        return out;
    }

    /** IAM tag values allow spaces and at most 256 characters: about 20 Regions, more than any cluster has. */
    static String regionsTag(java.util.Collection<String> regions) {
        return String.join(" ", new java.util.TreeSet<>(regions));
    }

    public Map<String, String> keyTags(int generation) {
        return Map.of(
                CLUSTER_TAG,
                clusterId.value(),
                MANAGED_BY_TAG,
                MANAGED_BY,
                GENERATION_TAG,
                Integer.toString(generation));
    }

    /** The command that marks our role as the cluster's: for a role of our name that is the cluster's but lacks the tag. */
    public String tagRoleCommand() {
        return "aws iam tag-role --role-name " + roleName() + " --tags Key=" + CLUSTER_TAG + ",Value=" + clusterId;
    }

    /** The command that marks {@code key} as the cluster's key of {@code generation}, as the toolkit tags its keys. */
    public String tagKeyCommand(KeyArn key, int generation) {
        return "aws kms tag-resource --region " + key.region() + " --key-id " + key + " --tags TagKey=" + CLUSTER_TAG
                + ",TagValue=" + clusterId + " TagKey=" + GENERATION_TAG + ",TagValue=" + generation;
    }

    public boolean isOurs(Map<String, String> tags) {
        return clusterId.value().equals(tags.get(CLUSTER_TAG));
    }

    public boolean isOurs(Map<String, String> tags, int generation) {
        return isOurs(tags) && Integer.toString(generation).equals(tags.get(GENERATION_TAG));
    }
}
