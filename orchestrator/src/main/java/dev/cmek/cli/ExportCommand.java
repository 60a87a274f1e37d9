package dev.cmek.cli;

import picocli.CommandLine.Command;

@Command(
        name = "export",
        description = {"Write what cmek makes for a cluster in another tool's terms: Terraform."},
        subcommands = {ExportTerraformCommand.class})
final class ExportCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "choose a subcommand: terraform");
    }
}
