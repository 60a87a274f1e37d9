package dev.cmek.cli;

import dev.cmek.CmekException;
import dev.cmek.ExitCode;
import dev.cmek.model.Manifest;
import dev.cmek.model.ManifestCodec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "rotate",
        description = {"Rotate the keys of some or all regions to the key specs of a manifest, then wait until ENABLED again.",
                "%nSame URI as now: after you made a new key version inside the KMS, CockroachDB picks it up. New URI: CockroachDB moves to the new key. Keep the old key's grant until the region is ENABLED again and the KMS logs show no more use of the old key."})
final class RotateCommand extends ApiCommand {
    @Option(names = "--cluster", required = true, paramLabel = "ID", description = "Cluster id (UUID).")
    String clusterId;

    @Option(names = "--manifest", required = true, paramLabel = "FILE", description = "Manifest with the key specs to rotate to.")
    Path manifestFile;

    @Option(names = "--regions", split = ",", paramLabel = "REGION", description = "Rotate only these regions of the manifest (default: all of them).")
    List<String> regions = new ArrayList<>();

    @Mixin
    WaitOptions wait;

    RotateCommand(Terminal terminal) {
        super(terminal);
    }

    @Override
    ExitCode execute() {
        Manifest manifest = ManifestCodec.read(manifestFile);
        if (!regions.isEmpty()) {
            List<String> absent = regions.stream().filter(r -> manifest.find(r).isEmpty()).toList();
            if (!absent.isEmpty()) {
                throw new CmekException.InvalidInput(manifestFile + " has no key spec for region " + String.join(", ", absent));
            }
        }
        Manifest chosen = regions.isEmpty() ? manifest : manifest.only(regions);
        return LifecycleCommands.print(report(), lifecycle().rotate(clusterId, chosen, waitFor(wait)));
    }
}
