package dev.cmek.cli;

import dev.cmek.CmekException;
import dev.cmek.ExitCode;
import dev.cmek.OutputPath;
import dev.cmek.model.ClusterIdRule;
import dev.cmek.workflow.AccountRevocation;
import dev.cmek.workflow.BreachResponse;
import dev.cmek.workflow.EvidenceFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "restore",
        description = {
            "After a revocation: put back exactly the grants that `cmek revoke` removed, check them, and print what to tell CockroachDB support.",
            "%nIt checks the whole record before writing anything and refuses, with exit 2, anything cmek would not have granted. Restoring the grants does not bring the cluster back by itself: CockroachDB support has to. See `man cmek-restore`."
        },
        footer = {
            "",
            "Examples:",
            "  cmek restore --evidence incident-42/",
            "  cmek restore --evidence incident-42/ --cluster 3a0c...e1 --account 111122223333",
            "  cmek verify --cluster 3a0c...e1"
        })
final class RestoreCommand extends BaseCommand {
    @Option(
            names = "--evidence",
            required = true,
            paramLabel = "DIR",
            description =
                    "The evidence directory (or its revocation.json) that revoke wrote, or the directory of `revoke --all-using` with its index.json.")
    Path evidence;

    @Option(
            names = "--cluster",
            paramLabel = "ID",
            description = "Restore only if the record is for this cluster (refused otherwise, nothing written).")
    String cluster;

    @Option(
            names = "--account",
            paramLabel = "ACCOUNT",
            description =
                    "Restore only if the record's grants are in this AWS account id, GCP project or Azure subscription (AWS also checks the credentials' own account).")
    String account;

    @Option(
            names = "--azure-crypto-officer",
            description =
                    "Azure: also put back Key Vault Crypto Officer on a whole vault, the broader role provision grants only with --azure-crypto-officer; without this a record holding it is refused.")
    boolean azureCryptoOfficer;

    RestoreCommand(Terminal terminal) {
        super(terminal);
    }

    @Override
    ExitCode execute() {
        if (cluster != null) {
            ClusterIdRule.check(cluster);
        }
        Path index = Files.isDirectory(evidence) ? evidence.resolve(AccountRevocation.INDEX) : null;
        boolean many =
                index != null && Files.isRegularFile(index) && !Files.exists(evidence.resolve(EvidenceFile.FILE_NAME));
        List<Path> records = many ? AccountRevocation.evidenceOf(index) : List.of(evidence);
        // Restore records what it did in the evidence: that must be writable before any grant is put back.
        for (Path dir : records) {
            Path record = Files.isDirectory(dir) ? dir.resolve(EvidenceFile.FILE_NAME) : dir;
            if (Files.exists(record)) {
                OutputPath.checkFile(record, "--evidence", EvidenceFile.FILE_NAME);
            }
        }
        CloudOptions options = CloudOptions.forExistingKeys();
        options.azureCryptoOfficer = azureCryptoOfficer;
        try (CloudKeysFactory keys =
                new CloudKeysFactory(options, terminal.env(), options.propagationBound, report()::progress)) {
            // Restore reads the evidence and works in the cloud only: it never calls the Cloud API, so it needs no
            // API key, and gets no client.
            BreachResponse breach = new BreachResponse(null, null, keys, Clock.systemUTC(), report()::progress);
            if (!many) {
                return print(breach.restore(evidence, Optional.ofNullable(cluster), Optional.ofNullable(account)));
            }
            return printAll(breach, records);
        }
    }

    private ExitCode print(BreachResponse.RestoreOutcome outcome) {
        Map<String, Object> doc = document(outcome);
        List<String> lines = lines(outcome);
        ExitCode code = outcome.exitCode();
        if (code == ExitCode.OK) {
            // A restore not checked against the cluster (the Cloud API down) has no verify report to name.
            report().result(doc, lines);
            return code;
        }
        return report().result(
                        doc,
                        lines,
                        code,
                        !outcome.couldNot().isEmpty()
                                ? outcome.couldNot().size() + " grant(s) of cluster " + outcome.clusterId()
                                        + " could not be put back: " + String.join("; ", outcome.couldNot())
                                : "the grants of cluster " + outcome.clusterId()
                                        + " are back, but controls failed: "
                                        + VerifyView.failedControls(outcome.verify()));
    }

    /** One restore per cluster of the index; one that cannot be restored does not stop the others. */
    private ExitCode printAll(BreachResponse breach, List<Path> records) {
        List<Map<String, Object>> clusters = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        ExitCode first = ExitCode.OK;
        List<String> incomplete = new ArrayList<>();
        for (Path dir : records) {
            Map<String, Object> doc;
            ExitCode code;
            try {
                BreachResponse.RestoreOutcome outcome =
                        breach.restore(dir, Optional.ofNullable(cluster), Optional.ofNullable(account));
                doc = document(outcome);
                lines.addAll(lines(outcome));
                code = outcome.exitCode();
            } catch (BreachResponse.NothingToRestore e) {
                doc = new LinkedHashMap<>();
                doc.put("evidence", dir.toString());
                doc.put("restored", List.of());
                doc.put("warnings", List.of(Report.plain(e.getMessage())));
                lines.add("nothing to restore in " + dir + ": no grant was removed there");
                code = ExitCode.OK;
            } catch (CmekException e) {
                doc = new LinkedHashMap<>();
                doc.put("evidence", dir.toString());
                doc.put(
                        "error",
                        Main.errorDocument(e.exitCode(), Report.plain(e.getMessage()))
                                .get("error"));
                lines.add("NOT RESTORED " + dir + ": " + Report.plain(e.getMessage()));
                code = e.exitCode();
            }
            doc.put("exit_code", code.code());
            clusters.add(doc);
            lines.add("");
            if (first == ExitCode.OK) {
                first = code;
            }
            if (code != ExitCode.OK) {
                incomplete.add(dir + " (exit " + code.code() + ")");
            }
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("index", evidence.resolve(AccountRevocation.INDEX).toString());
        doc.put("clusters", clusters);
        return report().result(
                        doc,
                        lines,
                        first,
                        "not every cluster was restored completely: " + String.join("; ", incomplete));
    }

    private static Map<String, Object> document(BreachResponse.RestoreOutcome outcome) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("cluster_id", outcome.clusterId());
        doc.put("organization_id", outcome.organizationId());
        doc.put("revoked_at", outcome.revokedAt());
        doc.put("restored", outcome.restored());
        doc.put("could_not", outcome.couldNot());
        doc.put("warnings", outcome.warnings());
        doc.put("verified", outcome.verify() != null && outcome.verify().ok());
        if (outcome.verify() != null) {
            doc.put("verify", VerifyView.document(outcome.verify()));
        }
        doc.put("support_note", outcome.supportNote());
        return doc;
    }

    private static List<String> lines(BreachResponse.RestoreOutcome outcome) {
        List<String> lines = new ArrayList<>();
        lines.add("restored the grants of cluster " + outcome.clusterId() + ":");
        outcome.restored().forEach(r -> lines.add("  " + r));
        outcome.couldNot().forEach(c -> lines.add("  COULD NOT: " + c));
        outcome.warnings().forEach(w -> lines.add("  warning: " + w));
        if (outcome.verify() != null) {
            if (outcome.verify().ok()) {
                lines.add("verified: every region's grant is back as intended");
            } else {
                lines.add("verification found problems:");
                lines.addAll(VerifyView.lines(outcome.verify()));
            }
        }
        lines.add("");
        lines.add(outcome.supportNote());
        return lines;
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
