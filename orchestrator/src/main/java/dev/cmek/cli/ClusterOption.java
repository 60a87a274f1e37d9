package dev.cmek.cli;

import picocli.CommandLine.Option;

/** {@code --cluster ID}, the cluster a command works on. */
public final class ClusterOption {
    @Option(names = "--cluster", required = true, paramLabel = "ID", description = "Cluster id (UUID).")
    String id;
}
