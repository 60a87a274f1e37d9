package dev.cmek.model;

import com.fasterxml.jackson.annotation.JsonEnumDefaultValue;

/** The cloud a cluster runs on ({@code CloudProvider.Type}). */
public enum CloudProvider {
    AWS,
    GCP,
    AZURE,
    @JsonEnumDefaultValue
    UNRECOGNIZED
}
