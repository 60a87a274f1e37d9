package dev.cmek.cli;

import dev.cmek.CmekException;
import dev.cmek.ExitCode;
import dev.cmek.model.Manifest;
import dev.cmek.model.ManifestCodec;
import dev.cmek.workflow.Fleet;
import dev.cmek.workflow.Rewrap;
import dev.cmek.workflow.Rotation;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "rotate",
        description = {
            "Rotate the keys of some or all regions, then wait until ENABLED again.",
            "%n--new-version: new key material, same URI submitted again. --new-key: a new key with its grant; the old key keeps its grant. --rewrap [--if-rotated] [--all]: the unchanged specs again, so CockroachDB re-wraps with the newest version (a daily cron). See `man cmek-rotate`."
        },
        footer = {
            "",
            "Examples:",
            "  cmek rotate --cluster 3a0c...e1 --new-version   # new key material",
            "  cmek rotate --cluster 3a0c...e1 --new-key --regions us-east-1",
            "  cmek rotate --cluster 3a0c...e1 --rewrap --if-rotated",
            "  cmek rotate --rewrap --if-rotated --all -o json   # daily, from cron"
        })
final class RotateCommand extends SubmittingCommand {
    @Option(
            names = "--cluster",
            paramLabel = "ID",
            description = "Cluster id (UUID). With --rewrap, --all instead works on every cluster.")
    String clusterId;

    static final class How {
        @Option(names = "--manifest", paramLabel = "FILE", description = "Submit the key specs of this manifest.")
        Path manifest;

        @Option(names = "--new-key", description = "Provision a new key per region (with its grant) and move to it.")
        boolean newKey;

        @Option(
                names = "--new-version",
                description =
                        "New key material in the same key. AWS, GCP: the URI stays. Azure: the new version's URI is submitted.")
        boolean newVersion;

        @Option(
                names = "--rewrap",
                description = "Submit the unchanged key specs: CockroachDB re-wraps with each key's newest version.")
        boolean rewrap;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    How how;

    @Option(
            names = "--if-rotated",
            description =
                    "With --rewrap: only the regions whose key has a newer version in the KMS than the one CockroachDB took; none, no request.")
    boolean ifRotated;

    @Option(
            names = "--all",
            description =
                    "With --rewrap: every CMEK-enabled cluster of the organization, in parallel under the shared rate limit; one failing cluster does not stop the others.")
    boolean all;

    @Option(
            names = "--parallel",
            paramLabel = "N",
            defaultValue = "16",
            description = "With --all: clusters read and submitted at once (default ${DEFAULT-VALUE}).")
    int parallel;

    @Option(
            names = "--regions",
            split = ",",
            paramLabel = "REGION",
            description = "Rotate only these regions (default: all of the cluster's, or all of the manifest's).")
    List<String> regions = new ArrayList<>();

    @Option(names = "--dry-run", description = "Show what would be rotated; change nothing.")
    boolean dryRun;

    /** --all may span both clouds; no cloud option applies to a re-wrap anyway. */
    @Override
    boolean refusesOtherCloudsOptions() {
        return !all;
    }

    RotateCommand(Terminal terminal) {
        super(terminal);
    }

    @Override
    ExitCode run() {
        checkCombination();
        if (how.rewrap) {
            cloud.makesKeys = false; // a re-wrap reads the keys in use: the project comes from each key's name
            return all ? rewrapAll() : rewrapOne();
        }
        if (how.manifest != null) {
            Manifest manifest = ManifestCodec.read(how.manifest);
            if (!regions.isEmpty()) {
                List<String> absent =
                        regions.stream().filter(r -> manifest.find(r).isEmpty()).toList();
                if (!absent.isEmpty()) {
                    throw new CmekException.InvalidInput(
                            how.manifest + " has no key spec for region " + String.join(", ", absent));
                }
            }
            Manifest chosen = regions.isEmpty() ? manifest : manifest.only(regions);
            return new KeySpecSteps(this, clusterId, dryRun)
                    .submit(
                            () -> lifecycle().decideRotate(clusterId, chosen),
                            decision -> lifecycle().rotate(decision, waitFor(wait)));
        }
        Rotation rotation = new Rotation(api(), provisioning(), lifecycle(), report()::progress);
        Rotation.Kind kind = how.newKey ? Rotation.Kind.NEW_KEY : Rotation.Kind.NEW_VERSION;
        if (dryRun) {
            Manifest planned = rotation.preview(clusterId, regions);
            Map<String, Object> doc = new java.util.LinkedHashMap<>();
            doc.put("cluster_id", clusterId);
            doc.put("dry_run", true);
            doc.put("kind", kind.name());
            doc.put("region_specs", planned.regionSpecs());
            report().result(
                            doc,
                            List.of("would rotate (" + kind.name().toLowerCase().replace('_', ' ') + ") regions "
                                    + String.join(", ", planned.regions())));
            return ExitCode.OK;
        }
        return LifecycleCommands.print(report(), rotation.rotate(clusterId, kind, regions, waitFor(wait)));
    }

    /** Every combination that cannot work is bad input, before any request. */
    private void checkCombination() {
        if (all && clusterId != null) {
            throw new CmekException.InvalidInput("give --cluster ID or --all, not both");
        }
        if (!all && clusterId == null) {
            throw new CmekException.InvalidInput("give --cluster ID (or, with --rewrap, --all)");
        }
        if (all && !how.rewrap) {
            throw new CmekException.InvalidInput("--all works only with --rewrap");
        }
        if (ifRotated && !how.rewrap) {
            throw new CmekException.InvalidInput("--if-rotated works only with --rewrap");
        }
        if (all && !regions.isEmpty()) {
            throw new CmekException.InvalidInput(
                    "--regions names regions of one cluster; with --all every CMEK region of every cluster is looked at");
        }
        if (parallel < 1) {
            throw new CmekException.InvalidInput("--parallel must be at least 1 (got " + parallel + ")");
        }
    }

    private Rewrap rewrap() {
        return new Rewrap(api(), provisioning(), lifecycle(), report()::progress);
    }

    private ExitCode rewrapOne() {
        Rewrap rewrap = rewrap();
        Rewrap.Result result;
        if (dryRun) {
            var target = provisioning().existingTarget(clusterId);
            var status = dev.cmek.workflow.CmekLifecycle.statusOrDisabled(api(), clusterId);
            if (status.status() != dev.cmek.api.CmekStatus.ENABLED) {
                throw new CmekException.InvalidInput(
                        "cluster " + clusterId + " CMEK status is " + status.status() + "; a re-wrap needs ENABLED");
            }
            var decisions = rewrap.decide(target, status, regions, ifRotated);
            boolean any = decisions.stream().anyMatch(Rewrap.RegionDecision::submit);
            result = new Rewrap.Result(
                    clusterId,
                    any ? Rewrap.Action.WOULD_REWRAP : Rewrap.Action.NOTHING_ROTATED,
                    ExitCode.OK,
                    any ? "would submit the regions marked" : "no key rotated since CockroachDB took it",
                    decisions,
                    status);
        } else {
            result = rewrap.one(clusterId, regions, ifRotated, waitFor(wait));
        }
        report().result(RewrapView.document(result), RewrapView.lines(result));
        return ExitCode.OK;
    }

    private ExitCode rewrapAll() {
        Rewrap.AllResult result = rewrap().all(
                        ifRotated,
                        !wait.noWait,
                        dryRun,
                        Fleet.Options.standard(parallel, wait.timeout),
                        r -> report().progress(RewrapView.line(r)));
        return report().result(
                        RewrapView.document(result),
                        RewrapView.lines(result),
                        result.exitCode(),
                        "re-wrap failed for " + result.summary().failed() + " cluster(s): "
                                + result.clusters().stream()
                                        .filter(c -> c.exitCode() != ExitCode.OK)
                                        .map(c -> c.clusterId() + " (exit "
                                                + c.exitCode().code() + ": " + c.message() + ")")
                                        .collect(java.util.stream.Collectors.joining("; ")));
    }

    @Override
    Interruption.Notice interruptNotice() {
        if (how != null && how.rewrap) {
            return new Interruption.Notice(
                    "re-wrapping the keys of " + (all ? "every CMEK cluster" : "cluster " + clusterId),
                    "re-wraps may have been sent, and CockroachDB carries on with them" + Interruption.lastSeen()
                            + "; running the same command with --if-rotated again sends only what is left",
                    Interruption.steps("to finish", sameCommand()));
        }
        return new Interruption.Notice(
                "rotating the keys of cluster " + clusterId,
                "the rotation may have been sent, and CockroachDB carries on with it" + Interruption.lastSeen()
                        + "; once status shows ENABLED it is done (do not run --new-key again: it would make another"
                        + " key); only on ROTATE_FAILED rotate again",
                Interruption.steps("to check", "cmek status --cluster " + clusterId));
    }
}
