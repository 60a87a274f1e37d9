package dev.cmek.testing;

import dev.cmek.cli.Cli;
import dev.cmek.gcp.emulator.GcpEmulator;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The GCP emulator on 127.0.0.1 for a test class, reset before each test, with its default (strict) propagation
 * windows: register with {@code @RegisterExtension static final GcpEmulatorFixture GCP = new GcpEmulatorFixture();}.
 */
public final class GcpEmulatorFixture implements BeforeAllCallback, BeforeEachCallback, AfterAllCallback {
    private GcpEmulator emulator;

    @Override
    public void beforeAll(ExtensionContext context) {
        emulator = GcpEmulator.start(0);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        emulator.reset()
                .propagation(GcpEmulator.DEFAULT_PROPAGATION)
                .hsmGenerationDelay(GcpEmulator.DEFAULT_HSM_GENERATION);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        emulator.close();
    }

    public GcpEmulator emulator() {
        return emulator;
    }

    /** The CLI pointed at this emulator through both emulator variables, as a user would. */
    public Cli env(Cli cli) {
        return cli.gcp(emulator);
    }
}
