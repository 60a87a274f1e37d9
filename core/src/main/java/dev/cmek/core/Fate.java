package dev.cmek.core;

/** How one document ended in one revocation run. */
public enum Fate {
    /** The write succeeded, or a fresh read shows the intended removal in place. */
    REMOVED,
    /** Nothing of ours was there to remove (already revoked, or never granted). */
    ALREADY_ABSENT,
    /** It could not be read or written; the detail says why and what to do. */
    LEFT,
    /** A dry run: the write would remove the grant the detail names; nothing was written. */
    WOULD_REMOVE
}
