package dev.cmek.cli;

import dev.cmek.core.Control;
import dev.cmek.core.ControlResult;
import dev.cmek.core.Verdict;
import dev.cmek.model.CloudProvider;
import dev.cmek.workflow.Audit;
import java.util.List;
import java.util.Map;

/**
 * The audit as one self-contained XHTML page for security reviewers: a summary, the failures with their fixes, and a
 * matrix of clusters x regions x controls with PASS / FAIL / N/A marks (each cell's evidence in its tooltip). Inline CSS
 * only: no script, and nothing is loaded from the network. Well-formed XML, so tools (and tests) can parse it.
 */
final class AuditReport {
    private static final List<Control> COLUMNS = List.of(Control.values());

    private AuditReport() {}

    static String html(Audit.Result result) {
        StringBuilder h = new StringBuilder();
        Map<String, Integer> s = result.summary();
        h.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE html>\n")
                .append("<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\"><head>")
                .append("<meta charset=\"UTF-8\"/>")
                .append("<title>CMEK audit of organization ")
                .append(esc(result.organizationId()))
                .append("</title><style>")
                .append(CSS)
                .append("</style></head><body>");
        h.append("<h1>CMEK audit</h1><p class=\"meta\">Organization <code>")
                .append(esc(result.organizationId()))
                .append("</code>, audited ")
                .append(esc(result.at().toString().substring(0, 19).replace('T', ' ')))
                .append(" UTC by <code>cmek audit</code>.</p>");
        h.append("<div id=\"summary\" class=\"cards\">");
        card(h, "clusters", "Clusters", s.get("clusters"), "");
        card(h, "with_cmek", "With CMEK", s.get("with_cmek"), "");
        card(
                h,
                "clusters_failing",
                "Failing",
                s.get("clusters_failing"),
                s.get("clusters_failing") > 0 ? "bad" : "good");
        card(
                h,
                "cloud_not_reachable",
                "Not reachable",
                s.get("cloud_not_reachable"),
                s.get("cloud_not_reachable") > 0 ? "warn" : "");
        card(h, "controls_pass", "Controls PASS", s.get("controls_pass"), "good");
        card(h, "controls_fail", "Controls FAIL", s.get("controls_fail"), s.get("controls_fail") > 0 ? "bad" : "good");
        card(h, "controls_not_applicable", "Controls N/A", s.get("controls_not_applicable"), "");
        h.append("</div>");

        h.append("<h2>Failures</h2>");
        boolean any = false;
        h.append("<ul id=\"failures\">");
        for (Audit.ClusterRow c : result.clusters()) {
            for (Audit.RegionRow r : c.regions()) {
                for (ControlResult x : r.controls()) {
                    if (x.failed()) {
                        any = true;
                        h.append("<li><b>")
                                .append(esc(c.name()))
                                .append("</b> ")
                                .append(esc(r.region()))
                                .append(" <code>")
                                .append(esc(x.control().id()))
                                .append("</code>: ")
                                .append(esc(String.join("; ", x.evidence())));
                        if (x.fix() != null) {
                            h.append("<br/><span class=\"fix\">Fix: ")
                                    .append(esc(x.fix()))
                                    .append("</span>");
                        }
                        h.append("</li>");
                    }
                }
            }
        }
        if (!any) {
            h.append("<li class=\"none\">No control failed.</li>");
        }
        h.append("</ul>");

        h.append("<h2>Clusters \u00d7 regions \u00d7 controls</h2>");
        h.append("<table id=\"matrix\"><thead><tr><th>Cluster</th><th>Cloud</th><th>Region</th>")
                .append("<th>CockroachDB</th><th>Newest key version</th>");
        for (Control c : COLUMNS) {
            h.append("<th class=\"ctl\" title=\"")
                    .append(esc(c.title()))
                    .append("\">")
                    .append(esc(c.id()))
                    .append("</th>");
        }
        h.append("</tr></thead><tbody>");
        for (Audit.ClusterRow c : result.clusters()) {
            if (!c.cmek() || c.regions().isEmpty()) {
                h.append("<tr class=\"nocmek\" data-cluster=\"")
                        .append(esc(c.id()))
                        .append("\">");
                clusterCells(h, c, 1);
                h.append("<td>\u2013</td><td>")
                        .append(esc(
                                c.cmekStatus() == null
                                        ? "\u2013"
                                        : c.cmekStatus().name()))
                        .append("</td><td>\u2013</td><td class=\"note\" colspan=\"")
                        .append(COLUMNS.size())
                        .append("\">")
                        .append(esc(c.note() == null ? "no CMEK" : c.note()))
                        .append("</td></tr>");
                continue;
            }
            boolean first = true;
            for (Audit.RegionRow r : c.regions()) {
                h.append("<tr data-cluster=\"")
                        .append(esc(c.id()))
                        .append("\" data-region=\"")
                        .append(esc(r.region()))
                        .append("\">");
                if (first) {
                    clusterCells(h, c, c.regions().size());
                    first = false;
                }
                Long age = AuditView.ageDays(r.newestKeyVersion(), result.at());
                h.append("<td>").append(esc(r.region())).append("</td>");
                h.append("<td class=\"")
                        .append(r.status().name().equals("ENABLED") ? "pass" : "fail")
                        .append("\">")
                        .append(esc(r.status().name()))
                        .append("</td>");
                h.append("<td title=\"")
                        .append(esc(r.key()))
                        .append("\">")
                        .append(age == null ? "\u2013" : age + " days")
                        .append("</td>");
                for (Control col : COLUMNS) {
                    ControlResult x = r.controls().stream()
                            .filter(k -> k.control() == col)
                            .findFirst()
                            .orElse(null);
                    if (x == null) {
                        h.append("<td class=\"na\" data-control=\"")
                                .append(col.id())
                                .append("\">\u2013</td>");
                        continue;
                    }
                    String cls = x.verdict() == Verdict.PASS ? "pass" : x.verdict() == Verdict.FAIL ? "fail" : "na";
                    String mark = x.verdict() == Verdict.PASS
                            ? "\u2714 PASS"
                            : x.verdict() == Verdict.FAIL ? "\u2718 FAIL" : "N/A";
                    h.append("<td class=\"")
                            .append(cls)
                            .append("\" data-control=\"")
                            .append(col.id())
                            .append("\" data-verdict=\"")
                            .append(x.verdict().shown())
                            .append("\" title=\"")
                            .append(esc(
                                    String.join("; ", x.evidence()) + (x.fix() == null ? "" : " | Fix: " + x.fix())))
                            .append("\">")
                            .append(mark)
                            .append("</td>");
                }
                h.append("</tr>");
            }
        }
        h.append("</tbody></table>");

        h.append("<h2>The controls</h2><table id=\"legend\"><thead><tr><th>Id</th><th>Control</th><th>Passes when</th>")
                .append("<th>AWS references</th><th>GCP references</th><th>Azure references</th></tr></thead><tbody>");
        for (Control c : COLUMNS) {
            h.append("<tr><td><code>")
                    .append(esc(c.id()))
                    .append("</code></td><td>")
                    .append(esc(c.title()))
                    .append("</td><td>")
                    .append(esc(c.asks()))
                    .append("</td><td>")
                    .append(esc(String.join("; ", ControlReferences.of(c, CloudProvider.AWS))))
                    .append("</td><td>")
                    .append(esc(String.join("; ", ControlReferences.of(c, CloudProvider.GCP))))
                    .append("</td><td>")
                    .append(esc(String.join("; ", ControlReferences.of(c, CloudProvider.AZURE))))
                    .append("</td></tr>");
        }
        h.append("</tbody></table><p class=\"meta\">Hover a cell for its evidence and fix. `cmek verify --cluster ID`")
                .append(" shows the same for one cluster; `cmek rotate --rewrap --if-rotated --all` makes CockroachDB")
                .append(" take the newest key versions.</p></body></html>\n");
        return h.toString();
    }

    private static void clusterCells(StringBuilder h, Audit.ClusterRow c, int rows) {
        h.append("<td class=\"cluster\" rowspan=\"")
                .append(rows)
                .append("\"><b>")
                .append(esc(c.name()))
                .append("</b><br/><small>")
                .append(esc(c.id()))
                .append("</small>");
        if (c.notReachable() != null) {
            h.append("<br/><small class=\"warn\">not reachable: ")
                    .append(esc(c.notReachable()))
                    .append("</small>");
        }
        h.append("</td><td rowspan=\"")
                .append(rows)
                .append("\">")
                .append(esc(c.cloud().name()))
                .append("</td>");
    }

    private static void card(StringBuilder h, String id, String label, int value, String cls) {
        h.append("<div class=\"card ")
                .append(cls)
                .append("\" data-summary=\"")
                .append(id)
                .append("\"><div class=\"n\">")
                .append(value)
                .append("</div><div class=\"l\">")
                .append(esc(label))
                .append("</div></div>");
    }

    static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(s.length());
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> {
                    if (ch < 0x20 && ch != '\n' && ch != '\t') {
                        out.append(' ');
                    } else {
                        out.append(ch);
                    }
                }
            }
        }
        return out.toString();
    }

    private static final String CSS = "body{font:14px/1.45 -apple-system,'Segoe UI',Helvetica,Arial,sans-serif;"
            + "margin:24px;color:#1d2330;background:#fafbfc}h1{margin:0 0 4px}h2{margin-top:28px}"
            + ".meta{color:#5b6475}code{background:#eef0f4;padding:1px 4px;border-radius:3px}"
            + ".cards{display:flex;flex-wrap:wrap;gap:12px;margin:16px 0}.card{background:#fff;border:1px solid #dde1e8;"
            + "border-radius:8px;padding:12px 18px;min-width:120px}.card .n{font-size:28px;font-weight:600}"
            + ".card .l{color:#5b6475}.card.good .n{color:#1a7f37}.card.bad .n{color:#cf222e}.card.warn .n{color:#9a6700}"
            + "#failures li{margin:6px 0}#failures .fix{color:#0b5cad}#failures .none{color:#1a7f37}"
            + "table{border-collapse:collapse;background:#fff;margin-top:8px}th,td{border:1px solid #dde1e8;"
            + "padding:5px 8px;vertical-align:top}th{background:#f1f3f7;position:sticky;top:0}"
            + "th.ctl{writing-mode:vertical-rl;transform:rotate(180deg);white-space:nowrap;font-weight:500}"
            + "td.pass{background:#dafbe1;color:#116329;text-align:center}td.fail{background:#ffebe9;color:#a40e26;"
            + "text-align:center;font-weight:600}td.na{background:#f6f8fa;color:#6e7781;text-align:center}"
            + "tr.nocmek td{color:#6e7781}td.note{font-style:italic}small{color:#5b6475}small.warn{color:#9a6700}"
            + "#legend td{max-width:420px}";
}
