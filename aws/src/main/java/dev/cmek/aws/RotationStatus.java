package dev.cmek.aws;

import java.time.Instant;

/**
 * A key's automatic rotation as GetKeyRotationStatus reports it
 * (https://docs.aws.amazon.com/kms/latest/APIReference/API_GetKeyRotationStatus.html).
 *
 * @param periodInDays days between rotations (null when KMS does not say: AWS reports the default 365 then)
 * @param nextRotation when KMS rotates next (null when off or not reported)
 */
public record RotationStatus(boolean enabled, Integer periodInDays, Instant nextRotation) {
    /** The period, with AWS's documented default when none is reported. */
    public int period() {
        return periodInDays == null ? RotationPolicy.DEFAULT_DAYS : periodInDays;
    }

    boolean every(int days) {
        return enabled && period() == days;
    }

    public String describe() {
        if (!enabled) {
            return "automatic rotation off";
        }
        return "automatic rotation every " + period() + " days"
                + (nextRotation == null
                        ? ""
                        : ", next " + nextRotation.toString().substring(0, 10));
    }
}
