package dev.cmek.workflow;

import java.util.List;

/**
 * The security controls {@code cmek verify} and {@code cmek audit} report per region, under ids that never change
 * (scripts and reviewers key on them), with what each asks and the benchmarks it answers to on each cloud.
 */
public enum Control {
    KEY_USABLE(
            "key_usable",
            "The key is usable",
            "Enabled; not pending deletion or import; no version scheduled for destruction. Anything else is a"
                    + " cluster outage waiting to happen.",
            List.of("https://docs.aws.amazon.com/kms/latest/developerguide/key-state.html"),
            List.of("https://cloud.google.com/kms/docs/destroy-restore")),
    KEY_ROTATION(
            "key_rotation",
            "Automatic rotation on, within the period",
            "AWS: automatic key rotation enabled. GCP: a rotation period of at most 90 days with a next rotation time.",
            List.of(
                    "AWS Security Hub KMS.4 https://docs.aws.amazon.com/securityhub/latest/userguide/kms-controls.html#kms-4",
                    "AWS Config cmk-backing-key-rotation-enabled"
                            + " https://docs.aws.amazon.com/config/latest/developerguide/cmk-backing-key-rotation-enabled.html"),
            List.of(
                    "CIS Google Cloud Platform Foundation Benchmark 1.10 https://cloud.google.com/kms/docs/key-rotation")),
    NO_PUBLIC_ACCESS(
            "no_public_access",
            "No public or wildcard principal on the key",
            "No statement allows \"*\" without a condition (AWS); no allUsers or allAuthenticatedUsers on the key or"
                    + " its key ring (GCP).",
            List.of(
                    "AWS Security Hub KMS.5 https://docs.aws.amazon.com/securityhub/latest/userguide/kms-controls.html#kms-5"),
            List.of("CIS Google Cloud Platform Foundation Benchmark 1.9 https://cloud.google.com/kms/docs/iam")),
    EXACT_GRANT(
            "exact_grant",
            "The grant is exactly the documented one",
            "AWS: the cluster's role holds exactly kms:Encrypt, kms:Decrypt, kms:GenerateDataKey*, kms:DescribeKey and"
                    + " kms:ReEncrypt*. GCP: the service account holds exactly roles/cloudkms.cryptoKeyEncrypterDecrypter,"
                    + " and no one else can use the key through the key, its key ring or the project.",
            List.of("https://www.cockroachlabs.com/docs/cockroachcloud/managing-cmek"),
            List.of("https://www.cockroachlabs.com/docs/cockroachcloud/managing-cmek")),
    PRINCIPAL_TRUST(
            "principal_trust",
            "Only the cluster can reach the principal",
            "AWS: the role exists, is ours and trusts only the cluster's account. GCP: the service account exists, is"
                    + " enabled and ours, and only the cluster's CockroachDB identity can create tokens for it.",
            List.of("https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_common-scenarios_third-party.html"),
            List.of("https://cloud.google.com/iam/docs/service-account-impersonation")),
    EXTERNAL_ID(
            "external_id",
            "The role requires the organization id as external id",
            "Every statement that lets the role be assumed requires sts:ExternalId = the CockroachDB Cloud"
                    + " organization id (the confused-deputy guard). Not applicable on GCP.",
            List.of("https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html"),
            List.of()),
    CRDB_STATUS(
            "crdb_status",
            "CockroachDB reports the region ENABLED",
            "CockroachDB Cloud's CMEK status for the region is ENABLED.",
            List.of("https://www.cockroachlabs.com/docs/api/cloud/v1#get-/api/v1/clusters/-cluster_id-/cmek"),
            List.of("https://www.cockroachlabs.com/docs/api/cloud/v1#get-/api/v1/clusters/-cluster_id-/cmek")),
    NO_ORPHAN_GRANTS(
            "no_orphan_grants",
            "No orphan key of ours still granted",
            "No key tagged (AWS) or labelled (GCP) for the cluster that CockroachDB never used still grants its"
                    + " principal; keys it used before are listed.",
            List.of(),
            List.of());

    private final String id;
    private final String title;
    private final String asks;
    private final List<String> awsReferences;
    private final List<String> gcpReferences;

    Control(String id, String title, String asks, List<String> awsReferences, List<String> gcpReferences) {
        this.id = id;
        this.title = title;
        this.asks = asks;
        this.awsReferences = awsReferences;
        this.gcpReferences = gcpReferences;
    }

    /** The stable id: snake_case, never renamed. */
    public String id() {
        return id;
    }

    public String title() {
        return title;
    }

    /** What passing means, in one or two sentences. */
    public String asks() {
        return asks;
    }

    public List<String> references(dev.cmek.model.CloudProvider cloud) {
        return cloud == dev.cmek.model.CloudProvider.GCP ? gcpReferences : awsReferences;
    }

    /** A verdict. */
    public enum Verdict {
        PASS("PASS"),
        FAIL("FAIL"),
        NOT_APPLICABLE("N/A");

        private final String shown;

        Verdict(String shown) {
            this.shown = shown;
        }

        /** PASS, FAIL or N/A, as text and JSON show it. */
        public String shown() {
            return shown;
        }
    }

    /**
     * One control's verdict in one region, with the evidence read and, for a failure, the fix.
     *
     * @param fix the command or step that makes it pass; null unless it failed
     */
    public record Check(Control control, Verdict verdict, List<String> evidence, String fix) {
        public Check {
            evidence = List.copyOf(evidence);
        }

        public boolean failed() {
            return verdict == Verdict.FAIL;
        }
    }
}
