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
            @JsonProperty("region_specs") List<RegionSpec> regionSpecs,
            @JsonProperty("then") String then) {}

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
                report.specs(),
                null);
    }

    /** Prints a plan; exit 3 when something blocks provisioning, as `cmek plan` documents. */
    static ExitCode printPlan(Report report, ClusterTarget target, CloudKeys.ProvisionReport plan) {
        return printPlan(report, target, plan, java.util.Optional.empty());
    }

    /** As {@link #printPlan(Report, ClusterTarget, CloudKeys.ProvisionReport)}, with what would be done next. */
    static ExitCode printPlan(
            Report report, ClusterTarget target, CloudKeys.ProvisionReport plan, java.util.Optional<String> then) {
        Document base = document(target, plan, true, null);
        Document doc = new Document(
                base.clusterId(),
                base.cloud(),
                base.dryRun(),
                base.blocked(),
                base.changed(),
                base.manifestFile(),
                base.changes(),
                base.regionSpecs(),
                then.orElse(null));
        return report.result(
                doc,
                lines(doc),
                plan.blocked() ? ExitCode.REJECTED : ExitCode.OK,
                "provisioning cluster " + target.clusterId() + " is blocked: "
                        + plan.changes().stream()
                                .filter(c -> c.action() == Change.Action.BLOCKED)
                                .map(c -> c.resource() + " (" + c.detail() + ")")
                                .collect(java.util.stream.Collectors.joining("; ")));
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
        if (doc.then() != null) {
            lines.add("then: " + doc.then());
        }
        return lines;
    }
}
