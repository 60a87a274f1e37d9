package dev.cmek.cli;

import dev.cmek.ExitCode;
import dev.cmek.OutputPath;
import dev.cmek.aws.CmekRequest;
import dev.cmek.workflow.BreachResponse;
import dev.cmek.workflow.EvidenceFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
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
final class RestoreCommand extends BaseCommand {
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
    ExitCode execute() {
        // Restore records what it did in the evidence: that must be writable before any grant is put back.
        Path record = Files.isDirectory(evidence) ? evidence.resolve(EvidenceFile.FILE_NAME) : evidence;
        if (Files.exists(record)) {
            OutputPath.checkFile(record, "--evidence", EvidenceFile.FILE_NAME);
        }
        try (CloudKeysFactory keys = new CloudKeysFactory(
                CloudOptions.forExistingKeys(),
                terminal.env(),
                CmekRequest.DEFAULT_PROPAGATION_BOUND,
                report()::progress)) {
            // Restore reads the evidence and works in the cloud only: it never calls the Cloud API, so it needs no
            // API key, and gets no client.
            BreachResponse breach = new BreachResponse(null, null, keys, Clock.systemUTC(), report()::progress);
            return print(breach.restore(evidence));
        }
    }

    private ExitCode print(BreachResponse.RestoreOutcome outcome) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("cluster_id", outcome.clusterId());
        doc.put("organization_id", outcome.organizationId());
        doc.put("revoked_at", outcome.revokedAt());
        doc.put("restored", outcome.restored());
        doc.put("warnings", outcome.warnings());
        doc.put("verified", outcome.verify().ok());
        doc.put("verify", VerifyView.document(outcome.verify()));
        doc.put("support_note", outcome.supportNote());
        List<String> lines = new ArrayList<>();
        lines.add("restored the grants of cluster " + outcome.clusterId() + ":");
        outcome.restored().forEach(r -> lines.add("  " + r));
        outcome.warnings().forEach(w -> lines.add("  warning: " + w));
        if (outcome.verify().ok()) {
            lines.add("verified: every region's grant is back as intended");
        } else {
            lines.add("verification found problems:");
            lines.addAll(VerifyView.lines(outcome.verify()));
        }
        lines.add("");
        lines.add(outcome.supportNote());
        return report().result(
                        doc,
                        lines,
                        outcome.verify().ok() ? ExitCode.OK : ExitCode.VERIFY_FAILED,
                        "the grants are back, but verification found problems (see above)");
    }

    @Override
    Interruption.Notice interruptNotice() {
        return new Interruption.Notice(
                "restoring the grants recorded in " + evidence,
                "some grants may be back already; running the same restore again puts back only what is still"
                        + " missing",
                Interruption.steps("to finish", sameCommand()));
    }
}
