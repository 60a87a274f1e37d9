package dev.cmek.api;

import com.fasterxml.jackson.annotation.JsonEnumDefaultValue;

/** CMEK status of a cluster, a region or a key ({@code CMEKStatus}). */
public enum CmekStatus {
    DISABLED,
    DISABLING,
    DISABLE_FAILED,
    ENABLED,
    ENABLING,
    ENABLE_FAILED,
    ROTATING,
    ROTATE_FAILED,
    REVOKED,
    REVOKING,
    REVOKE_FAILED,
    /** A value this version does not know; treated as still in progress. */
    @JsonEnumDefaultValue
    UNRECOGNIZED;

    /** ENABLED, DISABLED or REVOKED: nothing is moving. */
    public boolean isSettled() {
        return this == ENABLED || this == DISABLED || this == REVOKED;
    }

    /** Any {@code *_FAILED}: waiting longer will not help. */
    public boolean isFailed() {
        return name().endsWith("_FAILED");
    }

    boolean isInProgress() {
        return !isSettled() && !isFailed();
    }
}
