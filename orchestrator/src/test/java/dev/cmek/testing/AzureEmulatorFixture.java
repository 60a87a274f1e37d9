package dev.cmek.testing;

import dev.cmek.azure.emulator.AzureEmulator;
import dev.cmek.azure.emulator.EmulatorViews;
import dev.cmek.cli.Cli;
import dev.cmek.sandbox.CloudKeyChecks;
import dev.cmek.sandbox.SandboxConfig;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The Azure emulator on 127.0.0.1 for a test class, reset before each test to its strict defaults (every propagation
 * window at {@link AzureEmulator#DEFAULT_PROPAGATION}, no latency, hour-long tokens, no faults): register with
 * {@code @RegisterExtension static final AzureEmulatorFixture AZURE = new AzureEmulatorFixture();}. A reset forgets
 * the clusters' apps: {@link #registerClusterApps} puts them back, as a sandbox's Azure key check does on first use.
 */
public final class AzureEmulatorFixture implements BeforeAllCallback, BeforeEachCallback, AfterAllCallback {
    private AzureEmulator emulator;

    @Override
    public void beforeAll(ExtensionContext context) {
        emulator = AzureEmulator.start(0);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        emulator.reset()
                .propagation(AzureEmulator.DEFAULT_PROPAGATION)
                .latency(Duration.ZERO)
                .tokenLifetime(AzureEmulator.DEFAULT_TOKEN_LIFETIME);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        emulator.close();
    }

    public AzureEmulator emulator() {
        return emulator;
    }

    /** The CLI pointed at this emulator with its admin's credentials, as the printed exports point a shell. */
    public Cli env(Cli cli) {
        return cli.azure(emulator);
    }

    /** CockroachDB's app of every Azure cluster in {@code config}, registered (idempotent); cluster id to credentials. */
    public Map<String, EmulatorViews.ClientCredentials> registerClusterApps(SandboxConfig config) {
        return CloudKeyChecks.registerAzureApps(emulator, config);
    }
}
