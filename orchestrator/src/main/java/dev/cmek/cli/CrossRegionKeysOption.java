package dev.cmek.cli;

import picocli.CommandLine.Option;

/**
 * {@code --aws-cross-region-keys}: for the commands that take AWS key ARNs (from {@code --existing-key} or a manifest).
 * The rule it lifts is {@link dev.cmek.model.KeySpecRules#checkRegionMatch}.
 */
public final class CrossRegionKeysOption {
    @Option(
            names = "--aws-cross-region-keys",
            description =
                    "AWS: let a key of another AWS region serve a cluster region (from --existing-key or a manifest). CockroachDB accepts any mapping of keys to regions; without this option a key ARN of another region is refused, since that region's nodes would then depend on the key's region being up.")
    boolean allow;
}
