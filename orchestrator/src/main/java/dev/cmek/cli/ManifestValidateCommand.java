package dev.cmek.cli;

import dev.cmek.ExitCode;
import dev.cmek.model.ClusterFit;
import dev.cmek.model.KeySpecRules;
import dev.cmek.model.Manifest;
import dev.cmek.model.ManifestCodec;
import dev.cmek.workflow.CmekLifecycle;
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
            "%nWith --cluster it also reads the cluster and its CMEK status (read-only) and asks what --for would ask before sending anything: key type, regions (enable: exactly every cluster region), and the CMEK status (enable: not already on with other keys; rotate and add-region: ENABLED). Exits 2 with a one-line reason, as that command would."
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
        // With a cluster: the very questions the command the manifest is for asks before sending it, CMEK status
        // included, so that a manifest that passes here is not refused there.
        List<CmekLifecycle.Decision> decisions = clusterId == null ? List.of() : decisions(manifest);
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("file", file.toString());
        doc.put("valid", true);
        doc.put("regions", manifest.regions());
        if (clusterId != null) {
            doc.put("cluster_id", clusterId);
            doc.put("checked_for", purpose.name());
            doc.put(
                    "then",
                    decisions.stream().map(CmekLifecycle.Decision::words).toList());
        }
        List<String> lines = new ArrayList<>();
        lines.add(file + ": valid, " + manifest.regionSpecs().size() + " region(s): "
                + String.join(", ", manifest.regions())
                + (clusterId == null
                        ? ""
                        : "; fits cluster " + clusterId + " for "
                                + purpose.name().toLowerCase().replace('_', '-')));
        decisions.forEach(d -> lines.add("  then: " + d.words()));
        report().result(doc, lines);
        return ExitCode.OK;
    }

    private List<CmekLifecycle.Decision> decisions(Manifest manifest) {
        CmekLifecycle lifecycle = lifecycle();
        return switch (purpose) {
            case ENABLE -> List.of(lifecycle.decideEnable(clusterId, manifest));
            case ROTATE -> List.of(lifecycle.decideRotate(clusterId, manifest));
            // add-region takes one region of a manifest at a time; its node count does not change the answer.
            case ADD_REGION ->
                manifest.regionSpecs().stream()
                        .map(spec -> lifecycle.decideAddRegion(clusterId, spec, 1))
                        .toList();
        };
    }
}
