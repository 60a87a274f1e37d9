package dev.cmek.model;

import com.fasterxml.jackson.annotation.JsonEnumDefaultValue;

/** The cloud a cluster runs on ({@code CloudProvider.Type}). */
public enum CloudProvider {
    AWS,
    GCP,
    AZURE,
    @JsonEnumDefaultValue
    UNRECOGNIZED;

    /** The clouds this toolkit makes keys on: every one CockroachDB supports CMEK on. */
    public static final java.util.Set<CloudProvider> SERVED = java.util.EnumSet.of(AWS, GCP, AZURE);

    /** The name people write: AWS, GCP, Azure. */
    public String title() {
        return this == AZURE ? "Azure" : name();
    }
}
