package dev.cmek.cli;

import dev.cmek.aws.testing.MotoServer;
import dev.cmek.model.Manifest;
import dev.cmek.model.ManifestCodec;
import dev.cmek.sandbox.CloudApiSandbox;
import dev.cmek.sandbox.CloudKeyChecks;
import dev.cmek.testing.GcpEmulatorFixture;
import dev.cmek.testing.Sandboxes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A Cloud API sandbox per test that reads every submitted key back in moto and the GCP emulator, as CockroachDB
 * would, and whose exchanges are checked against the OpenAPI spec when the test ends; with the CLI pointed at all
 * three. Register it as an instance field after the static {@link MotoServer} and {@link GcpEmulatorFixture}.
 */
final class BothCloudsSandbox implements BeforeEachCallback, AfterEachCallback {
    private final MotoServer moto;
    private final GcpEmulatorFixture gcp;
    private CloudApiSandbox sandbox;

    BothCloudsSandbox(MotoServer moto, GcpEmulatorFixture gcp) {
        this.moto = moto;
        this.gcp = gcp;
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        sandbox = Sandboxes.startCheckingKeys(
                Duration.ofMillis(100),
                CloudKeyChecks.of(
                        Optional.of(CloudKeyChecks.aws(moto.rawClients())),
                        Optional.of(CloudKeyChecks.gcp(gcp.emulator()))));
    }

    @Override
    public void afterEach(ExtensionContext context) {
        Sandboxes.closeConforming(sandbox);
    }

    CloudApiSandbox sandbox() {
        return sandbox;
    }

    /** Closes this test's sandbox and serves {@code other} instead (e.g. a generated organization) until the end. */
    CloudApiSandbox replace(CloudApiSandbox other) {
        sandbox.close();
        sandbox = other;
        return other;
    }

    /** The CLI, with the API key, moto's session credentials, both emulator variables and the GCP project. */
    Cli cli() {
        return gcp.env(new Cli().api(sandbox).aws(moto).env("CMEK_GCP_PROJECT", "acme-keys"));
    }

    /** {@code enable --provision} of {@code cluster}, which must succeed; the manifest it wrote into {@code dir}. */
    Manifest enable(Path dir, String cluster) {
        Path m = dir.resolve(cluster + ".json");
        Cli.ok(cli().enableProvisioning(cluster, m));
        return ManifestCodec.read(m);
    }
}
