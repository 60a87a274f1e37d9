package dev.cmek.cli;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.cmek.ExitCode;
import dev.cmek.core.Change;
import dev.cmek.model.RegionSpec;
import dev.cmek.workflow.CloudKeys;
import dev.cmek.workflow.ClusterTarget;
import java.util.ArrayList;
import java.util.List;

/** A provisioning report (or plan) as a JSON document and as text lines. */
final class ProvisionView {

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Document(
            @JsonProperty("cluster_id") String clusterId,
            @JsonProperty("cloud") String cloud,
            @JsonProperty("dry_run") boolean dryRun,
            @JsonProperty("blocked") boolean blocked,
            @JsonProperty("changed") boolean changed,
            @JsonProperty("manifest_file") String manifestFile,
            @JsonProperty("changes") List<Change> changes,
            @JsonProperty("region_specs") List<RegionSpec> regionSpecs) {}

    private ProvisionView() {}

    static Document document(
            ClusterTarget target, CloudKeys.ProvisionReport report, boolean dryRun, String manifestFile) {
        return new Document(
                target.clusterId(),
                target.cloud().name(),
                dryRun,
                report.blocked(),
                report.changedAnything(),
                manifestFile,
                report.changes(),
                report.specs());
    }

    /** Prints a plan; exit 3 when something blocks provisioning, as `cmek plan` documents. */
    static ExitCode printPlan(Report report, ClusterTarget target, CloudKeys.ProvisionReport plan) {
        Document doc = document(target, plan, true, null);
        return report.result(
                doc,
                lines(doc),
                plan.blocked() ? ExitCode.REJECTED : ExitCode.OK,
                "provisioning cluster " + target.clusterId()
                        + " is blocked: a resource with our name is not ours (see the changes marked blocked)");
    }

    static List<String> lines(Document doc) {
        List<String> lines = new ArrayList<>();
        lines.add((doc.dryRun() ? "plan for" : "provisioned") + " cluster " + doc.clusterId() + " on " + doc.cloud()
                + (doc.blocked()
                        ? " (BLOCKED: see below)"
                        : doc.changed() ? "" : doc.dryRun() ? "" : ": nothing to change"));
        for (Change c : doc.changes()) {
            lines.add(String.format(
                    "  %-13s %-24s %-16s %s%s",
                    c.action().name().toLowerCase().replace('_', ' '),
                    c.type(),
                    c.region() == null ? "" : c.region(),
                    c.resource(),
                    c.detail().isEmpty() ? "" : "  (" + c.detail() + ")"));
        }
        lines.add(doc.dryRun() ? "key specs it would give CockroachDB:" : "key specs:");
        for (RegionSpec s : doc.regionSpecs()) {
            lines.add(String.format(
                    "  %-24s %s as %s",
                    s.region(),
                    s.keySpec().uri().isEmpty()
                            ? "(new key; KMS assigns its ARN at creation)"
                            : s.keySpec().uri(),
                    s.keySpec().authPrincipal()));
        }
        if (doc.manifestFile() != null) {
            lines.add("manifest written to " + doc.manifestFile());
        }
        return lines;
    }
}
