package dev.cmek.workflow;

import dev.cmek.model.Manifest;
import dev.cmek.model.ManifestCodec;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Function;

/**
 * Where a fleet entry's manifest comes from: the entry's manifest file, or keys provisioned through one
 * {@link Provisioning} for the whole fleet (so the organization is read once), with the manifest then written to
 * {@code cmek_config-ID.json} in the provisioned directory. Provisioning that is blocked fails that cluster (exit 3,
 * from {@link Provisioning#provision}). Runs on the fleet's worker threads.
 */
public final class FleetManifests implements Function<FleetFile.Entry, Manifest> {
    private final Optional<Provisioning> provisioning;
    private final Path provisionedDir;

    public FleetManifests(Optional<Provisioning> provisioning, Path provisionedDir) {
        this.provisioning = provisioning;
        this.provisionedDir = provisionedDir;
    }

    @Override
    public Manifest apply(FleetFile.Entry entry) {
        if (entry.manifest().isPresent()) {
            return ManifestCodec.read(entry.manifest().get());
        }
        Provisioning p =
                provisioning.orElseThrow(() -> new IllegalStateException("no provisioning for " + entry.clusterId()));
        Optional<Path> out = Optional.of(provisionedDir.resolve("cmek_config-" + entry.clusterId() + ".json"));
        return p.provision(p.target(entry.clusterId()), out)
                .manifest()
                .orElseThrow(() -> new IllegalStateException("provisioning returned a region without a key"));
    }
}
