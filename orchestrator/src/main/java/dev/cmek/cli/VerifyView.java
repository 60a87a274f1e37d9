package dev.cmek.cli;

import dev.cmek.core.ControlResult;
import dev.cmek.core.Verdict;
import dev.cmek.workflow.CloudKeys;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A verification report as a JSON document (snake_case, as every document) and as text lines: per region, each
 * control by its stable id with PASS, FAIL or N/A, its evidence, and for a failure the fix.
 */
final class VerifyView {
    private VerifyView() {}

    static Map<String, Object> document(CloudKeys.VerifyReport verify) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("ok", verify.ok());
        doc.put("principal", verify.principal());
        doc.put("summary", summary(verify));
        doc.put("principal_findings", verify.principalFindings());
        Map<String, Object> regions = new LinkedHashMap<>();
        verify.regions().forEach((region, check) -> {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("key", check.key());
            r.put("ok", check.ok());
            r.put(
                    "newest_key_version_at",
                    check.newestKeyVersion() == null
                            ? null
                            : check.newestKeyVersion().toString());
            r.put("controls", check.controls().stream().map(VerifyView::control).toList());
            r.put("findings", check.findings());
            regions.put(region, r);
        });
        doc.put("regions", regions);
        doc.put("not_checked", verify.notChecked());
        return doc;
    }

    static Map<String, Object> control(ControlResult c) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", c.control().id());
        out.put("title", c.control().title());
        out.put("verdict", c.verdict().shown());
        out.put("evidence", c.evidence());
        out.put("fix", c.fix());
        return out;
    }

    /**
     * Each failed control with the regions it failed in, e.g. {@code key_rotation (us-east-1); exact_grant (us-east-1,
     * us-west-2)}: what an error message names, so that it stands alone without the report above it.
     */
    static String failedControls(Map<String, List<ControlResult>> byRegion) {
        Map<String, List<String>> regions = new LinkedHashMap<>();
        byRegion.forEach((region, controls) -> controls.stream()
                .filter(ControlResult::failed)
                .forEach(c -> regions.computeIfAbsent(c.control().id(), id -> new ArrayList<>())
                        .add(region)));
        List<String> out = new ArrayList<>();
        regions.forEach((id, in) -> out.add(id + " (" + String.join(", ", in) + ")"));
        return String.join("; ", out);
    }

    static String failedControls(CloudKeys.VerifyReport verify) {
        Map<String, List<ControlResult>> byRegion = new LinkedHashMap<>();
        verify.regions().forEach((region, r) -> byRegion.put(region, r.controls()));
        return failedControls(byRegion);
    }

    /** Counts of PASS, FAIL and N/A over every region. */
    static Map<String, Integer> summary(CloudKeys.VerifyReport verify) {
        int[] counts = new int[Verdict.values().length];
        verify.regions()
                .values()
                .forEach(r -> r.controls().forEach(c -> counts[c.verdict().ordinal()]++));
        Map<String, Integer> out = new LinkedHashMap<>();
        out.put("pass", counts[Verdict.PASS.ordinal()]);
        out.put("fail", counts[Verdict.FAIL.ordinal()]);
        out.put("not_applicable", counts[Verdict.NOT_APPLICABLE.ordinal()]);
        return out;
    }

    static List<String> lines(CloudKeys.VerifyReport verify) {
        List<String> lines = new ArrayList<>();
        Map<String, Integer> s = summary(verify);
        lines.add("  principal " + (verify.principal().isEmpty() ? "(not found)" : verify.principal()) + "; controls: "
                + s.get("pass") + " PASS, " + s.get("fail") + " FAIL, " + s.get("not_applicable") + " N/A");
        verify.regions().forEach((region, check) -> {
            lines.add("  " + region + "  " + (check.ok() ? "ok" : "FAIL") + "  " + check.key()
                    + age(check.newestKeyVersion()));
            for (ControlResult c : check.controls()) {
                lines.add(String.format(
                        "    %-4s  %-17s %s", c.verdict().shown(), c.control().id(), String.join("; ", c.evidence())));
                if (c.fix() != null) {
                    lines.add("          " + " ".repeat(17) + " fix: " + c.fix());
                }
            }
        });
        verify.notChecked().forEach(n -> lines.add("  not checked: " + n));
        return lines;
    }

    private static String age(Instant newest) {
        return newest == null
                ? ""
                : "  (newest key version " + newest.toString().substring(0, 10) + ", "
                        + Duration.between(newest, Instant.now()).toDays() + " days old)";
    }
}
