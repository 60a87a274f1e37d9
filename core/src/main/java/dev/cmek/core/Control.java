package dev.cmek.core;

/**
 * The security controls {@code verify} and {@code audit} report per region, in this order, under ids that never change
 * (scripts and reviewers key on them). Each adapter evaluates the ones that concern its cloud.
 */
public enum Control {
    KEY_USABLE(
            "key_usable",
            "The key is usable",
            "Enabled; not pending deletion or import; no version scheduled for destruction. Azure: the current"
                    + " version and the one CockroachDB uses enabled, RSA with encrypt and decrypt, valid now and not"
                    + " expiring within 30 days. Anything else is a cluster outage waiting to happen."),
    KEY_ROTATION(
            "key_rotation",
            "Automatic rotation on, within the period",
            "AWS: automatic key rotation enabled. GCP: a rotation period of at most 90 days with a next rotation"
                    + " time. Azure: a rotation policy that rotates the key at most 365 days after each version is"
                    + " made."),
    KEY_RECOVERABLE(
            "key_recoverable",
            "A deleted key can be recovered",
            "Azure: the vault has soft delete and purge protection on (CIS Azure: Key Vault is recoverable), so a"
                    + " deleted key is never lost for good. Not a setting on AWS or GCP, where no key can be purged"
                    + " at once."),
    NO_PUBLIC_ACCESS(
            "no_public_access",
            "No public or wildcard principal on the key",
            "No statement allows \"*\" without a condition (AWS); no allUsers or allAuthenticatedUsers on the key or"
                    + " its key ring (GCP). Not applicable on Azure: CockroachDB reaches the vault over its public"
                    + " endpoint, and who may use the key is Azure RBAC's, checked under exact_grant."),
    EXACT_GRANT(
            "exact_grant",
            "The grant is exactly the documented one",
            "AWS: the cluster's role holds exactly kms:Encrypt, kms:Decrypt, kms:GenerateDataKey*, kms:DescribeKey and"
                    + " kms:ReEncrypt*. GCP: the service account holds exactly"
                    + " roles/cloudkms.cryptoKeyEncrypterDecrypter, and no one else can use the key through the key,"
                    + " its key ring or the project. Azure: the cluster app's service principal holds exactly Key"
                    + " Vault Crypto User on the key, no broader role reaches it from the vault, resource group or"
                    + " subscription, no one else holds a key-use role on the key, and the vault uses RBAC."),
    PRINCIPAL_TRUST(
            "principal_trust",
            "Only the cluster can reach the principal",
            "AWS: the role exists, is ours and trusts only the cluster's account. GCP: the service account exists, is"
                    + " enabled and ours, and only the cluster's CockroachDB identity can create tokens for it. Azure:"
                    + " the service principal exists, is the cluster app's and may sign in."),
    EXTERNAL_ID(
            "external_id",
            "The role requires the organization id as external id",
            "Every statement that lets the role be assumed requires sts:ExternalId = the CockroachDB Cloud"
                    + " organization id (the confused-deputy guard). Not applicable on GCP and Azure."),
    CRDB_STATUS(
            "crdb_status",
            "CockroachDB reports the region ENABLED",
            "CockroachDB Cloud's CMEK status for the region is ENABLED."),
    NO_ORPHAN_GRANTS(
            "no_orphan_grants",
            "No orphan key of ours still granted",
            "No key tagged (AWS) or labelled (GCP) for the cluster, or in a vault of ours for it (Azure), that"
                    + " CockroachDB never used still grants its principal; keys it used before are listed.");

    private final String id;
    private final String title;
    private final String asks;

    Control(String id, String title, String asks) {
        this.id = id;
        this.title = title;
        this.asks = asks;
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
}
