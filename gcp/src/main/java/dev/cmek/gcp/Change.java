package dev.cmek.gcp;

/** What a run did, or a plan would do, to one resource. */
public record Change(Kind kind, String resource, Action action, String detail) {
    public enum Kind {
        SERVICE_ACCOUNT,
        SERVICE_ACCOUNT_POLICY,
        KEY_RING,
        CRYPTO_KEY,
        CRYPTO_KEY_POLICY
    }

    /** CREATED / UPDATED / UNCHANGED after a run; WOULD_* and BLOCKED in a plan (BLOCKED: found but not ours or unfit). */
    public enum Action {
        CREATED,
        UPDATED,
        UNCHANGED,
        WOULD_CREATE,
        WOULD_UPDATE,
        BLOCKED
    }

    @Override
    public String toString() {
        return action + " " + kind + " " + resource + (detail.isEmpty() ? "" : " (" + detail + ")");
    }
}
