package dev.cmek.workflow;

import dev.cmek.model.ManifestCodec;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where a fleet entry's key specs come from: the entry's manifest file, or keys provisioned through one
 * {@link Provisioning} for the whole fleet (so the organization is read once) as {@code enable --provision} makes them
 * ({@link Provisioning#provisionForEnable}: checked first, converging on the keys in use), with the manifest then
 * written to {@code cmek_config-ID.json} in the provisioned directory. Provisioning that is blocked fails that cluster
 * (exit 3, from {@link Provisioning#provision}). Runs on the fleet's worker threads.
 */
public final class FleetManifests implements Fleet.Source {
    private final Optional<Provisioning> provisioning;
    private final Path provisionedDir;

    public FleetManifests(Optional<Provisioning> provisioning, Path provisionedDir) {
        this.provisioning = provisioning;
        this.provisionedDir = provisionedDir;
    }

    @Override
    public CmekLifecycle.Decision decide(FleetFile.Entry entry, CmekLifecycle lifecycle) {
        if (entry.manifest().isPresent()) {
            return lifecycle.decideEnable(
                    entry.clusterId(), ManifestCodec.read(entry.manifest().get()));
        }
        Provisioning p =
                provisioning.orElseThrow(() -> new IllegalStateException("no provisioning for " + entry.clusterId()));
        return p.provisionForEnable(p.target(entry.clusterId()), Optional.of(manifestFile(entry)), lifecycle);
    }

    /** Where a provisioned entry's manifest goes. */
    public Path manifestFile(FleetFile.Entry entry) {
        return provisionedDir.resolve("cmek_config-" + entry.clusterId() + ".json");
    }
}
