package dev.cmek.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cmek.CmekException;
import dev.cmek.ExitCode;
import dev.cmek.OutputPath;
import dev.cmek.api.CmekClusterInfo;
import dev.cmek.api.CmekWaiter;
import dev.cmek.model.CloudProvider;
import dev.cmek.model.ClusterIdRule;
import dev.cmek.model.KeySpec;
import dev.cmek.model.KeySpecRules;
import dev.cmek.model.KeyType;
import dev.cmek.model.Manifest;
import dev.cmek.model.ManifestCodec;
import dev.cmek.workflow.AccountRevocation;
import dev.cmek.workflow.BreachResponse;
import dev.cmek.workflow.CmekLifecycle;
import dev.cmek.workflow.EvidenceFile;
import dev.cmek.workflow.Fleet;
import dev.cmek.workflow.RevocationSummary;
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
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "revoke",
        description = {
            "Breach response: remove CockroachDB's access to the cluster's keys in your cloud, then tell CockroachDB to stop using them (REVOKE) and wait until REVOKED.",
            "%nIt fails toward revocation. The master switch goes first and on its own (AWS: the cluster account's trust on the role; GCP: the token-creator binding on the service account), then CockroachDB's grant leaves every key tagged (AWS) or labelled (GCP) for the cluster, every generation and orphan, each region independently: a region or key that cannot be changed is reported, the others go on. REVOKE is sent even when some grants could not be removed; then the exit code is 8 and the output names every grant left and what to do. Before each change its intent is written to the evidence record (--evidence DIR): each document before, what is removed, who acted, the API's answers; no secrets. Re-running with the same --evidence finishes what is left. No API call undoes REVOKE: recovery needs the grants put back (`cmek restore`) and then CockroachDB support. It never deletes, disables or schedules deletion of a key. --immediate also cuts access already in use (AWS: denies role sessions issued before the trust was cut; GCP: disables the service account, reversibly). --cloud-only with --manifest FILE, or with --regions and --cloud, works without the Cloud API (an outage, a rotated API key). --all-using ACCOUNT revokes every cluster whose keys live in that AWS account or GCP project. Asks you to type the cluster id (or the account) unless --yes; refuses without --yes when not interactive."
        },
        footer = {
            "",
            "Examples:",
            "  cmek revoke --cluster 3a0c...e1 --dry-run     # what would be removed",
            "  cmek revoke --cluster 3a0c...e1 --yes --immediate --evidence incident-42/",
            "  cmek revoke --cluster 3a0c...e1 --yes --cloud-only --manifest cmek_config.json --evidence incident-42/",
            "  cmek revoke --all-using 111122223333 --yes --evidence incident-42/",
            "  cmek restore --evidence incident-42/         # later: put it back"
        })
final class RevokeCommand extends CloudCommand {
    @Option(names = "--cluster", paramLabel = "ID", description = "Cluster id (UUID). Give this or --all-using.")
    String clusterId;

    @Option(
            names = "--all-using",
            paramLabel = "ACCOUNT",
            description =
                    "Revoke every cluster of the organization whose keys live in this AWS account id or GCP project, in parallel; one evidence directory per cluster under --evidence DIR, with an index.json that `cmek restore --evidence DIR` accepts.")
    String allUsing;

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
            names = "--manifest",
            paramLabel = "FILE",
            description =
                    "With --cloud-only: the cluster's keys and principal from this manifest, without reading the Cloud API.")
    Path manifest;

    @Option(
            names = "--regions",
            split = ",",
            paramLabel = "R,...",
            description =
                    "With --cloud-only and --cloud: the cluster's regions, without reading the Cloud API (the keys are found by their tags or labels).")
    List<String> regions = new ArrayList<>();

    @Option(
            names = "--cloud",
            paramLabel = "aws|gcp",
            description = "With --cloud-only and --regions (or to check a --manifest): the cluster's cloud.")
    String cloud;

    @Option(
            names = "--gcp-project",
            paramLabel = "PROJECT",
            description =
                    "GCP without the Cloud API: your project that holds the service account and keys, when no key spec names it (default: $CMEK_GCP_PROJECT).")
    String gcpProject;

    @Option(
            names = "--parallel",
            paramLabel = "N",
            defaultValue = "16",
            description = "With --all-using: clusters revoked at once (default: ${DEFAULT-VALUE}).")
    int parallel = 16;

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
        CloudOptions options = CloudOptions.forExistingKeys();
        options.gcpProject = gcpProject;
        return options;
    }

    RevokeCommand(Terminal terminal) {
        super(terminal);
    }

    @Override
    ExitCode run() {
        BreachResponse.Steps steps = checkInput();
        // Every cloud call ends within --timeout, however the cloud behaves: a revoke never hangs.
        keys().callDeadline(wait.timeout);
        if (allUsing != null) {
            return allUsing(steps);
        }
        Optional<BreachResponse.Offline> offline = offline();
        if (dryRun) {
            return offline.isPresent() ? previewOffline(steps, offline.get()) : preview(steps);
        }
        // The clients are built beside the evidence checks and the confirmation (nothing is sent before both).
        offline.ifPresent(o -> keys().prepare(o.cloud(), o.regions()));
        Path dir = evidence != null
                ? evidence
                : Path.of("cmek-revocation-" + clusterId + "-"
                        + DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
                                .withZone(ZoneOffset.UTC)
                                .format(Instant.now()));
        EvidenceFile.checkUsable(dir, clusterId, Clock.systemUTC());
        confirm(clusterId, "Revoking stops cluster " + clusterId + " from serving data, and no API call undoes it.");
        evidenceDir = dir;
        BreachResponse breach = offline.isPresent()
                ? new BreachResponse(null, null, this::keysFor, Clock.systemUTC(), report()::progress)
                : breachResponse();
        BreachResponse.RevokeOutcome outcome = breach.revoke(
                new BreachResponse.RevokeRequest(clusterId, dir, steps, immediate, waitFor(wait), offline));
        return print(outcome);
    }

    /** Every option combination is checked before anything is read or sent. */
    private BreachResponse.Steps checkInput() {
        if ((clusterId == null) == (allUsing == null)) {
            throw new CmekException.InvalidInput(
                    "give --cluster ID (one cluster) or --all-using ACCOUNT (every cluster whose keys live there)");
        }
        if (clusterId != null) {
            ClusterIdRule.check(clusterId);
        } else {
            AccountRevocation.checkAccount(allUsing);
        }
        if (cloudOnly && apiOnly) {
            throw new CmekException.InvalidInput(
                    "--cloud-only and --api-only exclude each other; give neither to run both steps");
        }
        boolean offline = manifest != null || !regions.isEmpty();
        if (offline && !cloudOnly) {
            throw new CmekException.InvalidInput("--manifest and --regions revoke without the Cloud API, which cannot"
                    + " send REVOKE: add --cloud-only (and send REVOKE later with --api-only and the same --evidence)");
        }
        if (offline && allUsing != null) {
            throw new CmekException.InvalidInput(
                    "--all-using reads every cluster from the Cloud API; --manifest and --regions are for one cluster");
        }
        if (manifest != null && !regions.isEmpty()) {
            throw new CmekException.InvalidInput("give --manifest or --regions, not both");
        }
        if (!regions.isEmpty() && cloud == null) {
            throw new CmekException.InvalidInput("--regions needs --cloud aws or --cloud gcp");
        }
        if (cloud != null && !offline) {
            throw new CmekException.InvalidInput("--cloud goes with --cloud-only and --regions or --manifest");
        }
        if (parallel < 1) {
            throw new CmekException.InvalidInput("--parallel must be at least 1 (got " + parallel + ")");
        }
        if (evidence != null && allUsing != null) {
            OutputPath.checkDirectory(evidence, "--evidence");
        }
        return cloudOnly
                ? BreachResponse.Steps.CLOUD_ONLY
                : apiOnly ? BreachResponse.Steps.API_ONLY : BreachResponse.Steps.BOTH;
    }

    /** The cluster without the Cloud API, from --manifest or --regions and --cloud; empty when the API is read. */
    private Optional<BreachResponse.Offline> offline() {
        if (manifest == null && regions.isEmpty()) {
            return Optional.empty();
        }
        CloudProvider given = cloud == null ? null : cloudNamed(cloud);
        Map<String, KeySpec> keys = new LinkedHashMap<>();
        List<String> inRegions = new ArrayList<>(regions);
        if (manifest != null) {
            Manifest m = ManifestCodec.read(manifest);
            keys.putAll(m.byRegion());
            inRegions.addAll(m.regions());
            List<KeyType> types =
                    keys.values().stream().map(KeySpec::type).distinct().toList();
            if (types.size() != 1 || (types.get(0) != KeyType.AWS_KMS && types.get(0) != KeyType.GCP_CLOUD_KMS)) {
                throw new CmekException.InvalidInput("--manifest " + manifest
                        + " must hold AWS_KMS or GCP_CLOUD_KMS keys, all of one cloud (found " + types + ")");
            }
            CloudProvider fromKeys = types.get(0) == KeyType.AWS_KMS ? CloudProvider.AWS : CloudProvider.GCP;
            if (given != null && given != fromKeys) {
                throw new CmekException.InvalidInput(
                        "--cloud " + cloud + " does not match the manifest's " + fromKeys + " keys");
            }
            given = fromKeys;
        }
        for (String r : inRegions) {
            KeySpecRules.checkRegion(r).ifPresent(problem -> {
                throw new CmekException.InvalidInput("--regions " + r + ": " + problem);
            });
        }
        Optional<String> project = Optional.ofNullable(gcpProject)
                .or(() -> Optional.ofNullable(terminal.env().get(CloudKeysFactory.GCP_PROJECT_ENV)))
                .filter(p -> !p.isBlank());
        if (given == CloudProvider.GCP && keys.isEmpty() && project.isEmpty()) {
            throw new CmekException.InvalidInput("GCP without the Cloud API and without a manifest: give --gcp-project"
                    + " (your project that holds the service account and the keys), or set "
                    + CloudKeysFactory.GCP_PROJECT_ENV);
        }
        return Optional.of(new BreachResponse.Offline(given, inRegions, keys, project));
    }

    private static CloudProvider cloudNamed(String cloud) {
        return switch (cloud.toLowerCase(Locale.ROOT)) {
            case "aws" -> CloudProvider.AWS;
            case "gcp" -> CloudProvider.GCP;
            default -> throw new CmekException.InvalidInput("--cloud must be aws or gcp (got " + cloud + ")");
        };
    }

    private ExitCode print(BreachResponse.RevokeOutcome outcome) {
        RevocationSummary summary = outcome.summary();
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("cluster_id", outcome.clusterId());
        doc.put("evidence", outcome.evidence().toString());
        doc.put("api_read", outcome.apiRead());
        doc.put("removed", summary.removedWords());
        doc.put("left", summary.left().stream().map(RevokeCommand::entry).toList());
        doc.put("notes", outcome.notes());
        doc.put("revoke_sent", outcome.revokeSent());
        List<String> lines = new ArrayList<>();
        if (!outcome.apiRead()) {
            lines.add("the Cloud API was not read (--cloud-only with " + (manifest != null ? "--manifest" : "--regions")
                    + "): REVOKE was not sent");
        }
        if (summary.removedWords().isEmpty()) {
            lines.add(
                    outcome.steps() == BreachResponse.Steps.API_ONLY
                            ? "no grant was removed in your cloud (--api-only)"
                            : "no grant was removed: none of CockroachDB's grants was left in your cloud");
        } else {
            lines.add("removed (over every run of this evidence):");
            summary.removedWords().forEach(r -> lines.add("  " + r));
        }
        summary.left().forEach(e -> lines.add("LEFT: " + e.describe()));
        outcome.notes().forEach(n -> lines.add("note: " + n));
        if (outcome.status() != null) {
            StatusView.Document status = StatusView.document(
                    outcome.clusterId(),
                    outcome.steps() == BreachResponse.Steps.CLOUD_ONLY ? "CLOUD_GRANTS_REMOVED" : "REVOKED",
                    outcome.status());
            doc.put("status", status);
            lines.addAll(StatusView.lines(status));
        }
        Path dir = outcome.evidence().getParent();
        lines.add("evidence: " + outcome.evidence()
                + (summary.removedWords().isEmpty()
                        ? " (keep it: it records what was found and sent)"
                        : " (keep it: `cmek restore --evidence " + dir + "` puts back what was removed)"));
        if (summary.complete()) {
            report().result(doc, lines);
            return ExitCode.OK;
        }
        String again = Interruption.command(sameArgsWithEvidence(dir));
        doc.put("next_step", again);
        lines.add("fix what is LEFT above, then run again with the same evidence: " + again);
        return report().result(
                        doc,
                        lines,
                        ExitCode.PARTIAL,
                        "partial: " + (outcome.revokeSent() ? "REVOKE sent" : "cloud step done") + ", but "
                                + summary.left().size() + " grant(s) could not be removed ("
                                + String.join(
                                        "; ",
                                        summary.left().stream()
                                                .map(e ->
                                                        e.resource() + (e.region() == null ? "" : " in " + e.region()))
                                                .toList())
                                + "); fix them and re-run with the same --evidence: " + again);
    }

    private static Map<String, Object> entry(RevocationSummary.Entry e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", e.type());
        m.put("resource", e.resource());
        m.put("region", e.region());
        m.put("detail", e.detail());
        return m;
    }

    /** This revocation again, with --yes and {@code --evidence dir}, so that a re-run resumes the same record. */
    private List<String> sameArgsWithEvidence(Path dir) {
        List<String> args = new ArrayList<>(List.of("revoke"));
        if (allUsing != null) {
            args.addAll(List.of("--all-using", allUsing));
        } else {
            args.addAll(List.of("--cluster", clusterId));
        }
        args.addAll(List.of("--yes", "--evidence", dir.toString()));
        if (immediate) {
            args.add("--immediate");
        }
        if (cloudOnly) {
            args.add("--cloud-only");
        }
        if (apiOnly) {
            args.add("--api-only");
        }
        if (manifest != null) {
            args.addAll(List.of("--manifest", manifest.toString()));
        }
        if (!regions.isEmpty()) {
            args.addAll(List.of("--regions", String.join(",", regions)));
        }
        if (cloud != null) {
            args.addAll(List.of("--cloud", cloud));
        }
        if (gcpProject != null) {
            args.addAll(List.of("--gcp-project", gcpProject));
        }
        if (apiOptions.server != null) {
            args.addAll(List.of("--server", apiOptions.server));
        }
        if (apiOptions.apiKeyFile != null) {
            args.addAll(List.of("--api-key-file", apiOptions.apiKeyFile.toString()));
        }
        return args;
    }

    private ExitCode allUsing(BreachResponse.Steps steps) {
        // Many clusters wait at once under one rate limit: each polls gently (first after 1 s), as the fleet does.
        CmekWaiter gentle = new CmekWaiter(
                api(), Fleet.Options.standard(parallel, wait.timeout).schedule(), report()::progress);
        BreachResponse breach = new BreachResponse(api(), gentle, this::keysFor, Clock.systemUTC(), report()::progress);
        AccountRevocation revocation = new AccountRevocation(api(), breach, Clock.systemUTC(), report()::progress);
        Path dir = evidence != null
                ? evidence
                : Path.of("cmek-revocation-" + allUsing + "-"
                        + DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
                                .withZone(ZoneOffset.UTC)
                                .format(Instant.now()));
        if (!dryRun) {
            OutputPath.checkDirectory(dir, "--evidence");
            if (Files.exists(dir.resolve(EvidenceFile.FILE_NAME))) {
                throw new CmekException.InvalidInput("--evidence " + dir + " holds the record of one cluster;"
                        + " --all-using needs a directory of its own (one subdirectory per cluster)");
            }
        }
        if (yes && !dryRun) {
            // No one to ask: each cluster is revoked as soon as its status shows keys there.
            evidenceDir = dir;
            return printAll(revocation.revokeAll(allUsing, dir, steps, immediate, waitFor(wait), parallel), dir);
        }
        List<AccountRevocation.Candidate> chosen = revocation.select(allUsing, parallel);
        if (dryRun) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("account", allUsing);
            doc.put("dry_run", true);
            doc.put("steps", steps.name());
            List<Map<String, Object>> clusters = new ArrayList<>();
            List<String> lines = new ArrayList<>();
            lines.add("would revoke " + chosen.size() + " cluster(s) whose keys live in " + allUsing + ":");
            for (AccountRevocation.Candidate c : chosen) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("cluster_id", c.cluster().id());
                m.put("name", c.cluster().name());
                m.put("cloud", c.cluster().cloudProvider().name());
                m.put("cmek_status", c.status().status().name());
                m.put("keys_there", c.keysThere());
                clusters.add(m);
                lines.add(String.format(
                        "  %s %-20s %s CMEK %s, %d key(s) there",
                        c.cluster().id(),
                        c.cluster().name(),
                        c.cluster().cloudProvider(),
                        c.status().status(),
                        c.keysThere().size()));
                lines.addAll(
                        wouldRemove(
                                        c.cluster().cloudProvider(),
                                        c.cluster().id(),
                                        c.cluster().accountId(),
                                        steps)
                                .stream()
                                .map(l -> "      " + l)
                                .toList());
            }
            doc.put("clusters", clusters);
            report().result(doc, lines);
            return ExitCode.OK;
        }
        if (chosen.isEmpty()) {
            report().result(
                            Map.of("account", allUsing, "clusters", List.of()),
                            List.of("no cluster's live keys live in " + allUsing + ": nothing to revoke"));
            return ExitCode.OK;
        }
        confirm(
                allUsing,
                "Revoking stops " + chosen.size() + " cluster(s) from serving data, and no API call undoes it.");
        evidenceDir = dir;
        return printAll(revocation.revokeAll(allUsing, chosen, dir, steps, immediate, waitFor(wait), parallel), dir);
    }

    private ExitCode printAll(AccountRevocation.Result result, Path dir) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("account", allUsing);
        doc.put("index", result.index().toString());
        List<Map<String, Object>> clusters = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        for (AccountRevocation.ClusterResult r : result.clusters()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("cluster_id", r.cluster().id());
            m.put("name", r.cluster().name());
            m.put("evidence", r.evidence().toString());
            m.put("exit_code", r.exitCode().code());
            m.put("message", r.message());
            if (r.outcome() != null) {
                m.put("removed", r.outcome().summary().removedWords());
                m.put(
                        "left",
                        r.outcome().summary().left().stream()
                                .map(RevokeCommand::entry)
                                .toList());
            }
            clusters.add(m);
            lines.add((r.exitCode() == ExitCode.OK ? "revoked  " : "NOT DONE ")
                    + r.cluster().id() + " (" + r.cluster().name() + "): " + r.message());
            if (r.outcome() != null) {
                r.outcome().summary().left().forEach(e -> lines.add("  LEFT: " + e.describe()));
            }
        }
        doc.put("clusters", clusters);
        long failed = result.clusters().stream()
                .filter(c -> c.exitCode() != ExitCode.OK)
                .count();
        if (result.clusters().isEmpty()) {
            lines.add("no cluster's live keys live in " + allUsing + ": nothing was revoked");
        }
        lines.add(result.clusters().size() - failed + " of " + result.clusters().size() + " cluster(s) revoked"
                + " completely; evidence and index: " + result.index()
                + " (`cmek restore --evidence " + dir + "` puts back what was removed)");
        if (failed == 0) {
            report().result(doc, lines);
            return ExitCode.OK;
        }
        String again = Interruption.command(sameArgsWithEvidence(dir));
        doc.put("next_step", again);
        return report().result(
                        doc,
                        lines,
                        result.exitCode(),
                        failed + " of " + result.clusters().size() + " cluster(s) not revoked completely (see above);"
                                + " fix them and re-run with the same --evidence: " + again);
    }

    @Override
    Interruption.Notice interruptNotice() {
        Path dir = evidenceDir;
        String doing = allUsing != null ? "revoking every cluster using " + allUsing : "revoking cluster " + clusterId;
        if (dir == null) {
            return Interruption.Notice.readOnly(doing);
        }
        List<String> finish = new ArrayList<>(sameArgsWithEvidence(dir));
        if (allUsing != null) {
            return new Interruption.Notice(
                    doing,
                    "the revocations are part done; " + dir.resolve(AccountRevocation.INDEX)
                            + " lists each cluster's evidence" + Interruption.lastSeen(),
                    Interruption.steps(
                            "to finish the revocations",
                            Interruption.command(finish),
                            "or to undo what was removed",
                            Interruption.command(List.of("restore", "--evidence", dir.toString()))));
        }
        if (!Files.exists(dir.resolve(EvidenceFile.FILE_NAME))) {
            return Interruption.Notice.readOnly(doing);
        }
        String lastStep;
        boolean removedSome;
        try {
            JsonNode doc = EvidenceFile.read(dir, Clock.systemUTC()).document();
            Map<String, Integer> done = new LinkedHashMap<>();
            doc.path("steps").forEach(s -> done.merge(s.path("step").asText(), 1, Integer::sum));
            removedSome = done.containsKey(EvidenceFile.DOCUMENT_INTENT);
            lastStep = done.isEmpty()
                    ? "none"
                    : String.join(
                            ", ",
                            done.entrySet().stream()
                                    .map(e -> e.getKey() + (e.getValue() > 1 ? " x" + e.getValue() : ""))
                                    .toList());
        } catch (CmekException e) {
            lastStep = "(unreadable: " + e.getMessage() + ")";
            removedSome = true;
        }
        Map<String, String> steps = removedSome
                ? Interruption.steps(
                        "to finish the revocation",
                        Interruption.command(finish),
                        "or to undo what was removed",
                        Interruption.command(List.of("restore", "--evidence", dir.toString())))
                : Interruption.steps("to finish the revocation", Interruption.command(finish));
        return new Interruption.Notice(
                doing,
                "the revocation is part done; " + dir.resolve(EvidenceFile.FILE_NAME)
                        + " records every step done so far (" + lastStep + ")" + Interruption.lastSeen(),
                steps);
    }

    private ExitCode preview(BreachResponse.Steps steps) {
        var cluster = api().cluster(clusterId);
        CmekClusterInfo info = CmekLifecycle.statusOrDisabled(api(), cluster.id());
        Map<String, KeySpec> live = CmekLifecycle.currentSpecs(info);
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("cluster_id", clusterId);
        doc.put("dry_run", true);
        doc.put("steps", steps.name());
        doc.put("live_key_specs", live);
        List<String> would = wouldRemove(cluster.cloudProvider(), clusterId, cluster.accountId(), steps);
        doc.put("would_remove", would);
        List<String> lines = new ArrayList<>();
        lines.add("would revoke cluster " + clusterId + " (CMEK " + info.status() + ")"
                + (steps == BreachResponse.Steps.API_ONLY ? "" : "; keys in use:"));
        if (steps != BreachResponse.Steps.API_ONLY) {
            live.forEach((region, spec) ->
                    lines.add(String.format("  %-24s %s as %s", region, spec.uri(), spec.authPrincipal())));
        }
        would.forEach(w -> lines.add("  " + w));
        report().result(doc, lines);
        return ExitCode.OK;
    }

    private ExitCode previewOffline(BreachResponse.Steps steps, BreachResponse.Offline offline) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("cluster_id", clusterId);
        doc.put("dry_run", true);
        doc.put("api_read", false);
        doc.put("steps", steps.name());
        doc.put("regions", offline.regions());
        doc.put("keys_in_use", offline.keysInUse());
        List<String> would = wouldRemove(offline.cloud(), clusterId, null, steps);
        doc.put("would_remove", would);
        List<String> lines = new ArrayList<>();
        lines.add("would revoke cluster " + clusterId + " on " + offline.cloud() + " without the Cloud API, in "
                + String.join(", ", offline.regions()) + ":");
        would.forEach(w -> lines.add("  " + w));
        report().result(doc, lines);
        return ExitCode.OK;
    }

    /** What a revocation would do, in words, from the names that follow from the cluster id. */
    private static List<String> wouldRemove(
            CloudProvider cloud, String clusterId, String clusterAccount, BreachResponse.Steps steps) {
        List<String> out = new ArrayList<>();
        if (steps != BreachResponse.Steps.API_ONLY) {
            String id = clusterId.toLowerCase(Locale.ROOT);
            String last12 = id.substring(id.length() - 12);
            if (cloud == CloudProvider.GCP) {
                out.add("first: the token-creator binding of "
                        + (clusterAccount == null
                                ? "crl-kms-user-" + last12 + "@* (the cluster's account is not read)"
                                : "crl-kms-user-" + last12 + "@" + clusterAccount + ".iam.gserviceaccount.com")
                        + " on service account crdb-cmek-" + last12 + "@<your project>");
                out.add("then: roles/cloudkms.cryptoKeyEncrypterDecrypter of that account on every key labelled for"
                        + " the cluster in key ring crdb-cmek-" + id + " (every generation) and on every key in use");
            } else {
                out.add("first: the trust of "
                        + (clusterAccount == null
                                ? "every account in role crdb-cmek-" + id.substring(0, 8) + "-" + last12
                                        + " (the cluster's account is not read)"
                                : "account " + clusterAccount + " in role crdb-cmek-" + id.substring(0, 8) + "-"
                                        + last12));
                out.add("then: the grant to that role from every key tagged crdb-cmek-cluster=" + id
                        + " (every generation, replica and orphan) and from every key in use");
            }
        }
        if (steps != BreachResponse.Steps.CLOUD_ONLY) {
            out.add("then send REVOKE and wait for REVOKED");
        }
        return out;
    }

    private void confirm(String expected, String warning) {
        if (yes) {
            return;
        }
        if (!terminal.interactive()) {
            throw new CmekException.InvalidInput(
                    "refusing to revoke without --yes: no terminal to confirm on; nothing was changed");
        }
        terminal.err().println(warning);
        terminal.err().print("Type the " + (expected.equals(clusterId) ? "cluster id" : "account") + " to confirm: ");
        terminal.err().flush();
        String answer;
        try {
            answer = terminal.in().readLine();
        } catch (IOException e) {
            answer = null;
        }
        if (answer == null || !answer.strip().equals(expected)) {
            throw new CmekException.InvalidInput("not confirmed; nothing was changed");
        }
    }
}
