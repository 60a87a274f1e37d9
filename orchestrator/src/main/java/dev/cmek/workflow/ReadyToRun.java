package dev.cmek.workflow;

import dev.cmek.core.Change;
import dev.cmek.core.ControlResult;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Hints as commands one can paste: the adapters and workflows name a fix as {@code `cmek provision
 * --aws-repair-drift`}, without the cluster they do not know of; where the cluster is known, its id goes in ({@code
 * `cmek provision --cluster ID --aws-repair-drift`}).
 */
public final class ReadyToRun {
    /** A cmek command that takes --cluster, quoted in backticks, and what follows it up to the closing backtick. */
    private static final Pattern HINT =
            Pattern.compile("`cmek (plan|provision|enable|status|verify|rotate|add-region|revoke)((?: [^`]*)?)`");

    private ReadyToRun() {}

    /** {@code text} with {@code --cluster clusterId} in each quoted cmek command that names no cluster yet. */
    public static String forCluster(String text, String clusterId) {
        if (text == null || clusterId == null || clusterId.isBlank()) {
            return text;
        }
        Matcher m = HINT.matcher(text);
        return m.replaceAll(hint -> {
            String rest = hint.group(2);
            String command = rest.contains("--cluster") || rest.contains("--all")
                    ? hint.group()
                    : "`cmek " + hint.group(1) + " --cluster " + clusterId + rest + "`";
            return Matcher.quoteReplacement(command);
        });
    }

    static ControlResult forCluster(ControlResult c, String clusterId) {
        return new ControlResult(
                c.control(),
                c.verdict(),
                c.evidence().stream().map(e -> forCluster(e, clusterId)).toList(),
                forCluster(c.fix(), clusterId));
    }

    static CloudKeys.VerifyReport forCluster(CloudKeys.VerifyReport report, String clusterId) {
        Map<String, CloudKeys.VerifyReport.RegionControls> regions = new LinkedHashMap<>();
        report.regions()
                .forEach((region, r) -> regions.put(
                        region,
                        new CloudKeys.VerifyReport.RegionControls(
                                r.key(),
                                r.controls().stream()
                                        .map(c -> forCluster(c, clusterId))
                                        .toList(),
                                r.newestKeyVersion())));
        return new CloudKeys.VerifyReport(report.principal(), regions, report.notChecked());
    }

    static CloudKeys.ProvisionReport forCluster(CloudKeys.ProvisionReport report, String clusterId) {
        List<Change> changes = report.changes().stream()
                .map(c -> new Change(c.type(), c.resource(), c.region(), c.action(), forCluster(c.detail(), clusterId)))
                .toList();
        return new CloudKeys.ProvisionReport(report.specs(), changes);
    }
}
