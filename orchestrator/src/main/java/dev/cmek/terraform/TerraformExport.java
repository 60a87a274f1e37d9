package dev.cmek.terraform;

import dev.cmek.CmekException;
import dev.cmek.api.CloudApi;
import dev.cmek.api.CmekClusterInfo;
import dev.cmek.api.CmekStatus;
import dev.cmek.core.Change;
import dev.cmek.model.KeySpec;
import dev.cmek.workflow.AwsKeys;
import dev.cmek.workflow.AzureKeys;
import dev.cmek.workflow.CloudKeys;
import dev.cmek.workflow.ClusterTarget;
import dev.cmek.workflow.CmekLifecycle;
import dev.cmek.workflow.GcpKeys;
import dev.cmek.workflow.Provisioning;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code cmek export terraform}: a Terraform configuration for exactly what provision makes (or would make) for one
 * cluster, and the {@code cockroach_cmek} resource that enables CMEK with it. Reads the cluster from the Cloud API and,
 * like {@code cmek plan}, what exists in the cloud (read only); writes nothing but the files, and those only once every
 * check passed.
 */
public final class TerraformExport {
    private final CloudApi api;
    private final Provisioning provisioning;

    public TerraformExport(CloudApi api, Provisioning provisioning) {
        this.api = api;
        this.provisioning = provisioning;
    }

    /**
     * What was written where.
     *
     * @param files every file written, relative to the directory, in order
     * @param imports every resource an {@code import} block adopts, as {@code directory/address}
     * @param notes what to know before applying: what already exists without --import, drift the apply puts back
     */
    public record Result(
            String clusterId,
            String cloud,
            Path directory,
            List<String> files,
            List<String> imports,
            List<String> notes) {
        public Result {
            files = List.copyOf(files);
            imports = List.copyOf(imports);
            notes = List.copyOf(notes);
        }
    }

    /**
     * Checks {@code out} (bad input unless new, empty, or {@code force}), reads the cluster and what exists, and writes
     * the configuration; with {@code importing}, {@code import} blocks for what exists (and for CMEK, when on).
     */
    public Result export(String clusterId, Path out, boolean importing, boolean force) {
        ExportDirectory directory = ExportDirectory.check(out, force);
        ClusterTarget target = provisioning.target(clusterId);
        CloudKeys keys = provisioning.keys(target.cloud());
        List<String> notes = new ArrayList<>();
        CloudConfiguration cloud;
        List<Change> changes;
        if (keys instanceof AwsKeys aws) {
            AwsKeys.Adoption adoption = aws.adoption(target);
            cloud = new AwsConfiguration(adoption, importing);
            changes = adoption.plan().changes();
        } else if (keys instanceof GcpKeys gcp) {
            GcpKeys.Adoption adoption = gcp.adoption(target);
            cloud = new GcpConfiguration(adoption, importing);
            changes = adoption.plan().changes();
        } else if (keys instanceof AzureKeys azure) {
            AzureKeys.Adoption adoption = azure.adoption(target);
            cloud = new AzureConfiguration(adoption, importing);
            changes = adoption.plan().changes();
        } else {
            throw new CmekException.InvalidInput("export terraform writes AWS, GCP and Azure configurations; cluster "
                    + clusterId + " is on " + target.cloud());
        }
        changes.stream()
                .filter(c -> c.action() == Change.Action.DRIFTED)
                .forEach(c -> notes.add("drifted: " + c + "; terraform apply puts it back as exported"));
        CmekClusterInfo cmek = importing ? CmekLifecycle.statusOrDisabled(api, clusterId) : null;
        boolean cmekOn = cmek != null && cmek.status() != CmekStatus.DISABLED;
        if (cmekOn) {
            notes.addAll(otherKeysInUse(cmek, cloud.keyUris()));
        }
        if (!importing && !cloud.existing().isEmpty()) {
            notes.add("already there: " + String.join(", ", cloud.existing())
                    + "; without --import, terraform apply makes new ones or fails on their names: export with"
                    + " --import to adopt them");
        }
        CockroachConfiguration cockroach = new CockroachConfiguration(clusterId, cloud.directory(), cmekOn);

        Map<String, String> files = new LinkedHashMap<>();
        List<String> imports = new ArrayList<>();
        cloud.files().forEach((name, text) -> files.put(cloud.directory() + "/" + name, text));
        cloud.imports().forEach(a -> imports.add(cloud.directory() + "/" + a));
        cockroach.files().forEach((name, text) -> files.put("cockroach/" + name, text));
        cockroach.imports().forEach(a -> imports.add("cockroach/" + a));
        Map<String, String> all = new LinkedHashMap<>();
        all.put("README.md", Readme.text(target, cloud.directory(), imports));
        all.putAll(files);
        directory.write(all);
        return new Result(
                target.clusterId(), target.cloud().name(), directory.root(), List.copyOf(all.keySet()), imports, notes);
    }

    /**
     * Regions where CockroachDB uses another key than the one the configuration holds (a key rotated to with
     * {@code cmek rotate --new-key}, say): applying {@code cockroach/} would move them back.
     */
    private static List<String> otherKeysInUse(CmekClusterInfo cmek, Map<String, String> exported) {
        List<String> out = new ArrayList<>();
        Map<String, KeySpec> live = CmekLifecycle.currentSpecs(cmek);
        live.forEach((region, spec) -> {
            String ours = exported.get(region);
            if (ours != null && !ours.equals(spec.uri())) {
                out.add("CockroachDB uses " + spec.uri() + " in " + region + ", not " + ours
                        + " which this configuration holds; applying cockroach/ would submit " + ours);
            }
        });
        return out;
    }
}
