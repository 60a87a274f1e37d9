package dev.cmek.azure.emulator;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * Runs the emulator on 127.0.0.1 until killed: {@code AzureEmulatorMain [--port P] [--latency-ms N]
 * [--propagation-ms N] [--assignment-propagation-ms N] [--removal-propagation-ms N] [--principal-replication-ms N]}.
 */
public final class AzureEmulatorMain {
    private AzureEmulatorMain() {}

    private static final String USAGE = "usage: AzureEmulatorMain [--port P] [--latency-ms N] [--propagation-ms N]"
            + " [--assignment-propagation-ms N] [--removal-propagation-ms N] [--principal-replication-ms N]";

    public static void main(String[] args) throws InterruptedException {
        int port = 0;
        long latencyMs = 0;
        long assignmentMs = AzureEmulator.DEFAULT_PROPAGATION.toMillis();
        long removalMs = AzureEmulator.DEFAULT_PROPAGATION.toMillis();
        long replicationMs = AzureEmulator.DEFAULT_PROPAGATION.toMillis();
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--port" -> port = Integer.parseInt(args[++i]);
                    case "--latency-ms" -> latencyMs = Long.parseLong(args[++i]);
                    case "--propagation-ms" -> {
                        long ms = Long.parseLong(args[++i]);
                        assignmentMs = ms;
                        removalMs = ms;
                        replicationMs = ms;
                    }
                    case "--assignment-propagation-ms" -> assignmentMs = Long.parseLong(args[++i]);
                    case "--removal-propagation-ms" -> removalMs = Long.parseLong(args[++i]);
                    case "--principal-replication-ms" -> replicationMs = Long.parseLong(args[++i]);
                    default -> throw new IllegalArgumentException(args[i]);
                }
            }
        } catch (RuntimeException e) {
            System.err.println(USAGE);
            System.exit(2);
        }
        AzureEmulator emulator = AzureEmulator.start(port)
                .latency(Duration.ofMillis(latencyMs))
                .roleAssignmentPropagation(Duration.ofMillis(assignmentMs))
                .roleRemovalPropagation(Duration.ofMillis(removalMs))
                .principalReplication(Duration.ofMillis(replicationMs));
        Runtime.getRuntime().addShutdownHook(new Thread(emulator::close));
        // One line for people, then lines a shell can eval.
        System.out.println("Azure emulator serving " + emulator.authorityHost());
        emulator.env().forEach((k, v) -> System.out.println("export " + k + "=" + v));
        System.out.flush();
        new CountDownLatch(1).await();
    }
}
