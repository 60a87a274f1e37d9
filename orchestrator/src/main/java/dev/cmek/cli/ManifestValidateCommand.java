package dev.cmek.cli;

import dev.cmek.ExitCode;
import dev.cmek.api.Cluster;
import dev.cmek.model.ClusterFit;
import dev.cmek.model.KeySpecRules;
import dev.cmek.model.Manifest;
import dev.cmek.model.ManifestCodec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "validate",
        description = {
            "Check a manifest: JSON shape, key types, key ARNs / key names and principals, duplicate regions, and that each AWS key ARN is in the region it is given for (unless --aws-cross-region-keys).",
            "%nWith --cluster it also reads the cluster (read-only) and checks the key type matches its cloud and the regions are right for --for (enable: exactly every cluster region). Exits 2 with a one-line reason if not."
        })
final class ManifestValidateCommand extends ApiCommand {
    @Parameters(index = "0", paramLabel = "FILE", description = "The manifest to check, e.g. cmek_config.json.")
    Path file;

    @Option(
            names = "--cluster",
            paramLabel = "ID",
            description = "Also check the manifest fits this cluster (needs the API key).")
    String clusterId;

    @Option(
            names = "--for",
            paramLabel = "PURPOSE",
            defaultValue = "ENABLE",
            description =
                    "With --cluster: what the manifest is for: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}).")
    ClusterFit.Purpose purpose = ClusterFit.Purpose.ENABLE;

    @Mixin
    CrossRegionKeysOption crossRegionKeys;

    @Override
    boolean allowCrossRegionKeys() {
        return crossRegionKeys.allow;
    }

    ManifestValidateCommand(Terminal terminal) {
        super(terminal);
    }

    @Override
    ExitCode execute() {
        Manifest manifest = ManifestCodec.read(file);
        KeySpecRules.checkRegionsMatch(manifest, crossRegionKeys.allow);
        if (clusterId != null) {
            Cluster cluster = api().cluster(clusterId);
            ClusterFit.check(
                    manifest,
                    clusterId,
                    cluster.cloudProvider(),
                    cluster.regionNames(),
                    purpose,
                    crossRegionKeys.allow);
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("file", file.toString());
        doc.put("valid", true);
        doc.put("regions", manifest.regions());
        if (clusterId != null) {
            doc.put("cluster_id", clusterId);
            doc.put("checked_for", purpose.name());
        }
        List<String> lines = new ArrayList<>();
        lines.add(file + ": valid, " + manifest.regionSpecs().size() + " region(s): "
                + String.join(", ", manifest.regions())
                + (clusterId == null
                        ? ""
                        : "; fits cluster " + clusterId + " for "
                                + purpose.name().toLowerCase().replace('_', '-')));
        report().result(doc, lines);
        return ExitCode.OK;
    }
}
