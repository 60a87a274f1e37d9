package dev.cmek.cli;

import dev.cmek.CmekException;
import dev.cmek.ExitCode;
import dev.cmek.model.CloudProvider;
import dev.cmek.workflow.BreachResponse;
import dev.cmek.workflow.CloudKeys;
import dev.cmek.workflow.Provisioning;
import java.time.Clock;
import java.util.List;
import picocli.CommandLine.Model.OptionSpec;

/** A subcommand that works in the customer's cloud as well as with the Cloud API. */
abstract class CloudCommand extends ApiCommand {
    private CloudKeysFactory keys;
    private Provisioning provisioning;

    CloudCommand(Terminal terminal) {
        super(terminal);
    }

    @Override
    final ExitCode execute() {
        try {
            if (cloudOptions().makesKeys) {
                cloudOptions().rotation(); // contradictory or impossible rotation options: exit 2 before any request
            }
            return run();
        } finally {
            if (keys != null) {
                keys.close();
            }
        }
    }

    abstract ExitCode run();

    /** The command's cloud options: those of {@code cmek provision} for commands that make keys, else none. */
    abstract CloudOptions cloudOptions();

    @Override
    boolean allowCrossRegionKeys() {
        return cloudOptions().crossRegionKeys.allow;
    }

    /**
     * Whether a {@code --gcp-*} option on an AWS cluster, or an {@code --aws-*} option on a GCP cluster, is refused;
     * fleet, whose clusters may be on both clouds, applies each option to the clusters of its cloud instead.
     */
    boolean refusesOtherCloudsOptions() {
        return true;
    }

    CloudKeysFactory keys() {
        if (keys == null) {
            keys = new CloudKeysFactory(
                    cloudOptions(), terminal.env(), cloudOptions().propagationBound, report()::progress);
        }
        return keys;
    }

    /** The cloud side for a cluster on {@code cloud}, once its options are known to fit that cloud. */
    CloudKeys keysFor(CloudProvider cloud) {
        if (refusesOtherCloudsOptions()) {
            refuseOptionsOfOtherClouds(cloud);
        }
        return keys().apply(cloud);
    }

    /** One per command, so the organization is read once however many clusters the command works on. */
    Provisioning provisioning() {
        if (provisioning == null) {
            provisioning = new Provisioning(api(), this::keysFor);
        }
        return provisioning;
    }

    BreachResponse breachResponse() {
        return new BreachResponse(api(), waiter(), this::keysFor, Clock.systemUTC(), report()::progress);
    }

    private void refuseOptionsOfOtherClouds(CloudProvider cloud) {
        if (spec == null) {
            return;
        }
        List<String> foreign = spec.commandLine().getParseResult().matchedOptions().stream()
                .map(OptionSpec::longestName)
                .filter(name -> (name.startsWith("--gcp-") && cloud != CloudProvider.GCP)
                        || (name.startsWith("--aws-") && cloud != CloudProvider.AWS)
                        || (name.startsWith("--azure-") && cloud != CloudProvider.AZURE))
                .distinct()
                .toList();
        if (!foreign.isEmpty()) {
            String other = foreign.get(0).startsWith("--gcp-")
                    ? "GCP"
                    : foreign.get(0).startsWith("--azure-") ? "Azure" : "AWS";
            throw new CmekException.InvalidInput("the cluster is on " + cloud + ": " + String.join(", ", foreign)
                    + (foreign.size() == 1 ? " applies" : " apply") + " only to " + other
                    + " clusters; leave " + (foreign.size() == 1 ? "it" : "them") + " out (nothing was changed)");
        }
    }
}
