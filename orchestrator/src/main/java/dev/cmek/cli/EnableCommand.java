package dev.cmek.cli;

import dev.cmek.ExitCode;
import dev.cmek.model.Manifest;
import dev.cmek.model.ManifestCodec;
import java.nio.file.Path;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "enable",
        description = {
            "Enable CMEK on a cluster, then wait until every region is ENABLED.",
            "%nThe key specs come from a manifest (--manifest, e.g. from `cmek manifest build`) or are provisioned first (--provision, as `cmek provision` does, writing --out). They must cover every region of the cluster, with keys of the cluster's cloud. Running it again once enabled with the same keys changes nothing. Enable before loading data: existing data is not re-encrypted."
        },
        footer = {
            "",
            "Examples:",
            "  export COCKROACH_API_KEY=...    # service account with CLUSTER_ADMIN",
            "  cmek enable --cluster 3a0c...e1 --provision     # make keys, then enable",
            "  cmek enable --cluster 3a0c...e1 --manifest cmek_config.json"
        })
final class EnableCommand extends SubmittingCommand {
    @Mixin
    ClusterOption cluster;

    static final class Source {
        @Option(names = "--manifest", paramLabel = "FILE", description = "The cmek_config.json to submit.")
        Path manifest;

        @Option(
                names = "--provision",
                description = "Provision keys, principal and grants first, and submit what that made.")
        boolean provision;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(
            names = "--out",
            paramLabel = "FILE",
            defaultValue = "cmek_config.json",
            description = "With --provision: where to write the manifest (default ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--dry-run", description = "Check and show what would be done; change nothing.")
    boolean dryRun;

    EnableCommand(Terminal terminal) {
        super(terminal);
    }

    @Override
    ExitCode run() {
        KeySpecSteps steps = new KeySpecSteps(this, cluster.id, dryRun);
        if (source.manifest != null) {
            Manifest manifest = ManifestCodec.read(source.manifest);
            return steps.submit(
                    () -> lifecycle().decideEnable(cluster.id, manifest),
                    decision -> lifecycle().enable(decision, waitFor(wait)));
        }
        return steps.provisionAndEnable(
                steps.targetWritingTo(out),
                out,
                decision -> LifecycleCommands.print(report(), lifecycle().enable(decision, waitFor(wait))));
    }

    @Override
    Interruption.Notice interruptNotice() {
        return new Interruption.Notice(
                "enabling CMEK on cluster " + cluster.id,
                "the enable request may have been sent, and CockroachDB carries on with it" + Interruption.lastSeen()
                        + "; running the same command again waits for it, and changes nothing once enabled",
                Interruption.steps("to check", "cmek status --cluster " + cluster.id, "to finish", sameCommand()));
    }
}
