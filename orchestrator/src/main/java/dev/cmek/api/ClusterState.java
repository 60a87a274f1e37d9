package dev.cmek.api;

import com.fasterxml.jackson.annotation.JsonEnumDefaultValue;

/** Lifecycle state of a cluster ({@code ClusterState.Type}). */
public enum ClusterState {
    CREATING,
    CREATED,
    CREATION_FAILED,
    DELETED,
    LOCKED,
    @JsonEnumDefaultValue
    UNRECOGNIZED
}
