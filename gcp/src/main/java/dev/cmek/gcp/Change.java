package dev.cmek.gcp;

/**
 * What a run did, or a plan would do, to one resource: the vocabulary the AWS adapter and the orchestrator's
 * {@code CloudKeys.ResourceChange} share.
 *
 * @param region the cluster region the resource serves (several regions sharing one key: comma-separated); null for
 *     the service account and its policy, which every region shares
 */
public record Change(ResourceType type, String resource, String region, Action action, String detail) {
    /** What the resource is. */
    public enum ResourceType {
        SERVICE_ACCOUNT,
        SERVICE_ACCOUNT_POLICY,
        KEY_RING,
        CRYPTO_KEY,
        CRYPTO_KEY_POLICY,
        CRYPTO_KEY_ROTATION;

        /** In words, as shown to users: "service account", "crypto key policy", ... */
        public String words() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
        }
    }

    /**
     * CREATED / UPDATED / UNCHANGED after a run; WOULD_* and BLOCKED in a plan (BLOCKED: found but not ours or unfit);
     * DRIFTED: ours but not as intended, reported only. The names of the orchestrator's
     * {@code CloudKeys.ResourceChange.Action}.
     */
    public enum Action {
        CREATED,
        UPDATED,
        UNCHANGED,
        WOULD_CREATE,
        WOULD_UPDATE,
        DRIFTED,
        BLOCKED
    }

    /** A change to the service account or its policy, which serve every region. */
    static Change account(ResourceType type, String resource, Action action, String detail) {
        return new Change(type, resource, null, action, detail);
    }

    @Override
    public String toString() {
        return action + " " + type.words() + " " + resource + (region == null ? "" : " [" + region + "]")
                + (detail.isEmpty() ? "" : " (" + detail + ")");
    }
}
