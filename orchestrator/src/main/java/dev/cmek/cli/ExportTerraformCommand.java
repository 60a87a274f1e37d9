package dev.cmek.cli;

import dev.cmek.ExitCode;
import dev.cmek.terraform.TerraformExport;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "terraform",
        description = {
            "Write a Terraform configuration for exactly what provision makes (or would make) for a cluster: DIR/aws, DIR/gcp or DIR/azure, and DIR/cockroach with the cockroach_cmek resource.",
            "%nSame names, tags and statement ids as cmek. --import adds import blocks for what exists. Reads only; see `man cmek-export-terraform`."
        },
        footer = {
            "",
            "Examples:",
            "  cmek export terraform --cluster 3a0c...e1 --out infra/cmek",
            "  cmek export terraform --cluster 3a0c...e1 --out infra/cmek --import   # adopt what provision made"
        })
final class ExportTerraformCommand extends CloudCommand {
    @Mixin
    ClusterOption cluster;

    @Option(
            names = "--out",
            required = true,
            paramLabel = "DIR",
            description = "A new or empty directory to write the configuration to.")
    Path out;

    @Option(
            names = "--import",
            description = "Add Terraform 1.5 import blocks for what already exists, so that Terraform adopts it.")
    boolean importing;

    @Option(
            names = "--force",
            description =
                    "Write into a directory that is not empty (over the files an export writes; others are kept).")
    boolean force;

    @Mixin
    CloudOptions cloud;

    @Override
    CloudOptions cloudOptions() {
        return cloud;
    }

    ExportTerraformCommand(Terminal terminal) {
        super(terminal);
    }

    @Override
    Interruption.Notice interruptNotice() {
        return new Interruption.Notice(
                "exporting cluster " + cluster.id + " to Terraform",
                "nothing was changed in the Cloud API or your cloud; the files in " + out + " may be partly written",
                Interruption.steps("to write them again", sameCommand() + (force ? "" : " --force")));
    }

    @Override
    ExitCode run() {
        TerraformExport.Result result =
                new TerraformExport(api(), provisioning()).export(cluster.id, out, importing, force);
        report().result(ExportView.document(result, importing), ExportView.lines(result));
        return ExitCode.OK;
    }
}
