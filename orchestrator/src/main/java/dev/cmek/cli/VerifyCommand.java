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
            "Check, per region, that CockroachDB's principal can use the key the cluster uses and that nothing broader is granted.",
            "%nReads the live key specs from the Cloud API and the live policies from your cloud: on AWS the role's trust (only the cluster's account, with the organization id as external id) and each key policy (exactly the five KMS actions, no wildcard principal); on GCP the key's and the service account's bindings. Read-only. Exits 7 when anything is missing or broader than intended."
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
                + (verify.ok() ? "every region's grant is exactly as intended" : "PROBLEMS FOUND"));
        lines.addAll(VerifyView.lines(verify));
        return report().result(
                        doc,
                        lines,
                        verify.ok() ? ExitCode.OK : ExitCode.VERIFY_FAILED,
                        "verification found a grant missing or broader than intended (see above)");
    }
}
