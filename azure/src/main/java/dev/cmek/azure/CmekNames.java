package dev.cmek.azure;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * Every name and tag this toolkit derives from a cluster id, so that a re-run, a restore and a revocation without the
 * Cloud API all find the same resources from Azure's own records.
 */
final class CmekNames {
    static final String CLUSTER_TAG = "crdb-cmek-cluster";
    static final String MANAGED_BY_TAG = "crdb-cmek-managed-by";
    static final String MANAGED_BY = "cmek-toolkit";
    static final String REGION_TAG = "crdb-cmek-region";
    /** On a vault: the client id of the cluster's app, whose service principal a revocation without the Cloud API disables. */
    static final String APP_TAG = "crdb-cmek-app";

    static final String GENERATION_TAG = "crdb-cmek-generation";
    static final String KEY_BASE = "crdb-cmek";
    static final String DEFAULT_VAULT_PREFIX = "crdb";
    /** The vault name's longest prefix: 24 characters less {@code -<8 hex>-<6 hex>}. */
    static final int MAX_VAULT_PREFIX = 8;

    /** Fixed namespace of the role assignment names this toolkit writes (a version 5 UUID's namespace). */
    private static final UUID ASSIGNMENT_NAMESPACE = UUID.fromString("6c2b1f0e-5a7d-4e39-9c58-cb0f1e2d3a4b");

    private CmekNames() {}

    /** The resource group made when none is named: {@code crdb-cmek-<cluster id>}. */
    static String resourceGroup(ClusterId cluster) {
        return KEY_BASE + "-" + cluster.value();
    }

    /**
     * {@code <prefix>-<cluster id's first group>-<6 hex of SHA-256(cluster id, region)>}: 3-24 characters of letters,
     * digits and single hyphens, starting with a letter and ending with a letter or digit, as vault names must be
     * (https://learn.microsoft.com/azure/key-vault/general/about-keys-secrets-certificates#vault-name-and-object-name);
     * deterministic, the cluster's first group recognisable, one per region.
     */
    static String vaultName(String prefix, ClusterId cluster, String region) {
        byte[] digest = sha256((cluster.value() + "/" + region).getBytes(StandardCharsets.UTF_8));
        return prefix + "-" + cluster.firstGroup() + "-" + HexFormat.of().formatHex(digest, 0, 3);
    }

    /** {@code crdb-cmek} for the first key; {@code crdb-cmek-g<n>} for later generations (a new key, not a version). */
    static String keyName(int generation) {
        return generation <= 1 ? KEY_BASE : KEY_BASE + "-g" + generation;
    }

    static Map<String, String> groupTags(ClusterId cluster) {
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put(CLUSTER_TAG, cluster.value());
        tags.put(MANAGED_BY_TAG, MANAGED_BY);
        return tags;
    }

    static Map<String, String> vaultTags(ClusterId cluster, String region, String appId) {
        Map<String, String> tags = groupTags(cluster);
        tags.put(REGION_TAG, region);
        tags.put(APP_TAG, appId);
        return tags;
    }

    static Map<String, String> keyTags(ClusterId cluster, String region, int generation) {
        Map<String, String> tags = groupTags(cluster);
        tags.put(REGION_TAG, region);
        tags.put(GENERATION_TAG, Integer.toString(generation));
        return tags;
    }

    /** Our mark, in words: {@code crdb-cmek-cluster=<id>, crdb-cmek-managed-by=cmek-toolkit}. */
    static String mark(ClusterId cluster) {
        return CLUSTER_TAG + "=" + cluster.value() + ", " + MANAGED_BY_TAG + "=" + MANAGED_BY;
    }

    static boolean isOurs(Map<String, String> tags, ClusterId cluster) {
        return tags != null
                && cluster.value().equals(tags.get(CLUSTER_TAG))
                && MANAGED_BY.equals(tags.get(MANAGED_BY_TAG));
    }

    /**
     * A role assignment's name: a version 5 (SHA-1) name-based UUID of the cluster id, the scope (lower case: ARM
     * compares scopes without case) and the role, so a re-run and a restore write the same assignment again.
     */
    static String assignmentName(ClusterId cluster, String scope, String roleId) {
        String name = cluster.value() + "|" + scope.toLowerCase(Locale.ROOT) + "|" + roleId.toLowerCase(Locale.ROOT);
        ByteBuffer input = ByteBuffer.allocate(16 + name.getBytes(StandardCharsets.UTF_8).length);
        input.putLong(ASSIGNMENT_NAMESPACE.getMostSignificantBits());
        input.putLong(ASSIGNMENT_NAMESPACE.getLeastSignificantBits());
        input.put(name.getBytes(StandardCharsets.UTF_8));
        byte[] hash = sha1(input.array());
        hash[6] = (byte) ((hash[6] & 0x0f) | 0x50);
        hash[8] = (byte) ((hash[8] & 0x3f) | 0x80);
        ByteBuffer b = ByteBuffer.wrap(hash, 0, 16);
        return new UUID(b.getLong(), b.getLong()).toString();
    }

    private static byte[] sha256(byte[] in) {
        return digest("SHA-256", in);
    }

    private static byte[] sha1(byte[] in) {
        return digest("SHA-1", in);
    }

    private static byte[] digest(String algorithm, byte[] in) {
        try {
            return MessageDigest.getInstance(algorithm).digest(in);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is part of every JDK", e);
        }
    }
}
