package dev.cmek.cli;

import static dev.cmek.cli.Cli.ok;

import dev.cmek.sandbox.CloudApiSandbox;
import dev.cmek.sandbox.CloudKeyChecks;
import dev.cmek.sandbox.SandboxConfig;
import dev.cmek.testing.Sandboxes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.Test;

/** {@link RerunsFollowRotation} on Azure, against the Azure emulator. */
class AzureRerunsFollowRotationTest extends RerunsFollowRotation {
    @Test
    void azure_everyRerun_landsOnTheKeysInUse_afterEachRotationAndANewRegion() throws Exception {
        // An organization with one Azure cluster, its keys checked against the Azure emulator as CockroachDB would.
        Sandboxes.closeConforming(sandbox);
        SandboxConfig config = SandboxConfig.parse("""
                {"organization": {"id": "%s", "name": "acme"},
                 "clusters": [{"id": "%s", "name": "orders", "cloud_provider": "AZURE",
                   "azure_cluster_identity_client_id": "%s",
                   "regions": [{"name": "eastus", "node_count": 3}, {"name": "westus2", "node_count": 3}]}]}
                """.formatted(Sandboxes.ORG_ID, AZURE_CLUSTER, AZURE_APP));
        sandbox = CloudApiSandbox.builder()
                .config(config)
                .apiKey(Sandboxes.API_KEY)
                .transitionDelay(Duration.ofMillis(100))
                .build()
                .start();
        sandbox.setKeySpecCheck(CloudKeyChecks.of(
                Optional.empty(), Optional.empty(), Optional.of(CloudKeyChecks.azure(AZURE.emulator()))));
        sandbox.setRejectInaccessibleKeys(true);
        AZURE.registerClusterApps(config);
        Path manifest = dir.resolve("cmek_config.json");
        ok(cli().enableProvisioning(AZURE_CLUSTER, manifest));
        // Key versions, not keys: on Key Vault creating a key that exists adds a version to it.
        IntSupplier keys = () -> AZURE.emulator().vaults().stream()
                .flatMap(v -> AZURE.emulator().keys(v.name()).stream())
                .mapToInt(k -> k.versions().size())
                .sum();

        ok(cli().run("rotate", "--cluster", AZURE_CLUSTER, "--new-key"));
        rerunsConverge(AZURE_CLUSTER, manifest, keys, Optional.empty(), "after rotate --new-key");

        ok(cli().run("rotate", "--cluster", AZURE_CLUSTER, "--new-version"));
        rerunsConverge(AZURE_CLUSTER, manifest, keys, Optional.empty(), "after rotate --new-version");

        ok(cli().run("add-region", "--cluster", AZURE_CLUSTER, "--region", "centralus", "--nodes", "3", "--provision"));
        rerunsConverge(AZURE_CLUSTER, manifest, keys, Optional.of("centralus"), "after add-region");

        ok(cli().run("rotate", "--cluster", AZURE_CLUSTER, "--new-key", "--regions", "westus2"));
        rerunsConverge(AZURE_CLUSTER, manifest, keys, Optional.of("centralus"), "after a new key for westus2 only");
    }
}
