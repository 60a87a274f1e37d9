package dev.cmek.core;

/**
 * One resource and what a run did to it, or what {@code plan} says a run would do.
 *
 * @param region the region the resource serves (several regions sharing one key: comma-separated); null for a
 *     resource every region shares, such as a role or a service account
 * @param detail why, in words; empty when there is nothing to add
 */
public record Change(ResourceKind type, String resource, String region, Action action, String detail) {

    public Change {
        detail = detail == null ? "" : detail;
    }

    /** Provision yields the first three; plan the WOULD_ ones; either may yield DRIFTED or BLOCKED. */
    public enum Action {
        CREATED,
        UPDATED,
        UNCHANGED,
        WOULD_CREATE,
        WOULD_UPDATE,
        /** Ours, but not as intended: reported, changed only when a repair is asked for. */
        DRIFTED,
        /** Found with our name but without our mark (never adopted or changed), or unfit for what was asked. */
        BLOCKED;

        /** CREATED, or WOULD_CREATE when only planning. */
        public static Action created(boolean apply) {
            return apply ? CREATED : WOULD_CREATE;
        }

        /** UPDATED, or WOULD_UPDATE when only planning. */
        public static Action updated(boolean apply) {
            return apply ? UPDATED : WOULD_UPDATE;
        }

        /** CREATED or UPDATED: something was written. */
        public boolean wrote() {
            return this == CREATED || this == UPDATED;
        }
    }

    /** {@code CREATED key policy arn:... [us-east-1] (detail)}. */
    @Override
    public String toString() {
        return action + " " + type.words() + " " + resource + (region == null ? "" : " [" + region + "]")
                + (detail.isEmpty() ? "" : " (" + detail + ")");
    }
}
