package dev.cmek.cli;

import static dev.cmek.cli.Cli.ok;
import static dev.cmek.testing.Sandboxes.AWS_CLUSTER;

import java.nio.file.Path;
import java.util.Optional;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.Test;

/** {@link RerunsFollowRotation} on AWS, against moto. */
class AwsRerunsFollowRotationTest extends RerunsFollowRotation {
    @Test
    void aws_everyRerun_landsOnTheKeysInUse_afterEachRotationAndANewRegion() throws Exception {
        Path manifest = dir.resolve("cmek_config.json");
        ok(cli().enableProvisioning(AWS_CLUSTER, manifest));
        IntSupplier keys = RerunsFollowRotation::awsKeys;

        ok(cli().run("rotate", "--cluster", AWS_CLUSTER, "--new-key"));
        rerunsConverge(AWS_CLUSTER, manifest, keys, Optional.empty(), "after rotate --new-key");

        ok(cli().run("rotate", "--cluster", AWS_CLUSTER, "--new-version"));
        rerunsConverge(AWS_CLUSTER, manifest, keys, Optional.empty(), "after rotate --new-version");

        ok(cli().run("add-region", "--cluster", AWS_CLUSTER, "--region", "eu-west-1", "--nodes", "3", "--provision"));
        rerunsConverge(AWS_CLUSTER, manifest, keys, Optional.of("eu-west-1"), "after add-region");

        ok(cli().run("rotate", "--cluster", AWS_CLUSTER, "--new-key", "--regions", "us-west-2"));
        rerunsConverge(AWS_CLUSTER, manifest, keys, Optional.of("eu-west-1"), "after a new key for us-west-2 only");
    }
}
