package dev.cmek.terraform;

import static dev.cmek.terraform.Hcl.raw;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code DIR/cockroach}: the CockroachDB provider's {@code cockroach_cmek} resource for the cluster, with every region's
 * key spec read from the cloud directory's {@code cmek_regions} output through {@code terraform_remote_state}: what
 * {@code cmek enable} submits, for a team that enables CMEK in Terraform too. With {@code importing} and CMEK already on,
 * an {@code import} block adopts it.
 */
final class CockroachConfiguration {
    /** The CockroachDB provider; its cockroach_cmek resource enables CMEK and imports by cluster id. */
    static final String PROVIDER_VERSION = "~> 1.12";

    static final String RESOURCE = "cockroach_cmek.this";

    private final String clusterId;
    private final String cloudDirectory;
    private final boolean importing;

    /** @param importing whether CMEK is on for the cluster and an import was asked */
    CockroachConfiguration(String clusterId, String cloudDirectory, boolean importing) {
        this.clusterId = clusterId;
        this.cloudDirectory = cloudDirectory;
        this.importing = importing;
    }

    Map<String, String> files() {
        Map<String, String> files = new LinkedHashMap<>();
        files.put(
                "versions.tf",
                Hcl.file(b -> TerraformFiles.versions(b, "cockroach", "cockroachdb/cockroach", PROVIDER_VERSION)));
        files.put("providers.tf", Hcl.file(b -> {
            b.comment("The API key comes from COCKROACH_API_KEY (and the server, if not the default, from");
            b.comment("COCKROACH_SERVER): never write it in a file.");
            b.block("provider", List.of("cockroach"), p -> {});
        }));
        files.put("variables.tf", Hcl.file(this::variables));
        files.put("main.tf", Hcl.file(this::main));
        if (importing) {
            files.put("imports.tf", Hcl.file(b -> TerraformFiles.importBlocks(b, Map.of(RESOURCE, clusterId))));
        }
        return files;
    }

    List<String> imports() {
        return importing ? List.of(RESOURCE) : List.of();
    }

    private void variables(Hcl.Body file) {
        file.block(
                "variable",
                List.of("keys_state_backend"),
                v -> v.attr(
                                "description",
                                "The backend of the ../" + cloudDirectory
                                        + " configuration's state (local, s3, gcs, remote, ...).")
                        .attr("type", raw("string"))
                        .attr("default", "local"));
        file.blank();
        file.block(
                "variable",
                List.of("keys_state_config"),
                v -> v.attr(
                                "description",
                                "That backend's settings, as a terraform_remote_state data source takes them.")
                        .attr("type", raw("map(string)"))
                        .attr("default", Hcl.strings(Map.of("path", "../" + cloudDirectory + "/terraform.tfstate"))));
    }

    private void main(Hcl.Body file) {
        file.comment(
                "Every region's key and principal come from the ../" + cloudDirectory + " configuration's outputs:");
        file.comment("apply that one first.");
        file.block(
                "data",
                List.of("terraform_remote_state", "keys"),
                d -> d.attr("backend", raw("var.keys_state_backend")).attr("config", raw("var.keys_state_config")));
        file.blank();
        file.comment("What `cmek enable` submits: a key spec for every region of the cluster. CMEK cannot be turned");
        file.comment("off again; destroying this resource only forgets it.");
        file.block(
                "resource",
                List.of("cockroach_cmek", "this"),
                r -> r.attr("id", clusterId)
                        .attr(
                                "regions",
                                raw(String.join(
                                        "\n",
                                        "[",
                                        "  for r in data.terraform_remote_state.keys.outputs.cmek_regions : {",
                                        "    region = r.region",
                                        "    key = {",
                                        "      auth_principal = r.key.auth_principal",
                                        "      type           = r.key.type",
                                        "      uri            = r.key.uri",
                                        "    }",
                                        "  }",
                                        "]"))));
    }
}
