package dev.cmek.terraform;

import dev.cmek.workflow.ClusterTarget;
import java.util.List;

/** {@code DIR/README.md}: what the export holds and how to apply it. */
final class Readme {
    private Readme() {}

    static String text(ClusterTarget target, String cloudDir, List<String> imports) {
        String id = target.clusterId();
        boolean aws = cloudDir.equals("aws");
        boolean azure = cloudDir.equals("azure");
        long cloudImports =
                imports.stream().filter(i -> i.startsWith(cloudDir + "/")).count();
        boolean cockroachImport = imports.stream().anyMatch(i -> i.startsWith("cockroach/"));
        String provider = aws
                ? "`hashicorp/aws` " + AwsConfiguration.PROVIDER_VERSION
                : azure
                        ? "`hashicorp/azurerm` " + AzureConfiguration.AZURERM_VERSION + ", `hashicorp/azuread` "
                                + AzureConfiguration.AZUREAD_VERSION
                        : "`hashicorp/google` " + GcpConfiguration.PROVIDER_VERSION;
        String what = aws
                ? "the cross-account role CockroachDB assumes (trusted only by the cluster's account "
                        + target.accountId() + ", with your organization id as external id, no permission policy),"
                        + " and a KMS key per region whose policy keeps your account's administration and grants the"
                        + " role exactly `kms:Encrypt kms:Decrypt kms:GenerateDataKey* kms:DescribeKey kms:ReEncrypt*`;"
                        + " automatic rotation; an alias per region"
                : azure
                        ? "the service principal of CockroachDB's app " + target.accountId() + " for the cluster in"
                                + " your tenant, a Key Vault per region (RBAC, soft delete, purge protection) with an"
                                + " RSA key and its rotation policy, and one role assignment on each key for that"
                                + " service principal"
                        : "the service account CockroachDB's identity may impersonate (its one binding: token creator),"
                                + " a key ring and crypto key per location with automatic rotation, and the account's"
                                + " encrypter/decrypter binding on each key";
        String credentials = aws
                ? "your AWS credentials (the provider's usual chain: environment, `AWS_PROFILE`, SSO, a role)"
                : azure
                        ? "your Azure credentials (`az login`, or `ARM_CLIENT_ID` and its secret or certificate) and"
                                + " the rights `cmek provision` needs: Owner (or Contributor with User Access"
                                + " Administrator), Key Vault Crypto Officer held before the run (keys are made in"
                                + " RBAC vaults), and Application.ReadWrite.All or an administrator's consent for the"
                                + " service principal"
                        : "your Google credentials (`gcloud auth application-default login`, or"
                                + " `GOOGLE_APPLICATION_CREDENTIALS`)";
        StringBuilder b = new StringBuilder();
        b.append("# CMEK for cluster ").append(id).append(" in Terraform\n\n");
        b.append("Written by `cmek export terraform --cluster ")
                .append(id)
                .append(
                        "`: exactly what `cmek provision` makes for this cluster, with the same names, tags, labels and")
                .append(
                        " statement ids. `cmek provision` over what Terraform makes creates nothing, and `cmek verify`,")
                .append(" `revoke`, `restore`, `rotate` and `audit` work on it unchanged.\n\n");
        b.append("| directory | what | provider |\n|---|---|---|\n");
        b.append("| `")
                .append(cloudDir)
                .append("/` | ")
                .append(what)
                .append(" | ")
                .append(provider)
                .append(" |\n");
        b.append("| `cockroach/` | `cockroach_cmek`: CMEK on for the cluster, every region with its key (what `cmek")
                .append(" enable` does) | `cockroachdb/cockroach` ")
                .append(CockroachConfiguration.PROVIDER_VERSION)
                .append(" |\n\n");
        b.append("Terraform 1.5 or later.\n\n");
        b.append("## Apply\n\n");
        b.append("1. The keys and the principal, with ").append(credentials).append(":\n\n");
        b.append("       cd ").append(cloudDir).append("\n       terraform init\n");
        b.append(
                cloudImports > 0
                        ? "       terraform plan    # " + cloudImports
                                + " to import, 0 to add, 0 to change, 0 to destroy\n"
                        : "       terraform plan\n");
        b.append("       terraform apply\n\n");
        b.append("2. CMEK on the cluster, with a CockroachDB Cloud service account API key (`CLUSTER_ADMIN` or")
                .append(" `CLUSTER_OPERATOR_WRITER`) in the environment, never in a file:\n\n");
        b.append("       export COCKROACH_API_KEY=...\n       cd ../cockroach\n       terraform init\n");
        b.append(
                cockroachImport
                        ? "       terraform plan    # CMEK is on already: 1 to import, and no change\n"
                        : "       terraform plan\n");
        b.append("       terraform apply\n\n");
        b.append("   It reads every region's key spec from the `cmek_regions` output of `../")
                .append(cloudDir)
                .append("/terraform.tfstate`. If `")
                .append(cloudDir)
                .append("/` keeps its state elsewhere, set `keys_state_backend` and `keys_state_config` (for S3:")
                .append(" `{ bucket = \"...\", key = \"...\", region = \"...\" }`). Or leave this directory out and")
                .append(" run `cmek enable --cluster ")
                .append(id)
                .append(" --provision`, which then makes nothing and submits the same key specs.\n\n");
        b.append("3. Check: `cmek verify --cluster ").append(id).append("`.\n\n");
        b.append("## Adopting what exists\n\n");
        b.append(
                imports.isEmpty()
                        ? "This export has no `imports.tf`: nothing was found to adopt, or it was made without"
                                + " `--import`. `cmek export terraform --import` adds an `import` block for each"
                                + " resource that exists, so that Terraform takes it over instead of making another.\n\n"
                        : "`imports.tf` adopts what exists (" + String.join(", ", imports) + "): the plan lists"
                                + " the imports and no other change while the resources are as cmek made them."
                                + " After `terraform apply` the files may be deleted.\n\n");
        b.append("## Before you rely on it\n\n");
        b.append("- Keys carry `prevent_destroy`: Terraform never schedules their deletion. A deleted key is data")
                .append(" lost for good, CockroachDB's included; keep it that way.\n");
        b.append("- After a breach revocation (`cmek revoke`), stop whatever applies `")
                .append(cloudDir)
                .append("/`: to Terraform the removed ")
                .append(
                        aws
                                ? "trust and grant are"
                                : azure ? "role assignments and sign-in switch are" : "bindings are")
                .append(" drift, and its next apply puts them back. Put them back with `cmek restore`, then")
                .append(" apply again.\n");
        b.append("- Rotate with automatic rotation (set here) or `cmek rotate --new-version`: the keys stay the")
                .append(" same. `cmek rotate --new-key` makes keys this configuration does not hold, and applying")
                .append(" `cockroach/` afterwards would move CockroachDB back to these.\n");
        b.append("- New principals take a while to reach the KMS: the CockroachDB provider retries enabling for up to")
                .append(" 10 minutes while CockroachDB cannot use a key yet.\n");
        return b.toString();
    }
}
