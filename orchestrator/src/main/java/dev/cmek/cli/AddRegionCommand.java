package dev.cmek.cli;

import dev.cmek.CmekException;
import dev.cmek.ExitCode;
import dev.cmek.model.KeySpecRules;
import dev.cmek.model.Manifest;
import dev.cmek.model.ManifestCodec;
import dev.cmek.model.RegionSpec;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "add-region",
        description = {"Add a region to a CMEK cluster, with its node count and its key spec, then wait until ENABLED.",
                "%nThe key spec of the new region comes from the manifest; the other regions keep their node counts."})
final class AddRegionCommand extends ApiCommand {
    @Option(names = "--cluster", required = true, paramLabel = "ID", description = "Cluster id (UUID).")
    String clusterId;

    @Option(names = "--region", required = true, paramLabel = "REGION", description = "The region to add, e.g. us-west-2.")
    String region;

    @Option(names = "--nodes", required = true, paramLabel = "N", description = "Node count of the new region (at least 1).")
    int nodes;

    @Option(names = "--manifest", required = true, paramLabel = "FILE", description = "Manifest holding the new region's key spec.")
    Path manifestFile;

    @Mixin
    WaitOptions wait;

    AddRegionCommand(Terminal terminal) {
        super(terminal);
    }

    @Override
    ExitCode execute() {
        KeySpecRules.checkRegion(region).ifPresent(problem -> {
            throw new CmekException.InvalidInput("--region: " + problem);
        });
        if (nodes < 1) {
            throw new CmekException.InvalidInput("--nodes must be at least 1 (got " + nodes + ")");
        }
        Manifest manifest = ManifestCodec.read(manifestFile);
        RegionSpec spec = manifest.find(region).orElseThrow(() ->
                new CmekException.InvalidInput(manifestFile + " has no key spec for region " + region));
        return LifecycleCommands.print(report(), lifecycle().addRegion(clusterId, spec, nodes, waitFor(wait)));
    }
}
