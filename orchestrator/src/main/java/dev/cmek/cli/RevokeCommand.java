package dev.cmek.cli;

import dev.cmek.CmekException;
import dev.cmek.ExitCode;
import dev.cmek.api.CmekClusterInfo;
import dev.cmek.model.ClusterIdRule;
import dev.cmek.model.KeySpec;
import dev.cmek.workflow.BreachResponse;
import dev.cmek.workflow.CmekLifecycle;
import dev.cmek.workflow.EvidenceFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "revoke",
        description = {
            "Breach response: remove CockroachDB's access to the cluster's keys in your cloud, in every region at once, then tell CockroachDB to stop using them (REVOKE) and wait until REVOKED.",
            "%nThe cluster stops serving data, and no API call undoes it: recovery needs the grants put back (`cmek restore`) and then CockroachDB support. Before changing anything it writes an evidence record (--evidence DIR): each policy before and after, timestamps, who acted, the API's answers; no secrets. A run cut short is finished by running it again with the same --evidence. It never deletes, disables or schedules deletion of a key. --immediate also cuts access already in use (AWS: denies role sessions issued before now; GCP: disables the service account, reversibly). --cloud-only and --api-only run one step. Asks you to type the cluster id unless --yes; refuses without --yes when not interactive."
        },
        footer = {
            "",
            "Examples:",
            "  cmek revoke --cluster 3a0c...e1 --dry-run     # what would be removed",
            "  cmek revoke --cluster 3a0c...e1 --yes --immediate --evidence incident-42/",
            "  cmek restore --evidence incident-42/         # later: put it back"
        })
final class RevokeCommand extends CloudCommand {
    @Mixin
    ClusterOption cluster;

    @Option(names = "--yes", description = "Do not ask for confirmation (for scripts and incident runbooks).")
    boolean yes;

    @Option(
            names = "--evidence",
            paramLabel = "DIR",
            description = "Where to write the evidence record (default: ./cmek-revocation-<cluster>-<time>).")
    Path evidence;

    @Option(names = "--immediate", description = "Also cut access already in use (see above).")
    boolean immediate;

    @Option(names = "--cloud-only", description = "Only remove the grants in your cloud; do not send REVOKE.")
    boolean cloudOnly;

    @Option(names = "--api-only", description = "Only send REVOKE; leave the grants in your cloud.")
    boolean apiOnly;

    @Option(
            names = "--dry-run",
            description = "Show the keys and principals whose grants would be removed, and change nothing.")
    boolean dryRun;

    @Mixin
    WaitOptions wait;

    /** The evidence directory in use, once chosen: what an interrupt notice points to. */
    private volatile Path evidenceDir;

    @Override
    CloudOptions cloudOptions() {
        return CloudOptions.forExistingKeys();
    }

    RevokeCommand(Terminal terminal) {
        super(terminal);
    }

    @Override
    ExitCode run() {
        ClusterIdRule.check(cluster.id);
        if (cloudOnly && apiOnly) {
            throw new CmekException.InvalidInput(
                    "--cloud-only and --api-only exclude each other; give neither to run both steps");
        }
        BreachResponse.Steps steps = cloudOnly
                ? BreachResponse.Steps.CLOUD_ONLY
                : apiOnly ? BreachResponse.Steps.API_ONLY : BreachResponse.Steps.BOTH;
        if (dryRun) {
            return preview(steps);
        }
        Path dir = evidence != null
                ? evidence
                : Path.of("cmek-revocation-" + cluster.id + "-"
                        + DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
                                .withZone(ZoneOffset.UTC)
                                .format(Instant.now()));
        EvidenceFile.checkUsable(dir, cluster.id, Clock.systemUTC());
        confirm();
        evidenceDir = dir;
        BreachResponse.RevokeOutcome outcome =
                breachResponse().revoke(cluster.id, dir, steps, immediate, waitFor(wait));
        StatusView.Document status = StatusView.document(
                cluster.id,
                steps == BreachResponse.Steps.CLOUD_ONLY ? "CLOUD_GRANTS_REMOVED" : "REVOKED",
                outcome.status());
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("cluster_id", cluster.id);
        doc.put("evidence", outcome.evidence().toString());
        doc.put("removed", outcome.removed());
        doc.put("status", status);
        List<String> lines = new ArrayList<>();
        outcome.removed().forEach(r -> lines.add("removed " + r));
        lines.addAll(StatusView.lines(status));
        lines.add("evidence: " + outcome.evidence() + " (keep it: `cmek restore --evidence "
                + outcome.evidence().getParent() + "` puts the grants back)");
        report().result(doc, lines);
        return ExitCode.OK;
    }

    @Override
    Interruption.Notice interruptNotice() {
        Path dir = evidenceDir;
        if (dir == null || !Files.exists(dir.resolve(EvidenceFile.FILE_NAME))) {
            return Interruption.Notice.readOnly("revoking cluster " + cluster.id);
        }
        String lastStep;
        try {
            List<String> done = new ArrayList<>();
            EvidenceFile.read(dir, Clock.systemUTC())
                    .document()
                    .path("steps")
                    .forEach(s -> done.add(s.path("step").asText()));
            lastStep = done.isEmpty() ? "none" : String.join(", ", done);
        } catch (CmekException e) {
            lastStep = "(unreadable: " + e.getMessage() + ")";
        }
        List<String> finish = new ArrayList<>(List.of("revoke", "--cluster", cluster.id, "--yes", "--evidence"));
        finish.add(dir.toString());
        if (immediate) {
            finish.add("--immediate");
        }
        if (cloudOnly) {
            finish.add("--cloud-only");
        }
        if (apiOnly) {
            finish.add("--api-only");
        }
        addApiOptions(finish);
        return new Interruption.Notice(
                "revoking cluster " + cluster.id,
                "the revocation is part done; " + dir.resolve(EvidenceFile.FILE_NAME)
                        + " records every step done so far (" + lastStep + ")" + Interruption.lastSeen(),
                Interruption.steps(
                        "to finish the revocation",
                        Interruption.command(finish),
                        "or to undo what was removed",
                        Interruption.command(List.of("restore", "--evidence", dir.toString()))));
    }

    /** The same --server and --api-key-file, so that the printed command reaches the same API. */
    private void addApiOptions(List<String> args) {
        if (apiOptions.server != null) {
            args.add("--server");
            args.add(apiOptions.server);
        }
        if (apiOptions.apiKeyFile != null) {
            args.add("--api-key-file");
            args.add(apiOptions.apiKeyFile.toString());
        }
    }

    private ExitCode preview(BreachResponse.Steps steps) {
        CmekClusterInfo info =
                CmekLifecycle.statusOrDisabled(api(), api().cluster(cluster.id).id());
        Map<String, KeySpec> live = CmekLifecycle.currentSpecs(info);
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("cluster_id", cluster.id);
        doc.put("dry_run", true);
        doc.put("steps", steps.name());
        doc.put("live_key_specs", live);
        List<String> lines = new ArrayList<>();
        lines.add("would revoke cluster " + cluster.id + " (CMEK " + info.status() + ")"
                + (steps == BreachResponse.Steps.API_ONLY ? "" : "; grants removed from:"));
        if (steps != BreachResponse.Steps.API_ONLY) {
            live.forEach((region, spec) ->
                    lines.add(String.format("  %-24s %s as %s", region, spec.uri(), spec.authPrincipal())));
        }
        if (steps != BreachResponse.Steps.CLOUD_ONLY) {
            lines.add("then send REVOKE and wait for REVOKED");
        }
        report().result(doc, lines);
        return ExitCode.OK;
    }

    private void confirm() {
        if (yes) {
            return;
        }
        if (!terminal.interactive()) {
            throw new CmekException.InvalidInput(
                    "refusing to revoke without --yes: no terminal to confirm on; nothing was changed");
        }
        terminal.err()
                .println("Revoking stops cluster " + cluster.id + " from serving data, and no API call undoes it.");
        terminal.err().print("Type the cluster id to confirm: ");
        terminal.err().flush();
        String answer;
        try {
            answer = terminal.in().readLine();
        } catch (IOException e) {
            answer = null;
        }
        if (answer == null || !answer.strip().equals(cluster.id)) {
            throw new CmekException.InvalidInput("not confirmed; nothing was changed");
        }
    }
}
