package dev.cmek.cli;

/**
 * A process whose shutdown hook never ends, as a library's can when it waits for a request still in flight: it exits
 * through {@link Main#exit}, which must end it anyway, with its code. Run by {@link ExitBoundTest} in a JVM of its own.
 */
public final class ExitProbe {
    private ExitProbe() {}

    public static void main(String[] args) {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                Thread.sleep(600_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        Main.exit(Integer.parseInt(args[0]));
    }
}
