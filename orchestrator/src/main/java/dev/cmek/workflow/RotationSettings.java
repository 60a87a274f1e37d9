package dev.cmek.workflow;

import dev.cmek.CmekException;
import java.util.OptionalInt;

/**
 * Automatic rotation for the keys a command creates ({@code --rotation-period}, {@code --no-auto-rotation},
 * {@code --repair-rotation}); each cloud applies its own default period and range.
 *
 * @param periodInDays the period asked; empty for the cloud's default (365 days on AWS, 90 on GCP)
 */
public record RotationSettings(boolean automatic, OptionalInt periodInDays, boolean repair) {
    /** The widest range any supported cloud accepts (GCP: 1 day to 876,000 hours); each cloud checks its own. */
    public static final int MIN_DAYS = 1;

    public static final int MAX_DAYS = 36_500;

    public RotationSettings {
        if (!automatic && periodInDays.isPresent()) {
            throw new CmekException.InvalidInput(
                    "--rotation-period and --no-auto-rotation contradict each other; give one of them");
        }
        if (periodInDays.isPresent() && (periodInDays.getAsInt() < MIN_DAYS || periodInDays.getAsInt() > MAX_DAYS)) {
            throw new CmekException.InvalidInput("--rotation-period must be a number of days (AWS: 90 to 2560, GCP: 1"
                    + " to 36500), got " + periodInDays.getAsInt());
        }
    }

    /** Rotation on with each cloud's default period, drift only reported. */
    public static RotationSettings defaults() {
        return new RotationSettings(true, OptionalInt.empty(), false);
    }
}
