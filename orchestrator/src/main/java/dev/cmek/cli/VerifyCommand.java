package dev.cmek.cli;

import dev.cmek.ExitCode;
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
            "%nControls: key_usable, key_rotation, key_recoverable (Azure: soft delete and purge protection), no_public_access, exact_grant, principal_trust, external_id (AWS), crdb_status, no_orphan_grants. Read-only; exits 7 when any control fails. See `man cmek-verify` for what each checks."
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
                        "verification found failed controls in cluster " + cluster.id + ": "
                                + VerifyView.failedControls(verify));
    }
}
