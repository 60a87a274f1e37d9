package dev.cmek.aws;

/**
 * One resource and what a run did (or, from {@code plan}, would do) to it.
 *
 * @param resource e.g. {@code role crdb-cmek-...}, {@code key alias/crdb-cmek-...}, {@code key policy <arn>}
 * @param region the region, or null for IAM
 */
public record Change(String resource, String region, Kind kind, String detail) {
    public enum Kind {
        CREATED,
        UPDATED,
        UNCHANGED,
        /** Differs from what we want but was not changed (drift reported, repair not asked for). */
        DRIFT_REPORTED,
        /** Exists with our name but without our tag: reported, never adopted or changed. */
        FOREIGN_LEFT_ALONE
    }

    static Change iam(String resource, Kind kind, String detail) {
        return new Change(resource, null, kind, detail);
    }
}
