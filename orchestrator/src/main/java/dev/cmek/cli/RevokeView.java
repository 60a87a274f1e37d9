package dev.cmek.cli;

import dev.cmek.CmekException;
import dev.cmek.ExitCode;
import dev.cmek.core.Fate;
import dev.cmek.core.Outcome;
import dev.cmek.workflow.AccountRevocation;
import dev.cmek.workflow.BreachResponse;
import dev.cmek.workflow.EvidenceFile;
import dev.cmek.workflow.RevocationSummary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What {@code cmek revoke} prints: one cluster's revocation, every cluster's of an account, and the dry runs. The first
 * line is the headline a tired responder may stop at, so it says, in this order, how many grants were removed, how many
 * are left, and whether REVOKE was sent; every other line says one thing once.
 */
final class RevokeView {
    private RevokeView() {}

    /**
     * One cluster's revocation over every run of its evidence; exit 8 with the command that finishes it when grants are
     * left or REVOKE could not be sent.
     *
     * @param offlineSource how the cluster was named without the Cloud API ({@code --manifest}, {@code --regions}), or
     *     null
     * @param again the same revoke with the same evidence, to finish what is left
     * @param sendLater the revoke that only sends REVOKE, with the same evidence
     */
    static ExitCode print(
            Report report, BreachResponse.RevokeOutcome outcome, String offlineSource, String again, String sendLater) {
        RevocationSummary summary = outcome.summary();
        Map<String, Object> doc = new LinkedHashMap<>();
        String headline = headline(outcome);
        doc.put("headline", headline);
        doc.put("outcome", verdict(outcome));
        doc.put("cluster_id", outcome.clusterId());
        doc.put("evidence", outcome.evidence().toString());
        doc.put("api_read", outcome.apiRead());
        if (outcome.apiUnreadable() != null) {
            doc.put("api_unreadable", outcome.apiUnreadable());
        }
        doc.put("removed", summary.removedWords());
        doc.put("left", summary.left().stream().map(RevokeView::entry).toList());
        doc.put("notes", outcome.notes());
        doc.put("revoke_sent", outcome.revokeSent());
        doc.put("already_revoked", outcome.alreadyRevoked());
        List<String> lines = new ArrayList<>();
        lines.add(headline);
        if (outcome.finishedBefore()) {
            lines.add("evidence: " + outcome.evidence() + " (`cmek restore --evidence "
                    + outcome.evidence().getParent() + "` puts back what it removed)");
            report.result(doc, lines);
            return ExitCode.OK;
        }
        if (outcome.apiUnreadable() != null) {
            lines.add("the Cloud API could not be read (" + outcome.apiUnreadable() + "): the grants were removed from"
                    + " what your cloud records");
        } else if (!outcome.apiRead()) {
            lines.add("the Cloud API was not read (--cloud-only with " + offlineSource + ")");
        }
        if (!summary.removedWords().isEmpty()) {
            lines.add("removed (over every run of this evidence):");
            summary.removedWords().forEach(r -> lines.add("  " + r));
        }
        lines.addAll(leftLines(summary.left()));
        outcome.notes().forEach(n -> lines.add("note: " + n));
        if (outcome.status() != null) {
            StatusView.Document status = StatusView.document(
                    outcome.clusterId(),
                    outcome.steps() == BreachResponse.Steps.CLOUD_ONLY ? "CLOUD_GRANTS_REMOVED" : "REVOKED",
                    outcome.status());
            doc.put("status", status);
            lines.addAll(StatusView.lines(status));
        }
        lines.add("evidence: " + outcome.evidence()
                + (summary.removedWords().isEmpty()
                        ? " (keep it: it records what was found and sent)"
                        : " (keep it: `cmek restore --evidence "
                                + outcome.evidence().getParent() + "` puts back what was removed)"));
        boolean revokeLater = !outcome.revoked() && outcome.steps() != BreachResponse.Steps.API_ONLY;
        if (!summary.complete()) {
            doc.put("next_step", again);
            lines.add("fix what is LEFT above, then run again with the same evidence: " + again);
        } else if (revokeLater) {
            doc.put("next_step", sendLater);
            lines.add("CockroachDB still uses the keys until REVOKE is sent: " + sendLater);
        }
        if (outcome.exitCode() == ExitCode.OK) {
            report.result(doc, lines);
            return ExitCode.OK;
        }
        return report.result(
                doc,
                lines,
                outcome.exitCode(),
                headline + "; "
                        + (summary.complete()
                                ? "send REVOKE once the Cloud API answers: " + sendLater
                                : "fix what is left and re-run with the same --evidence: " + again));
    }

    /** Removed, left, REVOKE: the first line of the result, and the JSON {@code headline}. */
    static String headline(BreachResponse.RevokeOutcome outcome) {
        RevocationSummary summary = outcome.summary();
        int removed = summary.removed().size();
        int left = summary.left().size();
        if (outcome.finishedBefore()) {
            return "already revoked, nothing to do: this evidence holds a finished revocation of cluster "
                    + outcome.clusterId() + " (" + removed + " grant(s) removed, "
                    + (outcome.revokeSent() ? "REVOKE sent" : "the cluster was already revoked") + ")";
        }
        String grants = outcome.steps() == BreachResponse.Steps.API_ONLY && removed == 0 && left == 0
                ? "no grant removed (--api-only)"
                : removed + " grant(s) removed, " + (left == 0 ? "none" : left) + " left";
        String revoke;
        if (outcome.revokeSent()) {
            revoke = "REVOKE sent";
        } else if (outcome.alreadyRevoked()) {
            revoke = "REVOKE not needed (the cluster was already revoked)";
        } else if (outcome.apiUnreadable() != null) {
            revoke = "REVOKE NOT sent (the Cloud API could not be read)";
        } else {
            revoke = "REVOKE not sent (--cloud-only)";
        }
        return verdict(outcome).replace('_', ' ') + ": " + grants + ", " + revoke;
    }

    /** {@code revoked}, {@code partial}, {@code cloud_step_done} or {@code already_revoked}. */
    private static String verdict(BreachResponse.RevokeOutcome outcome) {
        if (outcome.finishedBefore()) {
            return "already_revoked";
        }
        if (outcome.exitCode() != ExitCode.OK) {
            return "partial";
        }
        return outcome.revoked() ? "revoked" : "cloud_step_done";
    }

    private static final java.util.regex.Pattern UNREACHABLE =
            java.util.regex.Pattern.compile("unreachable: \\S+ did not answer \\([^)]*\\)");
    private static final java.util.regex.Pattern NO_CREDENTIALS = java.util.regex.Pattern.compile(
            "(no AWS credentials found|the AWS SSO session|no Google Application Default Credentials).*");

    /**
     * The entries left, each once; entries left for the same reason (an endpoint that did not answer, no credentials)
     * share one line that says the reason once and lists them.
     */
    private static List<String> leftLines(List<RevocationSummary.Entry> left) {
        Map<String, List<RevocationSummary.Entry>> byReason = new LinkedHashMap<>();
        left.forEach(e -> byReason.computeIfAbsent(sharedReason(e.detail()), r -> new ArrayList<>())
                .add(e));
        List<String> lines = new ArrayList<>();
        byReason.forEach((reason, entries) -> {
            if (entries.size() == 1) {
                lines.add("LEFT: " + entries.get(0).describe());
            } else {
                lines.add("LEFT: " + entries.size() + " documents could not be read or changed: " + reason
                        + (UNREACHABLE.matcher(reason).matches()
                                ? "; check the network (or the emulator endpoint) and re-run with the same --evidence"
                                : ""));
                entries.forEach(e -> lines.add(
                        "  " + e.type() + " " + e.resource() + (e.region() == null ? "" : " (" + e.region() + ")")));
            }
        });
        return lines;
    }

    /** What several entries may share: the endpoint that did not answer, or the missing credentials; else the detail. */
    private static String sharedReason(String detail) {
        java.util.regex.Matcher m = UNREACHABLE.matcher(detail);
        if (m.find()) {
            return m.group();
        }
        java.util.regex.Matcher c = NO_CREDENTIALS.matcher(detail);
        return c.find() ? c.group() : detail;
    }

    /** Every cluster of {@code --all-using}; the first failed cluster's exit code when any was not revoked completely. */
    static ExitCode printAll(Report report, String account, AccountRevocation.Result result, Path dir, String again) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("account", account);
        doc.put("index", result.index().toString());
        List<Map<String, Object>> clusters = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        long failed = result.clusters().stream()
                .filter(c -> c.exitCode() != ExitCode.OK)
                .count();
        long before = result.clusters().stream()
                .filter(c -> c.verdict().equals("ALREADY_REVOKED"))
                .count();
        String summary = result.clusters().isEmpty()
                ? "no cluster's live keys found in " + account + ": nothing was revoked"
                : (result.clusters().size() - failed) + " of "
                        + result.clusters().size() + " cluster(s) revoked completely"
                        + (before == 0 ? "" : " (" + before + " already REVOKED before this run)")
                        + (failed == 0 ? "" : ", " + failed + " not");
        lines.add(firstLine(result.unlisted(), summary));
        result.unlisted().ifPresent(why -> doc.put("unlisted", why));
        for (AccountRevocation.ClusterResult r : result.clusters()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("cluster_id", r.cluster().id());
            m.put("name", r.cluster().name());
            m.put("outcome", r.verdict());
            m.put("evidence", r.evidence().toString());
            m.put("exit_code", r.exitCode().code());
            m.put("message", r.message());
            if (r.outcome() != null) {
                m.put("removed", r.outcome().summary().removedWords());
                m.put(
                        "left",
                        r.outcome().summary().left().stream()
                                .map(RevokeView::entry)
                                .toList());
                m.put("revoke_sent", r.outcome().revokeSent());
            }
            clusters.add(m);
            lines.add(String.format(
                    "%-15s %s (%s): %s",
                    r.verdict().toLowerCase(java.util.Locale.ROOT).replace('_', ' '),
                    r.cluster().id(),
                    r.cluster().name(),
                    r.message()));
            if (r.outcome() != null) {
                leftLines(r.outcome().summary().left()).forEach(l -> lines.add("  " + l));
            }
        }
        doc.put("clusters", clusters);
        lines.add("evidence and index: " + result.index() + " (`"
                + Interruption.command(List.of("restore", "--evidence", dir.toString()))
                + "` puts back what was removed)");
        if (result.exitCode() == ExitCode.OK) {
            report.result(doc, lines);
            return ExitCode.OK;
        }
        doc.put("next_step", again);
        lines.add("fix what is left, then run again with the same evidence: " + again);
        return report.result(
                doc,
                lines,
                result.exitCode(),
                (failed == 0
                                ? result.unlisted().orElse("")
                                : failed + " of " + result.clusters().size() + " cluster(s) not revoked completely")
                        + "; fix that and re-run with the same --evidence: " + again);
    }

    /**
     * {@code --all-using} found nothing to revoke; partial (8) when clusters may have been missed ({@code unlisted}:
     * why).
     */
    static ExitCode printNothingUsing(Report report, String account, Optional<String> unlisted) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("account", account);
        doc.put("clusters", List.of());
        unlisted.ifPresent(why -> doc.put("unlisted", why));
        List<String> lines =
                List.of(firstLine(unlisted, "no cluster's live keys found in " + account + ": nothing to revoke"));
        return partialIfUnlisted(report, doc, lines, unlisted);
    }

    /** Done (0), or partial (8) when clusters may have been missed ({@code unlisted}: why). */
    private static ExitCode partialIfUnlisted(
            Report report, Map<String, Object> doc, List<String> lines, Optional<String> unlisted) {
        if (unlisted.isPresent()) {
            return report.result(doc, lines, ExitCode.PARTIAL, unlisted.get());
        }
        report.result(doc, lines);
        return ExitCode.OK;
    }

    /**
     * The first line of an {@code --all-using} run, which must be true: with a subscription whose vaults could not be
     * listed ({@code unlisted}: why), what was found may not be all, so the run is partial.
     */
    private static String firstLine(Optional<String> unlisted, String line) {
        return unlisted.map(why -> "partial: " + why + "; " + line).orElse(line);
    }

    /** A dry run of one cluster, with or without the Cloud API: what was found, and what each write would remove. */
    static ExitCode printPreview(
            Report report,
            String clusterId,
            BreachResponse.Steps steps,
            BreachResponse.Preview preview,
            List<String> offlineRegions) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("cluster_id", clusterId);
        doc.put("dry_run", true);
        boolean offline = preview.status() == null;
        doc.put("api_read", !offline);
        doc.put("steps", steps.name());
        List<String> lines = new ArrayList<>();
        if (offline) {
            doc.put("regions", offlineRegions);
            doc.put("keys_in_use", preview.live());
            lines.add("would revoke cluster " + clusterId + " on " + preview.cloud() + " without the Cloud API"
                    + (offlineRegions.isEmpty() ? "" : ", in " + String.join(", ", offlineRegions)) + ":");
        } else {
            doc.put("cmek_status", preview.status().status().name());
            doc.put("live_key_specs", preview.live());
            lines.add("would revoke cluster " + clusterId + " (CMEK "
                    + preview.status().status() + "):");
        }
        lines.addAll(previewLines(preview, steps, doc, "  "));
        report.result(doc, lines);
        return ExitCode.OK;
    }

    /** What the cloud holds and the dry run would do, in order: removals, what cannot be read, REVOKE. */
    private static List<String> previewLines(
            BreachResponse.Preview preview, BreachResponse.Steps steps, Map<String, Object> doc, String indent) {
        List<Map<String, Object>> would = new ArrayList<>();
        List<Map<String, Object>> unreadable = new ArrayList<>();
        List<Map<String, Object>> absent = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        for (Outcome o : preview.outcomes()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("type", o.document().words());
            m.put("resource", o.resource());
            m.put("region", o.region());
            m.put("detail", o.detail());
            String where =
                    o.document().words() + " " + o.resource() + (o.region() == null ? "" : " (" + o.region() + ")");
            if (o.fate() == Fate.WOULD_REMOVE) {
                would.add(m);
                lines.add(indent + "would remove: " + where + ": " + o.detail());
            } else if (o.fate() == Fate.LEFT) {
                unreadable.add(m);
                lines.add(indent + "cannot tell: " + where + ": " + o.detail());
            } else {
                absent.add(m);
            }
        }
        if (steps != BreachResponse.Steps.API_ONLY && would.isEmpty() && unreadable.isEmpty()) {
            lines.add(indent + "no grant of CockroachDB's was found in your cloud: nothing would be removed");
        }
        if (!absent.isEmpty()) {
            lines.add(indent + absent.size() + " document(s) already without CockroachDB's grant");
        }
        preview.notes().forEach(n -> lines.add(indent + "note: " + n));
        boolean revokedAlready = preview.status() != null
                && (preview.status().status() == dev.cmek.api.CmekStatus.REVOKED
                        || preview.status().status() == dev.cmek.api.CmekStatus.REVOKING);
        if (preview.revokeWouldBeSent()) {
            lines.add(indent + "then send REVOKE and wait for REVOKED");
        } else if (revokedAlready && steps != BreachResponse.Steps.CLOUD_ONLY) {
            lines.add(indent + "REVOKE would not be sent: the cluster is already "
                    + preview.status().status());
        }
        doc.put("would_remove", would);
        doc.put("cannot_tell", unreadable);
        doc.put("already_absent", absent);
        doc.put("notes", preview.notes());
        doc.put("revoke_would_be_sent", preview.revokeWouldBeSent());
        return lines;
    }

    /** A dry run of {@code --all-using}: the clusters chosen, and what each revocation would remove. */
    static ExitCode printAccountPreview(
            Report report,
            String account,
            BreachResponse.Steps steps,
            List<AccountRevocation.Candidate> chosen,
            Map<String, BreachResponse.Preview> previews,
            Optional<String> unlisted) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("account", account);
        doc.put("dry_run", true);
        doc.put("steps", steps.name());
        unlisted.ifPresent(why -> doc.put("unlisted", why));
        List<Map<String, Object>> clusters = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        lines.add(firstLine(
                unlisted, "would revoke " + chosen.size() + " cluster(s) whose keys live in " + account + ":"));
        for (AccountRevocation.Candidate c : chosen) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("cluster_id", c.cluster().id());
            m.put("name", c.cluster().name());
            m.put("cloud", c.cluster().cloudProvider().name());
            m.put("cmek_status", c.status().status().name());
            m.put("keys_there", c.keysThere());
            lines.add(String.format(
                    "  %s %-20s %s CMEK %s, %d key(s) there",
                    c.cluster().id(),
                    c.cluster().name(),
                    c.cluster().cloudProvider(),
                    c.status().status(),
                    c.keysThere().size()));
            lines.addAll(previewLines(previews.get(c.cluster().id()), steps, m, "      "));
            clusters.add(m);
        }
        doc.put("clusters", clusters);
        return partialIfUnlisted(report, doc, lines, unlisted);
    }

    private static Map<String, Object> entry(RevocationSummary.Entry e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", e.type());
        m.put("resource", e.resource());
        m.put("region", e.region());
        m.put("detail", e.detail());
        return m;
    }

    /** Where an interrupted {@code --all-using} stands: its index, and the commands that finish or undo it. */
    static Interruption.Notice interruptedAll(String account, Path dir, List<String> again) {
        String doing = "revoking every cluster using " + account;
        if (dir == null) {
            return Interruption.Notice.readOnly(doing);
        }
        return new Interruption.Notice(
                doing,
                "the revocations are part done; " + dir.resolve(AccountRevocation.INDEX)
                        + " lists each cluster's evidence" + Interruption.lastSeen(),
                Interruption.steps(
                        "to finish the revocations",
                        Interruption.command(again),
                        "or to undo what was removed",
                        Interruption.command(List.of("restore", "--evidence", dir.toString()))));
    }

    /**
     * Where an interrupted revoke of one cluster stands, as its evidence shows it, and the commands that finish or
     * undo it ({@code again}: the same revoke with the same evidence).
     */
    static Interruption.Notice interrupted(String clusterId, Path dir, List<String> again) {
        String doing = "revoking cluster " + clusterId;
        if (dir == null || !Files.exists(dir.resolve(EvidenceFile.FILE_NAME))) {
            return Interruption.Notice.readOnly(doing);
        }
        String finish = Interruption.command(again);
        String undo = Interruption.command(List.of("restore", "--evidence", dir.toString()));
        EvidenceFile.Progress progress;
        try {
            progress = EvidenceFile.read(dir, Clock.systemUTC()).progress();
        } catch (CmekException e) {
            return new Interruption.Notice(
                    doing,
                    "its record " + dir.resolve(EvidenceFile.FILE_NAME) + " cannot be read (" + e.getMessage() + ")",
                    Interruption.steps("to finish the revocation", finish, "or to undo what was removed", undo));
        }
        RevocationSummary summary = progress.summary();
        if (progress.nothingChanged()) {
            return new Interruption.Notice(doing, "nothing was changed yet", Interruption.steps("to revoke", finish));
        }
        String record = "; " + dir.resolve(EvidenceFile.FILE_NAME) + " records each step" + Interruption.lastSeen();
        if (summary.complete() && progress.revokeSent()) {
            String check = Interruption.command(List.of("status", "--cluster", clusterId));
            return summary.removed().isEmpty()
                    ? new Interruption.Notice(
                            doing,
                            "REVOKE was sent; only the wait for REVOKED was cut short" + record,
                            Interruption.steps("to check", check))
                    : new Interruption.Notice(
                            doing,
                            "every grant was removed (" + summary.removed().size() + ") and REVOKE was sent; only the"
                                    + " wait for REVOKED was cut short" + record,
                            Interruption.steps("to check", check, "or to undo what was removed", undo));
        }
        String state = summary.removed().size() + " grant(s) removed, "
                + summary.left().size() + " not yet, REVOKE " + (progress.revokeSent() ? "sent" : "not sent yet")
                + record;
        return new Interruption.Notice(
                doing,
                state,
                summary.removed().isEmpty()
                        ? Interruption.steps("to finish the revocation", finish)
                        : Interruption.steps("to finish the revocation", finish, "or to undo what was removed", undo));
    }
}
