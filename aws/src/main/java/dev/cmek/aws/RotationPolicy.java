package dev.cmek.aws;

/**
 * Automatic rotation of the key material of the keys this toolkit creates (never of keys the customer brings, which are
 * only reported). On by default, every {@value #DEFAULT_DAYS} days, as AWS's own default: AWS Security Hub control
 * KMS.4 and AWS Config rule {@code cmk-backing-key-rotation-enabled} flag a customer managed key without it
 * (https://docs.aws.amazon.com/securityhub/latest/userguide/kms-controls.html#kms-4).
 *
 * @param automatic whether keys we create get automatic rotation
 * @param periodInDays days between rotations: {@value #MIN_DAYS} to {@value #MAX_DAYS}, the range EnableKeyRotation's
 *     RotationPeriodInDays accepts (https://docs.aws.amazon.com/kms/latest/APIReference/API_EnableKeyRotation.html;
 *     Terraform validates the same, internal/service/kms/key.go {@code rotation_period_in_days})
 * @param repair put a period that drifted on one of our keys back (otherwise it is only reported as drifted)
 */
public record RotationPolicy(boolean automatic, int periodInDays, boolean repair) {
    public static final int MIN_DAYS = 90;
    public static final int MAX_DAYS = 2560;
    public static final int DEFAULT_DAYS = 365;

    public RotationPolicy {
        if (automatic && (periodInDays < MIN_DAYS || periodInDays > MAX_DAYS)) {
            throw new InvalidInputException(
                    "--rotation-period",
                    Integer.toString(periodInDays),
                    MIN_DAYS + " to " + MAX_DAYS + " days, the range AWS KMS accepts for automatic rotation");
        }
    }

    /** On, every {@value #DEFAULT_DAYS} days, a drifted period only reported. */
    public static RotationPolicy defaults() {
        return new RotationPolicy(true, DEFAULT_DAYS, false);
    }

    /** Keys are created without automatic rotation (and keys that have it keep it: nothing is ever turned off). */
    public static RotationPolicy off() {
        return new RotationPolicy(false, DEFAULT_DAYS, false);
    }

    public static RotationPolicy every(int days) {
        return new RotationPolicy(true, days, false);
    }

    RotationPolicy withRepair(boolean r) {
        return new RotationPolicy(automatic, periodInDays, r);
    }

    /** In words, for plans and reports. */
    public String describe() {
        return automatic ? "automatic rotation every " + periodInDays + " days" : "automatic rotation off";
    }
}
