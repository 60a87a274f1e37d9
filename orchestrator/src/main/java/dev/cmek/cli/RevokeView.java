package dev.cmek.cli;

import dev.cmek.ExitCode;
import dev.cmek.workflow.AccountRevocation;
import dev.cmek.workflow.BreachResponse;
import dev.cmek.workflow.RevocationSummary;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What {@code cmek revoke} prints: one cluster's revocation, every cluster's of an account, and the dry runs. */
final class RevokeView {
    private RevokeView() {}

    /**
     * One cluster's revocation over every run of its evidence; exit 8 with the command that finishes it when grants are
     * left.
     *
     * @param offlineSource {@code --manifest} or {@code --regions} when the Cloud API was not read, else null
     * @param again the same revoke with the same evidence, to finish what is left
     */
    static ExitCode print(Report report, BreachResponse.RevokeOutcome outcome, String offlineSource, String again) {
        RevocationSummary summary = outcome.summary();
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("cluster_id", outcome.clusterId());
        doc.put("evidence", outcome.evidence().toString());
        doc.put("api_read", outcome.apiRead());
        doc.put("removed", summary.removedWords());
        doc.put("left", summary.left().stream().map(RevokeView::entry).toList());
        doc.put("notes", outcome.notes());
        doc.put("revoke_sent", outcome.revokeSent());
        List<String> lines = new ArrayList<>();
        if (!outcome.apiRead()) {
            lines.add("the Cloud API was not read (--cloud-only with " + offlineSource + "): REVOKE was not sent");
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
            report.result(doc, lines);
            return ExitCode.OK;
        }
        doc.put("next_step", again);
        lines.add("fix what is LEFT above, then run again with the same evidence: " + again);
        return report.result(
                doc,
                lines,
                ExitCode.PARTIAL,
                "partial: " + (outcome.revokeSent() ? "REVOKE sent" : "cloud step done") + ", but "
                        + summary.left().size() + " grant(s) could not be removed ("
                        + String.join(
                                "; ",
                                summary.left().stream()
                                        .map(e -> e.resource() + (e.region() == null ? "" : " in " + e.region()))
                                        .toList())
                        + "); fix them and re-run with the same --evidence: " + again);
    }

    /** Every cluster of {@code --all-using}; the first failed cluster's exit code when any was not revoked completely. */
    static ExitCode printAll(Report report, String account, AccountRevocation.Result result, Path dir, String again) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("account", account);
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
                                .map(RevokeView::entry)
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
            lines.add("no cluster's live keys live in " + account + ": nothing was revoked");
        }
        lines.add(result.clusters().size() - failed + " of " + result.clusters().size() + " cluster(s) revoked"
                + " completely; evidence and index: " + result.index()
                + " (`cmek restore --evidence " + dir + "` puts back what was removed)");
        if (failed == 0) {
            report.result(doc, lines);
            return ExitCode.OK;
        }
        doc.put("next_step", again);
        return report.result(
                doc,
                lines,
                result.exitCode(),
                failed + " of " + result.clusters().size() + " cluster(s) not revoked completely (see above);"
                        + " fix them and re-run with the same --evidence: " + again);
    }

    /** {@code --all-using --yes} found nothing to revoke. */
    static ExitCode printNothingUsing(Report report, String account) {
        report.result(
                Map.of("account", account, "clusters", List.of()),
                List.of("no cluster's live keys live in " + account + ": nothing to revoke"));
        return ExitCode.OK;
    }

    /** A dry run of one cluster, with or without the Cloud API. */
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
        if (offline) {
            doc.put("api_read", false);
        }
        doc.put("steps", steps.name());
        List<String> would = wouldDo(preview.targets(), steps);
        List<String> lines = new ArrayList<>();
        if (offline) {
            doc.put("regions", offlineRegions);
            doc.put("keys_in_use", preview.live());
            lines.add("would revoke cluster " + clusterId + " on " + preview.cloud() + " without the Cloud API, in "
                    + String.join(", ", offlineRegions) + ":");
        } else {
            doc.put("live_key_specs", preview.live());
            lines.add("would revoke cluster " + clusterId + " (CMEK "
                    + preview.status().status() + ")"
                    + (steps == BreachResponse.Steps.API_ONLY ? "" : "; keys in use:"));
            if (steps != BreachResponse.Steps.API_ONLY) {
                preview.live()
                        .forEach((region, spec) ->
                                lines.add(String.format("  %-24s %s as %s", region, spec.uri(), spec.authPrincipal())));
            }
        }
        doc.put("would_remove", would);
        would.forEach(w -> lines.add("  " + w));
        report.result(doc, lines);
        return ExitCode.OK;
    }

    /** A dry run of {@code --all-using}: the clusters chosen, and what each revocation would remove. */
    static ExitCode printAccountPreview(
            Report report,
            String account,
            BreachResponse.Steps steps,
            List<AccountRevocation.Candidate> chosen,
            Map<String, List<String>> targets) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("account", account);
        doc.put("dry_run", true);
        doc.put("steps", steps.name());
        List<Map<String, Object>> clusters = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        lines.add("would revoke " + chosen.size() + " cluster(s) whose keys live in " + account + ":");
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
            wouldDo(targets.get(c.cluster().id()), steps).forEach(l -> lines.add("      " + l));
        }
        doc.put("clusters", clusters);
        report.result(doc, lines);
        return ExitCode.OK;
    }

    /** The cloud's targets, then REVOKE unless the cloud step runs alone. */
    private static List<String> wouldDo(List<String> targets, BreachResponse.Steps steps) {
        List<String> out = new ArrayList<>(targets);
        if (steps != BreachResponse.Steps.CLOUD_ONLY) {
            out.add("then send REVOKE and wait for REVOKED");
        }
        return out;
    }

    private static Map<String, Object> entry(RevocationSummary.Entry e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", e.type());
        m.put("resource", e.resource());
        m.put("region", e.region());
        m.put("detail", e.detail());
        return m;
    }
}
