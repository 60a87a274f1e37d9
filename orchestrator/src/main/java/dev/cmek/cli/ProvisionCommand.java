package dev.cmek.cli;

import dev.cmek.ExitCode;
import dev.cmek.workflow.ClusterTarget;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "provision",
        description = {
            "Create the key, the principal CockroachDB uses and the grant between them for every region of a cluster, and write the manifest.",
            "%nAWS: a cross-account role trusted only by the cluster's account with the organization id as external id, and a key granting it exactly the five documented actions. GCP: a service account CockroachDB's identity may impersonate, and a key granting it only encrypter/decrypter. Idempotent. See `man cmek-provision`."
        },
        footer = {
            "",
            "Examples:",
            "  cmek plan --cluster 3a0c...e1                # what it would do",
            "  cmek provision --cluster 3a0c...e1           # AWS default credentials",
            "  cmek provision --cluster b1a2...5d --gcp-project acme-keys"
        })
final class ProvisionCommand extends CloudCommand {
    @Mixin
    ClusterOption cluster;

    @Option(
            names = "--out",
            paramLabel = "FILE",
            defaultValue = "cmek_config.json",
            description = "Where to write the manifest (default ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--dry-run", description = "Only show what would be done (same as `cmek plan`).")
    boolean dryRun;

    @Mixin
    CloudOptions cloud;

    @Override
    CloudOptions cloudOptions() {
        return cloud;
    }

    ProvisionCommand(Terminal terminal) {
        super(terminal);
    }

    @Override
    ExitCode run() {
        KeySpecSteps steps = new KeySpecSteps(this, cluster.id, dryRun);
        ClusterTarget target = steps.targetWritingTo(out);
        return steps.provision(target, Optional.of(out), done -> {
            ProvisionView.Document doc = ProvisionView.document(target, done, false, out.toString());
            report().result(doc, ProvisionView.lines(doc));
            return ExitCode.OK;
        });
    }

    @Override
    Interruption.Notice interruptNotice() {
        return new Interruption.Notice(
                "provisioning cluster " + cluster.id,
                "keys, the principal and grants may be partly made (nothing is ever made twice); the manifest " + out
                        + " is written only at the end",
                Interruption.steps("to finish", sameCommand()));
    }
}
