package dev.cmek.gcp;

/**
 * The security controls {@code verify} evaluates per region, by the stable names the orchestrator reports them under
 * (the AWS adapter has the same names).
 */
public enum Control {
    /** The key can serve: fit for CMEK, an ENABLED primary, and no version scheduled for destruction. */
    KEY_USABLE,
    /** A rotation period of at most 90 days and a next rotation time (CIS GCP 1.10). */
    KEY_ROTATION,
    /** No allUsers or allAuthenticatedUsers on the key or its key ring (CIS GCP 1.9). */
    NO_PUBLIC_ACCESS,
    /** Our service account holds exactly encrypter/decrypter on the key, and no one else can use it through IAM. */
    EXACT_GRANT,
    /** The service account exists, is enabled and ours, and only the cluster's CockroachDB identity can impersonate it. */
    PRINCIPAL_TRUST,
    /** AWS's confused-deputy guard; on GCP the cluster's own identity is named instead (not applicable). */
    EXTERNAL_ID,
    /** No other key of the cluster, one CockroachDB never used, still grants our service account. */
    NO_ORPHAN_GRANTS
}
