package dev.cmek.cli;

import dev.cmek.workflow.Rewrap;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A re-wrap (one cluster or all) as a JSON document and as text lines. */
final class RewrapView {
    private RewrapView() {}

    static Map<String, Object> document(Rewrap.Result r) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("cluster_id", r.clusterId());
        doc.put("action", r.action().name());
        doc.put("exit_code", r.exitCode().code());
        doc.put("message", r.message());
        doc.put("regions", r.regions().stream().map(RewrapView::region).toList());
        if (r.status() != null) {
            doc.put("status", r.status().status().name());
        }
        return doc;
    }

    private static Map<String, Object> region(Rewrap.RegionDecision d) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("region", d.region());
        out.put("uri", d.spec().uri());
        out.put("kms_newest_version_at", time(d.kmsNewest()));
        out.put("cockroach_took_key_at", time(d.cockroachTook()));
        out.put("submitted", d.submit());
        out.put("reason", d.reason());
        return out;
    }

    static List<String> lines(Rewrap.Result r) {
        List<String> lines = new ArrayList<>();
        lines.add(line(r));
        for (Rewrap.RegionDecision d : r.regions()) {
            lines.add(String.format(
                    "  %-24s %-9s %s%s",
                    d.region(),
                    d.submit() ? "re-wrap" : "as is",
                    d.reason(),
                    d.kmsNewest() == null
                            ? ""
                            : " (KMS newest " + time(d.kmsNewest()) + ", CockroachDB took it " + time(d.cockroachTook())
                                    + ")"));
        }
        return lines;
    }

    /** One line per cluster: what happened and why. */
    static String line(Rewrap.Result r) {
        return r.clusterId() + ": " + r.action().name().toLowerCase().replace('_', ' ') + " (" + r.message() + ")";
    }

    static Map<String, Object> document(Rewrap.AllResult all) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("clusters", all.clusters().stream().map(RewrapView::document).toList());
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("total", all.summary().total());
        summary.put("rewrapped", all.summary().rewrapped());
        summary.put("submitted", all.summary().submitted());
        summary.put("would_rewrap", all.summary().wouldRewrap());
        summary.put("nothing_rotated", all.summary().nothingRotated());
        summary.put("skipped", all.summary().skipped());
        summary.put("failed", all.summary().failed());
        doc.put("summary", summary);
        doc.put("elapsed_seconds", all.elapsed().toMillis() / 1000.0);
        return doc;
    }

    static List<String> lines(Rewrap.AllResult all) {
        List<String> lines = new ArrayList<>();
        all.clusters().forEach(r -> lines.add(line(r)));
        Rewrap.Summary s = all.summary();
        lines.add(s.total() + " clusters: " + s.rewrapped() + " re-wrapped, " + s.submitted() + " submitted, "
                + s.wouldRewrap() + " would re-wrap, " + s.nothingRotated() + " not rotated since, " + s.skipped()
                + " skipped, " + s.failed() + " failed, in " + all.elapsed().toSeconds() + " s");
        return lines;
    }

    private static String time(Instant t) {
        return t == null ? null : t.toString();
    }
}
