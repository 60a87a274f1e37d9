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

    /** The cloud an option names ({@code aws}, {@code gcp}, {@code azure}, any case); anything else is bad input. */
    public static CloudProvider fromOption(String cloud) {
        return switch (cloud.toLowerCase(java.util.Locale.ROOT)) {
            case "aws" -> AWS;
            case "gcp" -> GCP;
            case "azure" -> AZURE;
            default ->
                throw new dev.cmek.CmekException.InvalidInput("--cloud must be aws, gcp or azure (got " + cloud + ")");
        };
    }

    /** The name people write: AWS, GCP, Azure. */
    public String title() {
        return this == AZURE ? "Azure" : name();
    }
}
