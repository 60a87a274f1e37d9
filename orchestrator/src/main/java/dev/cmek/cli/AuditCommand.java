package dev.cmek.cli;

import dev.cmek.AtomicFile;
import dev.cmek.CmekException;
import dev.cmek.ExitCode;
import dev.cmek.OutputPath;
import dev.cmek.core.ControlResult;
import dev.cmek.workflow.Audit;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "audit",
        description = {
            "Audit every cluster of the organization: its CMEK status and regions and, where your cloud credentials reach its keys, every security control per region and the age of each key's newest version.",
            "%nRead-only: the cluster list, one CMEK status per cluster, and the controls of `cmek verify` where your credentials reach the keys; --report writes one self-contained HTML page. Exits 7 when any control fails. See `man cmek-audit`."
        },
        footer = {"", "Examples:", "  cmek audit --report cmek-audit.html", "  cmek audit -o json | jq '.summary'"})
final class AuditCommand extends CloudCommand {
    @Option(
            names = "--report",
            paramLabel = "FILE",
            description = "Also write the audit as one self-contained HTML page (e.g. cmek-audit.html).")
    Path reportFile;

    @Option(
            names = "--parallel",
            paramLabel = "N",
            defaultValue = "16",
            description =
                    "Clusters read at once (default ${DEFAULT-VALUE}); the API's rate limit is shared either way.")
    int parallel;

    AuditCommand(Terminal terminal) {
        super(terminal);
    }

    @Override
    CloudOptions cloudOptions() {
        return CloudOptions.forExistingKeys();
    }

    /** The organization spans both clouds. */
    @Override
    boolean refusesOtherCloudsOptions() {
        return false;
    }

    @Override
    ExitCode run() {
        if (parallel < 1) {
            throw new CmekException.InvalidInput("--parallel must be at least 1 (got " + parallel + ")");
        }
        if (reportFile != null) {
            OutputPath.checkFile(reportFile, "--report", "cmek-audit.html");
        }
        Audit.Result result =
                new Audit(api(), provisioning()).run(parallel, row -> report().progress(AuditView.progressLine(row)));
        if (reportFile != null) {
            AtomicFile.write(reportFile, AuditReport.html(result));
            report().progress("report written to " + reportFile);
        }
        return report().result(
                        AuditView.document(result, reportFile),
                        AuditView.lines(result, reportFile),
                        result.exitCode(),
                        "the audit found failed controls in " + result.summary().get("clusters_failing")
                                + " cluster(s): "
                                + result.clusters().stream()
                                        .filter(c -> !c.ok())
                                        .map(c -> c.id() + " " + VerifyView.failedControls(byRegion(c)))
                                        .collect(Collectors.joining("; ")));
    }

    private static Map<String, List<ControlResult>> byRegion(Audit.ClusterRow c) {
        Map<String, List<ControlResult>> out = new LinkedHashMap<>();
        c.regions().forEach(r -> out.put(r.region(), r.controls()));
        return out;
    }
}
