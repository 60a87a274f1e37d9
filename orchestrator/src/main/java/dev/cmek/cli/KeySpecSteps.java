package dev.cmek.cli;

import dev.cmek.ExitCode;
import dev.cmek.OutputPath;
import dev.cmek.workflow.CloudKeys;
import dev.cmek.workflow.ClusterTarget;
import dev.cmek.workflow.CmekLifecycle;
import dev.cmek.workflow.Provisioning;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The steps the key-spec commands share (provision, enable, add-region, rotate --manifest): key specs read from a
 * manifest or provisioned now; what the command would send decided by the workflow with the reads and checks the real
 * run makes ({@link CmekLifecycle.Decision}); on --dry-run that decision (or the provisioning plan) shown and nothing
 * changed, so that a dry run's exit code is the real run's; otherwise the decision acted on and the outcome printed.
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
     * {@code enable --provision}: on a dry run the plan and what enable would then do with its key specs (refusing as
     * enable would); otherwise the keys provisioned, the manifest written to {@code out} once enable would take them,
     * and enable.
     */
    ExitCode provisionAndEnable(ClusterTarget target, Path out, Function<CmekLifecycle.Decision, ExitCode> enable) {
        Provisioning provisioning = command.provisioning();
        if (dryRun) {
            Provisioning.PlannedEnable planned = provisioning.planEnable(target, command.lifecycle());
            return ProvisionView.printPlan(
                    command.report(), target, planned.plan(), planned.then().map(CmekLifecycle.Decision::words));
        }
        CmekLifecycle.Decision decision =
                provisioning.provisionForEnable(target, Optional.of(out), command.lifecycle());
        command.report().progress("provisioned " + target.regions().size() + " region(s); manifest written to " + out);
        return enable.apply(decision);
    }

    /**
     * On a dry run shows what {@code decide} found; otherwise acts on it with {@code act} and prints the outcome. Either
     * way {@code decide} has asked every question the real run asks, and thrown where the real run would.
     */
    ExitCode submit(
            Supplier<CmekLifecycle.Decision> decide, Function<CmekLifecycle.Decision, CmekLifecycle.Outcome> act) {
        CmekLifecycle.Decision decision = decide.get();
        if (dryRun) {
            return preview(command.report(), decision);
        }
        return LifecycleCommands.print(command.report(), act.apply(decision));
    }

    /** A dry run's document: what would be sent, or that nothing would. */
    static ExitCode preview(Report report, CmekLifecycle.Decision decision) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("cluster_id", decision.clusterId());
        doc.put("dry_run", true);
        doc.put("would", decision.step().name());
        doc.put("cmek_status", decision.current().status());
        doc.put("region_specs", decision.specs().regionSpecs());
        report.result(doc, List.of(decision.words()));
        return ExitCode.OK;
    }
}
