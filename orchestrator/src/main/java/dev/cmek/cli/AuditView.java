package dev.cmek.cli;

import dev.cmek.core.Control;
import dev.cmek.core.ControlResult;
import dev.cmek.workflow.Audit;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** An audit as a JSON document (snake_case) and as text lines. */
final class AuditView {
    private AuditView() {}

    static Map<String, Object> document(Audit.Result result, Path report) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("organization_id", result.organizationId());
        doc.put("audited_at", result.at().toString());
        doc.put("summary", result.summary());
        doc.put(
                "controls",
                java.util.Arrays.stream(Control.values())
                        .map(c -> Map.of("id", c.id(), "title", c.title()))
                        .toList());
        doc.put(
                "clusters",
                result.clusters().stream().map(c -> cluster(c, result.at())).toList());
        doc.put("report_file", report == null ? null : report.toString());
        doc.put("elapsed_seconds", result.elapsed().toMillis() / 1000.0);
        return doc;
    }

    private static Map<String, Object> cluster(Audit.ClusterRow c, Instant at) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("cluster_id", c.id());
        out.put("name", c.name());
        out.put("cloud", c.cloud().name());
        out.put("plan", c.plan());
        out.put("state", c.state());
        out.put("cmek", c.cmek());
        out.put("cmek_status", c.cmekStatus() == null ? null : c.cmekStatus().name());
        out.put("note", c.note());
        out.put("cloud_reachable", c.cmek() ? c.notReachable() == null : null);
        out.put("not_reachable_reason", c.notReachable());
        out.put("ok", c.ok());
        List<Map<String, Object>> regions = new ArrayList<>();
        for (Audit.RegionRow r : c.regions()) {
            Map<String, Object> region = new LinkedHashMap<>();
            region.put("region", r.region());
            region.put("cmek_status", r.status().name());
            region.put("key", r.key());
            region.put(
                    "newest_key_version_at",
                    r.newestKeyVersion() == null ? null : r.newestKeyVersion().toString());
            region.put("newest_key_version_age_days", ageDays(r.newestKeyVersion(), at));
            region.put("ok", r.ok());
            region.put(
                    "controls", r.controls().stream().map(VerifyView::control).toList());
            regions.add(region);
        }
        out.put("regions", regions);
        out.put("not_checked", c.notChecked());
        return out;
    }

    static Long ageDays(Instant newest, Instant at) {
        return newest == null ? null : Duration.between(newest, at).toDays();
    }

    static String progressLine(Audit.ClusterRow c) {
        if (!c.cmek()) {
            return c.name() + " (" + c.id() + "): " + c.note();
        }
        long failed = c.regions().stream()
                .flatMap(r -> r.controls().stream())
                .filter(ControlResult::failed)
                .count();
        return c.name() + " (" + c.id() + "): CMEK " + c.cmekStatus() + ", "
                + (c.notReachable() != null
                        ? "cloud not reachable"
                        : failed == 0 ? "all controls pass" : failed + " FAIL");
    }

    static List<String> lines(Audit.Result result, Path report) {
        List<String> lines = new ArrayList<>();
        Map<String, Integer> s = result.summary();
        lines.add("organization " + result.organizationId() + ": " + s.get("clusters") + " clusters, "
                + s.get("with_cmek") + " with CMEK, " + s.get("clusters_failing") + " failing, "
                + s.get("cloud_not_reachable") + " not reachable; controls " + s.get("controls_pass") + " PASS, "
                + s.get("controls_fail") + " FAIL, " + s.get("controls_not_applicable") + " N/A");
        for (Audit.ClusterRow c : result.clusters()) {
            lines.add(c.name() + "  " + c.id() + "  " + c.cloud() + "  "
                    + (c.cmek() ? "CMEK " + c.cmekStatus() : c.note()));
            if (c.notReachable() != null) {
                lines.add("  cloud not reachable: " + c.notReachable());
            }
            for (Audit.RegionRow r : c.regions()) {
                Long age = ageDays(r.newestKeyVersion(), result.at());
                StringBuilder marks = new StringBuilder();
                for (ControlResult x : r.controls()) {
                    marks.append(' ')
                            .append(x.control().id())
                            .append('=')
                            .append(x.verdict().shown());
                }
                lines.add("  " + r.region() + "  " + r.status() + (age == null ? "" : "  key " + age + " days old")
                        + " " + marks);
                r.controls().stream()
                        .filter(ControlResult::failed)
                        .forEach(x -> lines.add("    FAIL " + x.control().id() + ": " + String.join("; ", x.evidence())
                                + (x.fix() == null ? "" : "  fix: " + x.fix())));
            }
        }
        if (report != null) {
            lines.add("report: " + report);
        }
        return lines;
    }
}
