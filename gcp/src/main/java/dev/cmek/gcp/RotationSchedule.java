package dev.cmek.gcp;

import java.time.Duration;

/**
 * Automatic rotation of the crypto keys this toolkit creates (never of keys the customer brings, which are only
 * reported): on by default every {@value #DEFAULT_DAYS} days, the most the CIS Google Cloud Platform Foundation
 * Benchmark (1.10, "Ensure KMS encryption keys are rotated within a period of 90 days") allows. Cloud KMS accepts "at
 * least 24 hours and at most 876,000 hours" and needs {@code next_rotation_time} with it
 * (https://cloud.google.com/kms/docs/reference/rest/v1/projects.locations.keyRings.cryptoKeys).
 *
 * @param repair put a period that drifted on one of our keys back (otherwise it is only reported as drifted)
 */
public record RotationSchedule(boolean automatic, int periodInDays, boolean repair) {
    public static final int MIN_DAYS = 1;
    /** 876,000 hours. */
    public static final int MAX_DAYS = 36_500;

    public static final int DEFAULT_DAYS = 90;
    /** What CIS GCP 1.10 asks for at most. */
    public static final int CIS_MAX_DAYS = 90;

    public RotationSchedule {
        if (automatic && (periodInDays < MIN_DAYS || periodInDays > MAX_DAYS)) {
            throw new InvalidInputException("--rotation-period must be " + MIN_DAYS + " to " + MAX_DAYS
                    + " days on GCP (Cloud KMS accepts 24 to 876,000 hours), got " + periodInDays);
        }
    }

    public static RotationSchedule defaults() {
        return new RotationSchedule(true, DEFAULT_DAYS, false);
    }

    public static RotationSchedule off() {
        return new RotationSchedule(false, DEFAULT_DAYS, false);
    }

    public static RotationSchedule every(int days) {
        return new RotationSchedule(true, days, false);
    }

    RotationSchedule withRepair(boolean r) {
        return new RotationSchedule(automatic, periodInDays, r);
    }

    public Duration period() {
        return Duration.ofDays(periodInDays);
    }

    public String describe() {
        return automatic ? "automatic rotation every " + periodInDays + " days" : "automatic rotation off";
    }
}
