package dev.cmek.cli;

import dev.cmek.ExitCode;
import dev.cmek.core.ControlResult;
import dev.cmek.workflow.CloudKeys;
import dev.cmek.workflow.ClusterTarget;
import dev.cmek.workflow.CmekLifecycle;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
        name = "verify",
        description = {
            "Report, per region, each security control by a stable id with PASS, FAIL or N/A, the evidence read, and for a failure the fix.",
            "%nReads the live key specs and CMEK status from the Cloud API and the live keys and policies from your cloud. Controls: key_usable (enabled; not pending deletion or import; no version scheduled for destruction), key_rotation (AWS Security Hub KMS.4; CIS GCP 1.10: at most 90 days), no_public_access (AWS KMS.5; CIS GCP 1.9), exact_grant (exactly the five KMS actions / the encrypter-decrypter role), principal_trust (only the cluster can reach the role or service account), external_id (the role requires the organization id; AWS only), crdb_status (CockroachDB reports the region ENABLED) and no_orphan_grants (no key of the cluster CockroachDB never used still grants it). Read-only. Exits 7 when any control fails."
        },
        footer = {"", "Examples:", "  cmek verify --cluster 3a0c...e1 --output json && echo grants ok"})
final class VerifyCommand extends CloudCommand {
    @Mixin
    ClusterOption cluster;

    @Override
    CloudOptions cloudOptions() {
        return CloudOptions.forExistingKeys();
    }

    VerifyCommand(Terminal terminal) {
        super(terminal);
    }

    @Override
    ExitCode run() {
        ClusterTarget target = provisioning().existingTarget(cluster.id);
        CloudKeys.VerifyReport verify =
                provisioning().verify(target, CmekLifecycle.statusOrDisabled(api(), cluster.id));
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("cluster_id", cluster.id);
        doc.put("cloud", target.cloud().name());
        doc.putAll(VerifyView.document(verify));
        List<String> lines = new ArrayList<>();
        lines.add("cluster " + cluster.id + " on " + target.cloud() + ": "
                + (verify.ok() ? "every control passes in every region" : "CONTROLS FAILED"));
        lines.addAll(VerifyView.lines(verify));
        return report().result(
                        doc,
                        lines,
                        verify.ok() ? ExitCode.OK : ExitCode.VERIFY_FAILED,
                        "verification found failed controls: "
                                + String.join(
                                        ", ",
                                        verify.regions().values().stream()
                                                .flatMap(r -> r.controls().stream())
                                                .filter(ControlResult::failed)
                                                .map(c -> c.control().id())
                                                .distinct()
                                                .toList())
                                + " (see above)");
    }
}
