package dev.cmek.cli;

import dev.cmek.CmekException;
import dev.cmek.ExitCode;
import dev.cmek.model.KeySpecRules;
import dev.cmek.model.Manifest;
import dev.cmek.model.ManifestCodec;
import dev.cmek.model.RegionSpec;
import dev.cmek.workflow.CloudKeys;
import dev.cmek.workflow.ClusterTarget;
import dev.cmek.workflow.CmekLifecycle;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "add-region",
        description = {
            "Add a region to a CMEK cluster, with its node count and its key spec, then wait until ENABLED.",
            "%nThe new region's key spec comes from a manifest (--manifest) or is provisioned first (--provision: key, principal and grant, as `cmek provision` does). The cluster update lists every region's node count and only the new region's key spec, as the API requires."
        })
final class AddRegionCommand extends SubmittingCommand {
    @Mixin
    ClusterOption cluster;

    @Option(
            names = "--region",
            required = true,
            paramLabel = "REGION",
            description = "The region to add, e.g. us-west-2.")
    String region;

    @Option(
            names = "--nodes",
            required = true,
            paramLabel = "N",
            description = "Node count of the new region (at least 1).")
    int nodes;

    static final class Source {
        @Option(names = "--manifest", paramLabel = "FILE", description = "Manifest holding the new region's key spec.")
        Path manifest;

        @Option(names = "--provision", description = "Provision the new region's key and grant first.")
        boolean provision;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(names = "--dry-run", description = "Check and show what would be done; change nothing.")
    boolean dryRun;

    AddRegionCommand(Terminal terminal) {
        super(terminal);
    }

    @Override
    ExitCode run() {
        KeySpecRules.checkRegion(region).ifPresent(problem -> {
            throw new CmekException.InvalidInput("--region: " + problem);
        });
        if (nodes < 1) {
            throw new CmekException.InvalidInput("--nodes must be at least 1 (got " + nodes + ")");
        }
        KeySpecSteps steps = new KeySpecSteps(this, cluster.id, dryRun);
        if (source.manifest != null) {
            Manifest manifest = ManifestCodec.read(source.manifest);
            RegionSpec spec = manifest.find(region)
                    .orElseThrow(() ->
                            new CmekException.InvalidInput(source.manifest + " has no key spec for region " + region));
            return steps.submit(
                    () -> lifecycle().decideAddRegion(cluster.id, spec, nodes),
                    decision -> lifecycle().addRegion(decision, waitFor(wait)));
        }
        // What does not depend on the new key is asked before one is made for it.
        lifecycle().checkAddRegion(cluster.id, region, nodes);
        ClusterTarget target = provisioning().target(cluster.id);
        List<String> regions = new ArrayList<>(target.regions());
        if (!regions.contains(region)) {
            regions.add(region);
        }
        ClusterTarget withNew = target.withRegions(regions);
        if (dryRun) {
            CloudKeys.ProvisionReport plan = provisioning().plan(withNew);
            if (plan.blocked()) {
                return ProvisionView.printPlan(report(), withNew, plan);
            }
            CmekLifecycle.Decision decision = lifecycle().decideAddRegion(cluster.id, specOf(plan), nodes);
            return ProvisionView.printPlan(report(), withNew, plan, Optional.of(decision.words()));
        }
        return steps.provision(withNew, Optional.empty(), made -> {
            RegionSpec spec = specOf(made);
            report().progress("provisioned the key and grant for " + region + ": "
                    + spec.keySpec().uri());
            return LifecycleCommands.print(
                    report(),
                    lifecycle().addRegion(lifecycle().decideAddRegion(cluster.id, spec, nodes), waitFor(wait)));
        });
    }

    private RegionSpec specOf(CloudKeys.ProvisionReport report) {
        return report.specs().stream()
                .filter(s -> s.region().equals(region))
                .findFirst()
                .orElseThrow();
    }

    @Override
    Interruption.Notice interruptNotice() {
        return new Interruption.Notice(
                "adding region " + region + " to cluster " + cluster.id,
                "the key may be made and the cluster update may have been sent" + Interruption.lastSeen()
                        + "; running the same command again finishes it, and changes nothing once the region is there",
                Interruption.steps("to check", "cmek status --cluster " + cluster.id, "to finish", sameCommand()));
    }
}
