package dev.cmek.cli;

import dev.cmek.ExitCode;
import dev.cmek.workflow.ClusterTarget;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
        name = "plan",
        description = {
            "Show, per region, what provision would create, change or leave alone, and the key specs it would give CockroachDB.",
            "%nRead-only in both the Cloud API and your cloud. Exits 3 when something blocks provisioning (a resource with our name that is not ours)."
        },
        footer = {"", "Examples:", "  cmek plan --cluster 3a0c...e1 --output json"})
final class PlanCommand extends CloudCommand {
    @Mixin
    ClusterOption cluster;

    @Mixin
    CloudOptions cloud;

    @Override
    CloudOptions cloudOptions() {
        return cloud;
    }

    PlanCommand(Terminal terminal) {
        super(terminal);
    }

    @Override
    ExitCode run() {
        ClusterTarget target = provisioning().target(cluster.id);
        return ProvisionView.printPlan(report(), target, provisioning().plan(target));
    }
}
