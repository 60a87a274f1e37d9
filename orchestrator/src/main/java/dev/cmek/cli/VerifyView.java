package dev.cmek.cli;

import dev.cmek.workflow.CloudKeys;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A verification report as a JSON document (snake_case, as every document) and as text lines. */
final class VerifyView {
    private VerifyView() {}

    static Map<String, Object> document(CloudKeys.VerifyReport verify) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("ok", verify.ok());
        doc.put("principal_findings", verify.principalFindings());
        Map<String, Object> regions = new LinkedHashMap<>();
        verify.regions().forEach((region, check) -> {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("key", check.key());
            r.put("ok", check.ok());
            r.put("findings", check.findings());
            regions.put(region, r);
        });
        doc.put("regions", regions);
        doc.put("not_checked", verify.notChecked());
        return doc;
    }

    static List<String> lines(CloudKeys.VerifyReport verify) {
        List<String> lines = new ArrayList<>();
        verify.principalFindings().forEach(f -> lines.add("  principal: " + f));
        verify.regions().forEach((region, check) -> {
            lines.add(String.format("  %-24s %-4s %s", region, check.ok() ? "ok" : "FAIL", check.key()));
            check.findings().forEach(f -> lines.add("  " + " ".repeat(24) + "      " + f));
        });
        verify.notChecked().forEach(n -> lines.add("  not checked: " + n));
        return lines;
    }
}
