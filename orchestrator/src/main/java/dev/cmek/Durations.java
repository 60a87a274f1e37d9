package dev.cmek;

import java.time.Duration;

/** Durations written the way users give them ({@code 300ms}, {@code 90s}, {@code 10m}, {@code 2h}), never rounded. */
public final class Durations {
    private Durations() {}

    /**
     * {@code d} in the largest of h, m, s, ms that holds it exactly, so {@code --timeout 300ms} reads back as
     * {@code 300ms}, not {@code 0 s}; what this prints, {@code --timeout} accepts.
     */
    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms != 0 && ms % 3_600_000 == 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms != 0 && ms % 60_000 == 0) {
            return ms / 60_000 + "m";
        }
        if (ms % 1000 == 0) {
            return ms / 1000 + "s";
        }
        return ms + "ms";
    }
}
