package dev.cmek.azure;

import java.time.Duration;

/**
 * Automatic rotation of the keys this toolkit creates (never of keys the customer brings): a Key Vault rotation policy
 * that rotates {@value #DEFAULT_DAYS} days after each version is created, by default, with no expiry on the versions
 * (CockroachDB keeps using the version its key spec names). Key Vault accepts a {@code timeAfterCreate} of at least 7
 * days (https://learn.microsoft.com/azure/key-vault/keys/how-to-configure-key-rotation#key-rotation-policy).
 *
 * @param repair put a period that drifted on one of our keys back (otherwise it is only reported as drifted)
 */
public record RotationSchedule(boolean automatic, int periodInDays, boolean repair) {
    public static final int MIN_DAYS = 7;
    /** Key Vault's own ceiling is years; ten are more than any policy asks for. */
    public static final int MAX_DAYS = 3650;
    /** Yearly, as CIS Azure asks ("automatic key rotation" enabled with a period of at most a year or two). */
    public static final int DEFAULT_DAYS = 365;

    public RotationSchedule {
        if (automatic && (periodInDays < MIN_DAYS || periodInDays > MAX_DAYS)) {
            throw new InvalidInputException("--rotation-period must be " + MIN_DAYS + " to " + MAX_DAYS
                    + " days on Azure (Key Vault rotates at least 7 days after a version is made), got "
                    + periodInDays);
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

    public RotationSchedule withRepair(boolean r) {
        return new RotationSchedule(automatic, periodInDays, r);
    }

    public Duration period() {
        return Duration.ofDays(periodInDays);
    }

    /** The policy's trigger, an ISO 8601 period: {@code P365D}. */
    String timeAfterCreate() {
        return "P" + periodInDays + "D";
    }

    public String describe() {
        return automatic ? "automatic rotation every " + periodInDays + " days" : "automatic rotation off";
    }
}
