package dev.cmek.aws;

/**
 * One resource and what a run did (or, from {@code plan}, would do) to it. The vocabulary is the orchestrator port's,
 * shared with the GCP adapter.
 *
 * @param type what the resource is
 * @param resource its bare name or ARN (role name, key alias or ARN)
 * @param region the region it serves, or null for IAM (global)
 */
public record Change(ResourceType type, String resource, String region, Action action, String detail) {

    /** What a changed resource is. */
    public enum ResourceType {
        ROLE("role"),
        KEY("key"),
        KEY_POLICY("key policy"),
        KEY_ROTATION("key rotation");

        private final String words;

        ResourceType(String words) {
            this.words = words;
        }

        /** The type in words, e.g. {@code key policy}. */
        public String words() {
            return words;
        }
    }

    /** Plan yields the WOULD_ actions; provision the others. */
    public enum Action {
        CREATED,
        UPDATED,
        UNCHANGED,
        WOULD_CREATE,
        WOULD_UPDATE,
        /** Ours, but differs from what we want; reported, not changed (repair not asked for). */
        DRIFTED,
        /** Exists with our name but without our tag (never adopted or changed), or cannot be used as asked. */
        BLOCKED;

        /** CREATED, or WOULD_CREATE when only planning. */
        static Action created(boolean apply) {
            return apply ? CREATED : WOULD_CREATE;
        }

        /** UPDATED, or WOULD_UPDATE when only planning. */
        static Action updated(boolean apply) {
            return apply ? UPDATED : WOULD_UPDATE;
        }
    }

    static Change role(String name, Action action, String detail) {
        return new Change(ResourceType.ROLE, name, null, action, detail);
    }

    static Change key(String resource, String region, Action action, String detail) {
        return new Change(ResourceType.KEY, resource, region, action, detail);
    }

    static Change keyPolicy(String key, String region, Action action, String detail) {
        return new Change(ResourceType.KEY_POLICY, key, region, action, detail);
    }

    static Change keyRotation(String key, String region, Action action, String detail) {
        return new Change(ResourceType.KEY_ROTATION, key, region, action, detail);
    }
}
