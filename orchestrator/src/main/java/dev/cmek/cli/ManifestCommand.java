package dev.cmek.cli;

import picocli.CommandLine.Command;

@Command(
        name = "manifest",
        description = {"Check or build a cmek_config.json manifest for keys you already have."},
        subcommands = {ManifestValidateCommand.class, ManifestBuildCommand.class})
final class ManifestCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "choose a subcommand: validate or build");
    }
}
