package dev.cmek.cli;

import static dev.cmek.cli.Cli.ok;
import static dev.cmek.testing.Sandboxes.GCP_CLUSTER;

import java.nio.file.Path;
import java.util.Optional;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.Test;

/** {@link RerunsFollowRotation} on GCP, against the GCP emulator. */
class GcpRerunsFollowRotationTest extends RerunsFollowRotation {
    @Test
    void gcp_everyRerun_landsOnTheKeysInUse_afterEachRotationAndANewRegion() throws Exception {
        Path manifest = dir.resolve("cmek_config.json");
        ok(cli().enableProvisioning(GCP_CLUSTER, manifest));
        IntSupplier keys = () -> GCP.emulator().cryptoKeyCount();

        ok(cli().run("rotate", "--cluster", GCP_CLUSTER, "--new-key"));
        rerunsConverge(GCP_CLUSTER, manifest, keys, Optional.empty(), "after rotate --new-key");

        ok(cli().run("rotate", "--cluster", GCP_CLUSTER, "--new-version"));
        rerunsConverge(GCP_CLUSTER, manifest, keys, Optional.empty(), "after rotate --new-version");

        ok(cli().run("add-region", "--cluster", GCP_CLUSTER, "--region", "us-east1", "--nodes", "3", "--provision"));
        rerunsConverge(GCP_CLUSTER, manifest, keys, Optional.of("us-east1"), "after add-region");

        ok(cli().run("rotate", "--cluster", GCP_CLUSTER, "--new-key", "--regions", "us-east1"));
        rerunsConverge(GCP_CLUSTER, manifest, keys, Optional.of("us-east1"), "after a new key for us-east1 only");
    }
}
