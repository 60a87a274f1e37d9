package dev.cmek.testing;

import dev.cmek.aws.testing.MotoServer;
import dev.cmek.cli.Cli;
import dev.cmek.model.Manifest;
import dev.cmek.model.ManifestCodec;
import dev.cmek.sandbox.CloudApiSandbox;
import dev.cmek.sandbox.CloudKeyChecks;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A Cloud API sandbox per test that reads every submitted key back in moto (and the GCP emulator), as CockroachDB
 * would, and whose exchanges are checked against the OpenAPI spec when the test ends; with the CLI pointed at them.
 * Register it as an instance field after the static {@link MotoServer} (and {@link GcpEmulatorFixture}).
 */
public final class CheckingSandbox implements BeforeEachCallback, AfterEachCallback {
    private final MotoServer moto;
    private final Optional<GcpEmulatorFixture> gcp;
    private CloudApiSandbox sandbox;

    private CheckingSandbox(MotoServer moto, Optional<GcpEmulatorFixture> gcp) {
        this.moto = moto;
        this.gcp = gcp;
    }

    /** Keys checked in moto only. */
    public static CheckingSandbox aws(MotoServer moto) {
        return new CheckingSandbox(moto, Optional.empty());
    }

    /** Keys checked in moto and the GCP emulator. */
    public static CheckingSandbox awsAndGcp(MotoServer moto, GcpEmulatorFixture gcp) {
        return new CheckingSandbox(moto, Optional.of(gcp));
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        sandbox = Sandboxes.startCheckingKeys(
                Duration.ofMillis(100),
                CloudKeyChecks.of(
                        Optional.of(CloudKeyChecks.aws(moto.rawClients())),
                        gcp.map(g -> CloudKeyChecks.gcp(g.emulator()))));
    }

    @Override
    public void afterEach(ExtensionContext context) {
        Sandboxes.closeConforming(sandbox);
    }

    public CloudApiSandbox sandbox() {
        return sandbox;
    }

    /** Closes this test's sandbox and serves {@code other} instead (e.g. a generated organization) until the end. */
    public CloudApiSandbox replace(CloudApiSandbox other) {
        sandbox.close();
        sandbox = other;
        return other;
    }

    /** The CLI, with the API key and moto's session credentials (and the GCP emulator's variables and project). */
    public Cli cli() {
        Cli cli = new Cli().api(sandbox).aws(moto);
        return gcp.map(g -> g.env(cli.env("CMEK_GCP_PROJECT", "acme-keys"))).orElse(cli);
    }

    /** {@code enable --provision} of {@code cluster}, which must succeed; the manifest it wrote into {@code dir}. */
    public Manifest enable(Path dir, String cluster) {
        Path m = dir.resolve(cluster + ".json");
        Cli.ok(cli().enableProvisioning(cluster, m));
        return ManifestCodec.read(m);
    }
}
