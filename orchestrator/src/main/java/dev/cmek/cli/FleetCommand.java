package dev.cmek.cli;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.cmek.CmekException;
import dev.cmek.ExitCode;
import dev.cmek.OutputPath;
import dev.cmek.core.Change;
import dev.cmek.model.Manifest;
import dev.cmek.model.ManifestCodec;
import dev.cmek.workflow.CmekLifecycle;
import dev.cmek.workflow.Fleet;
import dev.cmek.workflow.FleetFile;
import dev.cmek.workflow.FleetManifests;
import dev.cmek.workflow.FleetState;
import dev.cmek.workflow.Provisioning;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "fleet",
        description = {
            "Enable CMEK on many clusters from one fleet file, concurrently, under the one 10 requests/s limit.",
            "%nEach cluster's keys come from its manifest or are provisioned first. One cluster failing does not stop the others; a re-run skips clusters recorded as enabled in the state file and picks up the rest. See `man cmek-fleet`.",
            "%nFleet file (JSON; unknown fields, bad ids and duplicates are refused with exit code 2 before anything is sent; manifest paths are relative to FILE):",
            "  {\"defaults\": {\"provision\": false},",
            "   \"clusters\": [{\"id\": \"3a0c...e1\", \"manifest\": \"payments/cmek_config.json\"},",
            "                {\"id\": \"b1a2...5d\", \"provision\": true}]}",
            "%nExit code: 0 when every cluster is enabled (or already was, or was skipped); otherwise the exit code of the first failed cluster in fleet-file order (each cluster's own code is in the results)."
        },
        footer = {
            "",
            "Examples:",
            "  cmek fleet fleet.json                      # state in fleet.json.state.json",
            "  cmek fleet fleet.json --output json --parallel 32",
            "  cmek fleet fleet.json --recheck            # look at every cluster again"
        })
final class FleetCommand extends CloudCommand {
    @Parameters(index = "0", paramLabel = "FILE", description = "The fleet file.")
    Path file;

    @Option(
            names = "--parallel",
            paramLabel = "N",
            defaultValue = "16",
            description =
                    "Clusters being read and submitted at once (default ${DEFAULT-VALUE}); the rate limit is shared either way.")
    int parallel;

    @Option(
            names = "--state",
            paramLabel = "FILE",
            description = "Where each cluster's outcome is recorded (default: FILE.state.json).")
    Path state;

    @Option(
            names = "--recheck",
            description =
                    "Also look at clusters the state file records as enabled (re-enabling is a no-op when the keys match).")
    boolean recheck;

    @Option(
            names = "--timeout",
            paramLabel = "DURATION",
            defaultValue = "30m",
            converter = DurationConverter.class,
            description =
                    "How long each cluster may take to reach ENABLED after its request (exit code 5 for that cluster). Default: ${DEFAULT-VALUE}.")
    Duration timeout;

    @Option(
            names = "--dry-run",
            description =
                    "Check every cluster (its manifest against the live cluster, or a provisioning plan) and change nothing.")
    boolean dryRun;

    @Mixin
    CloudOptions cloud;

    @Mixin
    PropagationOption propagation;

    /** The state file in use, once chosen: what an interrupt notice points to. */
    private volatile Path stateFile;

    @Override
    CloudOptions cloudOptions() {
        return cloud;
    }

    @Override
    Duration propagationTimeout() {
        return propagation.timeout;
    }

    /** A fleet may hold clusters on both clouds: each cloud option applies to the clusters of its cloud. */
    @Override
    boolean refusesOtherCloudsOptions() {
        return false;
    }

    FleetCommand(Terminal terminal) {
        super(terminal);
    }

    record ClusterLine(
            @JsonProperty("cluster_id") String clusterId,
            @JsonProperty("outcome") Fleet.Outcome outcome,
            @JsonProperty("exit_code") int exitCode,
            @JsonProperty("message") String message,
            @JsonProperty("elapsed_seconds") double elapsedSeconds) {
        static ClusterLine of(Fleet.ClusterResult r) {
            return new ClusterLine(r.clusterId(), r.outcome(), r.exitCode().code(), r.message(), seconds(r.elapsed()));
        }
    }

    record SummaryLine(
            @JsonProperty("total") int total,
            @JsonProperty("enabled") int enabled,
            @JsonProperty("already_enabled") int alreadyEnabled,
            @JsonProperty("skipped") int skipped,
            @JsonProperty("failed") int failed,
            @JsonProperty("exit_code") int exitCode,
            @JsonProperty("elapsed_seconds") double elapsedSeconds) {}

    record Document(
            @JsonProperty("clusters") List<ClusterLine> clusters,
            @JsonProperty("summary") SummaryLine summary,
            @JsonProperty("state_file") String stateFile) {}

    @Override
    ExitCode run() {
        FleetFile fleet = FleetFile.read(file);
        if (dryRun) {
            return preview(fleet);
        }
        Path stateFile = state != null ? state : file.resolveSibling(file.getFileName() + ".state.json");
        OutputPath.checkFile(stateFile, "--state", "fleet.state.json");
        // Provisioned clusters' manifests are written next to the fleet file.
        fleet.clusters().stream()
                .filter(FleetFile.Entry::provision)
                .findFirst()
                .ifPresent(first -> OutputPath.checkFile(
                        file.toAbsolutePath().resolveSibling("cmek_config-" + first.clusterId() + ".json"),
                        "the manifest of a provisioned cluster,",
                        "cmek_config.json"));
        this.stateFile = stateFile;
        FleetState recorded = FleetState.load(stateFile, Clock.systemUTC());
        Set<String> skip = recheck ? Set.of() : recorded.enabled();
        Fleet.Options options =
                Fleet.Options.standard(parallel, timeout).allowingCrossRegionKeys(allowCrossRegionKeys());
        Report report = report();
        AtomicInteger done = new AtomicInteger();
        int total = fleet.clusters().size();
        Path dir = file.toAbsolutePath().getParent();
        Optional<Provisioning> provisioning = fleet.clusters().stream().anyMatch(FleetFile.Entry::provision)
                ? Optional.of(provisioning())
                : Optional.empty();
        Fleet.Result result = new Fleet(api(), new FleetManifests(provisioning, dir), options, r -> {
                    recorded.record(r);
                    report.progress(String.format(
                            "[%" + String.valueOf(total).length() + "d/%d] %s %s%s in %.1f s%s",
                            done.incrementAndGet(),
                            total,
                            r.clusterId(),
                            r.outcome(),
                            r.outcome() == Fleet.Outcome.FAILED
                                    ? " (exit " + r.exitCode().code() + ")"
                                    : "",
                            seconds(r.elapsed()),
                            r.outcome() == Fleet.Outcome.FAILED ? ": " + r.message() : ""));
                })
                .run(fleet.clusters(), skip);
        Fleet.Summary s = result.summary();
        ExitCode exit = result.exitCode();
        Document doc = new Document(
                result.clusters().stream().map(ClusterLine::of).toList(),
                new SummaryLine(
                        s.total(),
                        s.enabled(),
                        s.alreadyEnabled(),
                        s.skipped(),
                        s.failed(),
                        exit.code(),
                        seconds(result.elapsed())),
                stateFile.toString());
        return report.result(
                doc,
                lines(doc),
                exit,
                s.failed() + " of " + s.total() + " clusters failed; the first, "
                        + result.clusters().stream()
                                .filter(c -> c.outcome() == Fleet.Outcome.FAILED)
                                .map(c -> c.clusterId() + ", exited "
                                        + c.exitCode().code() + ": " + c.message())
                                .findFirst()
                                .orElse(""));
    }

    /**
     * One line per cluster: what a real run would do, or why it would fail, found with the reads and checks the real run
     * makes (the state file's skips, enable's decision, a provisioning plan); exit code as for a real run.
     */
    private ExitCode preview(FleetFile fleet) {
        Path stateFile = state != null ? state : file.resolveSibling(file.getFileName() + ".state.json");
        Set<String> skip = recheck
                ? Set.of()
                : FleetState.load(stateFile, Clock.systemUTC()).enabled();
        CmekLifecycle lifecycle = lifecycle();
        List<Map<String, Object>> clusters = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        ExitCode first = ExitCode.OK;
        String firstProblem = null;
        for (FleetFile.Entry entry : fleet.clusters()) {
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("cluster_id", entry.clusterId());
            String would;
            ExitCode code = ExitCode.OK;
            try {
                if (skip.contains(entry.clusterId())) {
                    would = "would skip: recorded as enabled in " + stateFile + " (--recheck looks again)";
                } else if (entry.manifest().isPresent()) {
                    Manifest manifest = ManifestCodec.read(entry.manifest().get());
                    would = lifecycle.decideEnable(entry.clusterId(), manifest).words() + " (from "
                            + entry.manifest().get() + ")";
                } else {
                    Provisioning.PlannedEnable planned =
                            provisioning().planEnable(provisioning().target(entry.clusterId()), lifecycle);
                    long changes = planned.plan().changes().stream()
                            .filter(c -> c.action() != Change.Action.UNCHANGED)
                            .count();
                    if (planned.then().isEmpty()) {
                        code = ExitCode.REJECTED;
                        would = "provisioning cluster " + entry.clusterId() + " is blocked: "
                                + planned.plan().changes().stream()
                                        .filter(c -> c.action() == Change.Action.BLOCKED)
                                        .map(c -> c.resource() + " (" + c.detail() + ")")
                                        .collect(java.util.stream.Collectors.joining("; "));
                    } else {
                        would = "would provision (" + changes + " change(s)); then "
                                + planned.then().get().words();
                    }
                }
            } catch (CmekException e) {
                code = e.exitCode();
                would = e.getMessage();
            }
            if (first == ExitCode.OK && code != ExitCode.OK) {
                first = code;
                firstProblem = entry.clusterId() + ": " + would;
            }
            line.put("ok", code == ExitCode.OK);
            line.put("exit_code", code.code());
            line.put("would", would);
            clusters.add(line);
            lines.add(entry.clusterId() + "  " + (code == ExitCode.OK ? "" : "PROBLEM (exit " + code.code() + "): ")
                    + would);
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("dry_run", true);
        doc.put("clusters", clusters);
        doc.put("exit_code", first.code());
        return report().result(
                        doc,
                        lines,
                        first,
                        "the dry run found problems; the first one (exit " + first.code() + ") is " + firstProblem);
    }

    @Override
    Interruption.Notice interruptNotice() {
        Path recorded = stateFile;
        if (dryRun || recorded == null) {
            return Interruption.Notice.readOnly("checking the fleet in " + file);
        }
        return new Interruption.Notice(
                "enabling CMEK on the fleet in " + file,
                "clusters that finished are recorded in " + recorded + "; requests already sent carry on in"
                        + " CockroachDB; running the same command again skips the enabled clusters and finishes the rest",
                Interruption.steps("to finish", sameCommand()));
    }

    static List<String> lines(Document doc) {
        List<String> lines = new ArrayList<>();
        for (ClusterLine c : doc.clusters()) {
            lines.add(String.format(
                    "%s  %-15s %6.1f s  %s",
                    c.clusterId(),
                    c.outcome() == Fleet.Outcome.FAILED ? "FAILED (exit " + c.exitCode() + ")" : c.outcome(),
                    c.elapsedSeconds(),
                    c.message()));
        }
        SummaryLine s = doc.summary();
        lines.add(String.format(
                "%d clusters: %d enabled, %d already enabled, %d skipped, %d failed; exit code %d; %.1f s; state in %s",
                s.total(),
                s.enabled(),
                s.alreadyEnabled(),
                s.skipped(),
                s.failed(),
                s.exitCode(),
                s.elapsedSeconds(),
                doc.stateFile()));
        return lines;
    }

    private static double seconds(Duration d) {
        return Math.round(d.toMillis() / 100.0) / 10.0;
    }
}
