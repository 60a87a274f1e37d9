package dev.cmek.cli;

import dev.cmek.ExitCode;
import dev.cmek.api.CmekClusterInfo;
import dev.cmek.workflow.CmekLifecycle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
        name = "status",
        description = {
            "Show the CMEK status of a cluster and of each region, with the key each region uses.",
            "%nRead-only. Exits 4 when CMEK or any region is in a *_FAILED status, so scripts can branch on it."
        })
final class StatusCommand extends ApiCommand {
    @Mixin
    ClusterOption cluster;

    StatusCommand(Terminal terminal) {
        super(terminal);
    }

    @Override
    ExitCode execute() {
        api().cluster(cluster.id); // an unknown cluster is a 404 here, so the next 404 can only mean "no CMEK yet"
        CmekClusterInfo info = CmekLifecycle.statusOrDisabled(api(), cluster.id);
        StatusView.Document doc = StatusView.document(cluster.id, null, info);
        boolean failed = info.status().isFailed()
                || info.regionInfos().stream().anyMatch(r -> r.status().isFailed());
        return report().result(
                        doc,
                        StatusView.lines(doc),
                        failed ? ExitCode.OPERATION_FAILED : ExitCode.OK,
                        "a CMEK operation failed on cluster " + cluster.id + " (status " + info.status() + ")");
    }
}
