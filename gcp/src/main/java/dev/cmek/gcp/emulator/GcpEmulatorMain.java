package dev.cmek.gcp.emulator;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/** Runs the emulator on 127.0.0.1 until killed: {@code GcpEmulatorMain [--port P] [--latency-ms N] [--propagation-ms N] [--account-propagation-ms N] [--hsm-generation-ms N]}. */
public final class GcpEmulatorMain {
    private GcpEmulatorMain() {}

    public static void main(String[] args) throws InterruptedException {
        int port = 0;
        long latencyMs = 0;
        long propagationMs = GcpEmulator.DEFAULT_PROPAGATION.toMillis();
        long accountPropagationMs = GcpEmulator.DEFAULT_PROPAGATION.toMillis();
        long hsmMs = GcpEmulator.DEFAULT_HSM_GENERATION.toMillis();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "--latency-ms" -> latencyMs = Long.parseLong(args[++i]);
                case "--propagation-ms" -> propagationMs = Long.parseLong(args[++i]);
                case "--account-propagation-ms" -> accountPropagationMs = Long.parseLong(args[++i]);
                case "--hsm-generation-ms" -> hsmMs = Long.parseLong(args[++i]);
                default -> {
                    System.err.println("usage: GcpEmulatorMain [--port P] [--latency-ms N] [--propagation-ms N]"
                            + " [--account-propagation-ms N] [--hsm-generation-ms N]");
                    System.exit(2);
                }
            }
        }
        GcpEmulator emulator = GcpEmulator.start(port)
                .latency(Duration.ofMillis(latencyMs))
                .propagationDelay(Duration.ofMillis(propagationMs))
                .serviceAccountPropagation(Duration.ofMillis(accountPropagationMs))
                .hsmGenerationDelay(Duration.ofMillis(hsmMs));
        String endpoint = emulator.endpoint().orElseThrow();
        Runtime.getRuntime().addShutdownHook(new Thread(emulator::close));
        // One machine-readable line, so scripts can export CLOUDKMS_EMULATOR_HOST and IAM_EMULATOR_HOST.
        System.out.println("GCP_EMULATOR_HOST=" + endpoint);
        System.out.flush();
        new CountDownLatch(1).await();
    }
}
