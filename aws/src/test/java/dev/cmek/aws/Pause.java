package dev.cmek.aws;

/** A test's pause inside a lambda that may not throw InterruptedException. */
final class Pause {
    private Pause() {}

    static void millis(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
