package dev.cmek.model;

import com.fasterxml.jackson.annotation.JsonEnumDefaultValue;

/** Where a customer-managed key lives, as the Cloud API names it ({@code CMEKKeyType}). */
public enum KeyType {
    AWS_KMS,
    GCP_CLOUD_KMS,
    AZURE_KEY_VAULT,
    NULL_KMS,
    /** A value this version of the toolkit does not know yet; the API adds values over time. */
    @JsonEnumDefaultValue
    UNRECOGNIZED;

    /** The key type CockroachDB expects for a cluster on this cloud. */
    public static KeyType forCloud(CloudProvider cloud) {
        return switch (cloud) {
            case AWS -> AWS_KMS;
            case GCP -> GCP_CLOUD_KMS;
            case AZURE -> AZURE_KEY_VAULT;
            case UNRECOGNIZED -> UNRECOGNIZED;
        };
    }

    /** The cloud whose keys are of this type; {@link CloudProvider#UNRECOGNIZED} for the others. */
    public CloudProvider cloud() {
        return switch (this) {
            case AWS_KMS -> CloudProvider.AWS;
            case GCP_CLOUD_KMS -> CloudProvider.GCP;
            case AZURE_KEY_VAULT -> CloudProvider.AZURE;
            case NULL_KMS, UNRECOGNIZED -> CloudProvider.UNRECOGNIZED;
        };
    }
}
