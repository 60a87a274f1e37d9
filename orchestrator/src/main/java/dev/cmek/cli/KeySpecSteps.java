package dev.cmek.cli;

import dev.cmek.ExitCode;
import dev.cmek.OutputPath;
import dev.cmek.model.ClusterFit;
import dev.cmek.model.Manifest;
import dev.cmek.workflow.CloudKeys;
import dev.cmek.workflow.ClusterTarget;
import dev.cmek.workflow.CmekLifecycle;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Function;

/**
 * The steps the key-spec commands share (provision, enable, add-region, rotate --manifest): key specs read from a
 * manifest or provisioned now; on --dry-run the manifest checked against the live cluster, or the provisioning plan,
 * shown and nothing changed; otherwise the key specs submitted and the outcome printed.
 */
final class KeySpecSteps {
    private final CloudCommand command;
    private final String clusterId;
    private final boolean dryRun;

    KeySpecSteps(CloudCommand command, String clusterId, boolean dryRun) {
        this.command = command;
        this.clusterId = clusterId;
        this.dryRun = dryRun;
    }

    /** The cluster to provision, read once {@code --out} is known to be writable (a dry run writes nothing). */
    ClusterTarget targetWritingTo(Path out) {
        if (!dryRun) {
            OutputPath.checkFile(out, "--out", "cmek_config.json");
        }
        return command.provisioning().target(clusterId);
    }

    /**
     * On a dry run prints the plan for {@code target}; otherwise provisions it (writing the manifest to {@code out}
     * when given) and hands what was made to {@code then}.
     */
    ExitCode provision(ClusterTarget target, Optional<Path> out, Function<CloudKeys.ProvisionReport, ExitCode> then) {
        if (dryRun) {
            return ProvisionView.printPlan(
                    command.report(), target, command.provisioning().plan(target));
        }
        return then.apply(command.provisioning().provision(target, out));
    }

    /**
     * On a dry run checks that {@code manifest} fits the live cluster for {@code purpose} and shows what would be
     * done ({@code verb}); otherwise submits it and prints the outcome.
     */
    ExitCode submit(
            Manifest manifest,
            ClusterFit.Purpose purpose,
            String verb,
            Function<Manifest, CmekLifecycle.Outcome> submission) {
        if (dryRun) {
            return ManifestPreview.fit(command, clusterId, manifest, purpose, verb);
        }
        return LifecycleCommands.print(command.report(), submission.apply(manifest));
    }
}
