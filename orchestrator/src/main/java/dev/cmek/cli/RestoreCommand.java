package dev.cmek.cli;

import dev.cmek.ExitCode;
import dev.cmek.workflow.BreachResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "restore",
        description = {
            "After a revocation: put back exactly the grants that `cmek revoke` removed, check them, and print what to tell CockroachDB support.",
            "%nReads the evidence directory revoke wrote. Changes made to the same policies since the revocation are kept. Restoring the grants does not bring the cluster back by itself: CockroachDB support has to, and nodes that restarted without key access need their help."
        },
        footer = {"", "Examples:", "  cmek restore --evidence incident-42/", "  cmek verify --cluster 3a0c...e1"})
final class RestoreCommand extends CloudCommand {
    @Option(
            names = "--evidence",
            required = true,
            paramLabel = "DIR",
            description = "The evidence directory (or its revocation.json) that revoke wrote.")
    Path evidence;

    RestoreCommand(Terminal terminal) {
        super(terminal);
    }

    @Override
    ExitCode run() {
        BreachResponse.RestoreOutcome outcome = breachResponse().restore(evidence);
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("cluster_id", outcome.clusterId());
        doc.put("organization_id", outcome.organizationId());
        doc.put("revoked_at", outcome.revokedAt());
        doc.put("restored", outcome.restored());
        doc.put("warnings", outcome.warnings());
        doc.put("verified", outcome.verify().ok());
        doc.put("verify", outcome.verify());
        doc.put("support_note", outcome.supportNote());
        List<String> lines = new ArrayList<>();
        lines.add("restored the grants of cluster " + outcome.clusterId() + ":");
        outcome.restored().forEach(r -> lines.add("  " + r));
        outcome.warnings().forEach(w -> lines.add("  warning: " + w));
        lines.add(
                outcome.verify().ok()
                        ? "verified: every region's grant is back as intended"
                        : "verification found problems: run `cmek verify` for details");
        lines.add("");
        lines.add(outcome.supportNote());
        report().result(doc, lines);
        return outcome.verify().ok() ? ExitCode.OK : ExitCode.VERIFY_FAILED;
    }
}
