package dev.cmek.cli;

import dev.cmek.CmekException;
import dev.cmek.ExitCode;
import dev.cmek.model.ClusterFit;
import dev.cmek.model.Manifest;
import dev.cmek.model.ManifestCodec;
import dev.cmek.workflow.Rotation;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "rotate",
        description = {
            "Rotate the keys of some or all regions, then wait until ENABLED again.",
            "%n--new-version makes new key material inside the KMS (AWS RotateKeyOnDemand; GCP a new primary version) and submits the unchanged URI again, since CockroachDB does not notice a new version by itself. --new-key provisions a new key with its grant for each region and submits it; the old key keeps its grant until you remove it, once the region is ENABLED again and the KMS logs show no more use of it. --manifest submits key specs you made yourself."
        },
        footer = {
            "",
            "Examples:",
            "  cmek rotate --cluster 3a0c...e1 --new-version   # new key material",
            "  cmek rotate --cluster 3a0c...e1 --new-key --regions us-east-1"
        })
final class RotateCommand extends CloudCommand {
    @Mixin
    ClusterOption cluster;

    static final class How {
        @Option(names = "--manifest", paramLabel = "FILE", description = "Submit the key specs of this manifest.")
        Path manifest;

        @Option(names = "--new-key", description = "Provision a new key per region (with its grant) and move to it.")
        boolean newKey;

        @Option(names = "--new-version", description = "New key material in the same key; the URI stays.")
        boolean newVersion;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    How how;

    @Option(
            names = "--regions",
            split = ",",
            paramLabel = "REGION",
            description = "Rotate only these regions (default: all of the cluster's, or all of the manifest's).")
    List<String> regions = new ArrayList<>();

    @Option(names = "--dry-run", description = "Show what would be rotated; change nothing.")
    boolean dryRun;

    @Mixin
    WaitOptions wait;

    @Mixin
    CloudOptions cloud;

    @Override
    CloudOptions cloudOptions() {
        return cloud;
    }

    @Mixin
    PropagationOption propagation;

    @Override
    Duration propagationTimeout() {
        return propagation.timeout;
    }

    RotateCommand(Terminal terminal) {
        super(terminal);
    }

    @Override
    ExitCode run() {
        if (how.manifest != null) {
            Manifest manifest = ManifestCodec.read(how.manifest);
            if (!regions.isEmpty()) {
                List<String> absent =
                        regions.stream().filter(r -> manifest.find(r).isEmpty()).toList();
                if (!absent.isEmpty()) {
                    throw new CmekException.InvalidInput(
                            how.manifest + " has no key spec for region " + String.join(", ", absent));
                }
            }
            Manifest chosen = regions.isEmpty() ? manifest : manifest.only(regions);
            if (dryRun) {
                return ManifestPreview.fit(this, cluster.id, chosen, ClusterFit.Purpose.ROTATE, "rotate");
            }
            return LifecycleCommands.print(report(), lifecycle().rotate(cluster.id, chosen, waitFor(wait)));
        }
        Rotation rotation = new Rotation(api(), provisioning(), lifecycle(), report()::progress);
        Rotation.Kind kind = how.newKey ? Rotation.Kind.NEW_KEY : Rotation.Kind.NEW_VERSION;
        if (dryRun) {
            Manifest planned = rotation.preview(cluster.id, regions);
            Map<String, Object> doc = new java.util.LinkedHashMap<>();
            doc.put("cluster_id", cluster.id);
            doc.put("dry_run", true);
            doc.put("kind", kind.name());
            doc.put("region_specs", planned.regionSpecs());
            report().result(
                            doc,
                            List.of("would rotate (" + kind.name().toLowerCase().replace('_', ' ') + ") regions "
                                    + String.join(", ", planned.regions())));
            return ExitCode.OK;
        }
        return LifecycleCommands.print(report(), rotation.rotate(cluster.id, kind, regions, waitFor(wait)));
    }

    @Override
    Interruption.Notice interruptNotice() {
        return new Interruption.Notice(
                "rotating the keys of cluster " + cluster.id,
                "the rotation may have been sent, and CockroachDB carries on with it" + Interruption.lastSeen()
                        + "; once status shows ENABLED it is done (do not run --new-key again: it would make another"
                        + " key); only on ROTATE_FAILED rotate again",
                Interruption.steps("to check", "cmek status --cluster " + cluster.id));
    }
}
