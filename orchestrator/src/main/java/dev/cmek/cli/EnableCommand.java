package dev.cmek.cli;

import dev.cmek.ExitCode;
import dev.cmek.model.Manifest;
import dev.cmek.model.ManifestCodec;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "enable",
        description = {"Enable CMEK on a cluster with the key specs of a manifest, then wait until every region is ENABLED.",
                "%nThe manifest must name every region of the cluster, each with a key of the cluster's cloud. Running it again once enabled with the same keys changes nothing. Enable before loading data: existing data is not re-encrypted."},
        footer = {"", "Example:", "  export COCKROACH_API_KEY=...   # a service account with CLUSTER_ADMIN",
                "  cmek enable --cluster 3a0c...e1 --manifest cmek_config.json"})
final class EnableCommand extends ApiCommand {
    @Option(names = "--cluster", required = true, paramLabel = "ID", description = "Cluster id (UUID).")
    String clusterId;

    @Option(names = "--manifest", required = true, paramLabel = "FILE", description = "The cmek_config.json to submit.")
    Path manifestFile;

    @Mixin
    WaitOptions wait;

    EnableCommand(Terminal terminal) {
        super(terminal);
    }

    @Override
    ExitCode execute() {
        Manifest manifest = ManifestCodec.read(manifestFile);
        return LifecycleCommands.print(report(), lifecycle().enable(clusterId, manifest, waitFor(wait)));
    }
}
