package dev.cmek.cli;

import dev.cmek.core.Control;
import dev.cmek.model.CloudProvider;
import java.util.List;
import java.util.Map;

/** The published benchmarks and documents each control answers to, per cloud, for the audit report's legend. */
final class ControlReferences {
    private ControlReferences() {}

    private static final Map<Control, List<String>> AWS = Map.of(
            Control.KEY_USABLE,
            List.of("https://docs.aws.amazon.com/kms/latest/developerguide/key-state.html"),
            Control.KEY_ROTATION,
            List.of(
                    "AWS Security Hub KMS.4 https://docs.aws.amazon.com/securityhub/latest/userguide/kms-controls.html#kms-4",
                    "AWS Config cmk-backing-key-rotation-enabled"
                            + " https://docs.aws.amazon.com/config/latest/developerguide/cmk-backing-key-rotation-enabled.html"),
            Control.NO_PUBLIC_ACCESS,
            List.of(
                    "AWS Security Hub KMS.5 https://docs.aws.amazon.com/securityhub/latest/userguide/kms-controls.html#kms-5"),
            Control.EXACT_GRANT,
            List.of("https://www.cockroachlabs.com/docs/cockroachcloud/managing-cmek"),
            Control.PRINCIPAL_TRUST,
            List.of("https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_common-scenarios_third-party.html"),
            Control.EXTERNAL_ID,
            List.of("https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html"),
            Control.CRDB_STATUS,
            List.of("https://www.cockroachlabs.com/docs/api/cloud/v1#get-/api/v1/clusters/-cluster_id-/cmek"));

    private static final Map<Control, List<String>> GCP = Map.of(
            Control.KEY_USABLE,
            List.of("https://cloud.google.com/kms/docs/destroy-restore"),
            Control.KEY_ROTATION,
            List.of(
                    "CIS Google Cloud Platform Foundation Benchmark 1.10 https://cloud.google.com/kms/docs/key-rotation"),
            Control.NO_PUBLIC_ACCESS,
            List.of("CIS Google Cloud Platform Foundation Benchmark 1.9 https://cloud.google.com/kms/docs/iam"),
            Control.EXACT_GRANT,
            List.of("https://www.cockroachlabs.com/docs/cockroachcloud/managing-cmek"),
            Control.PRINCIPAL_TRUST,
            List.of("https://cloud.google.com/iam/docs/service-account-impersonation"),
            Control.CRDB_STATUS,
            List.of("https://www.cockroachlabs.com/docs/api/cloud/v1#get-/api/v1/clusters/-cluster_id-/cmek"));

    // CIS items by title: their numbers move between benchmark versions (8.5 in 2.1.0 is "recoverable").
    private static final Map<Control, List<String>> AZURE = Map.of(
            Control.KEY_USABLE,
            List.of("https://learn.microsoft.com/azure/key-vault/keys/about-keys-details"),
            Control.KEY_ROTATION,
            List.of(
                    "CIS Microsoft Azure Foundations Benchmark 2.1.0, \"Ensure Automatic Key Rotation is Enabled within"
                            + " Azure Key Vault\" https://learn.microsoft.com/azure/key-vault/keys/how-to-configure-key-rotation"),
            Control.KEY_RECOVERABLE,
            List.of("CIS Microsoft Azure Foundations Benchmark 2.1.0, 8.5 \"Ensure the Key Vault is Recoverable\""
                    + " https://learn.microsoft.com/azure/key-vault/general/soft-delete-overview"),
            Control.EXACT_GRANT,
            List.of(
                    "https://www.cockroachlabs.com/docs/cockroachcloud/managing-cmek",
                    "https://learn.microsoft.com/azure/key-vault/general/rbac-guide"),
            Control.PRINCIPAL_TRUST,
            List.of("https://learn.microsoft.com/entra/identity/enterprise-apps/grant-admin-consent"),
            Control.CRDB_STATUS,
            List.of("https://www.cockroachlabs.com/docs/api/cloud/v1#get-/api/v1/clusters/-cluster_id-/cmek"));

    /** What {@code control} answers to on {@code cloud}; empty when nothing is published for it. */
    static List<String> of(Control control, CloudProvider cloud) {
        Map<Control, List<String>> refs = switch (cloud) {
            case GCP -> GCP;
            case AZURE -> AZURE;
            default -> AWS;
        };
        return refs.getOrDefault(control, List.of());
    }
}
