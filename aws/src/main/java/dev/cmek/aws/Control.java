package dev.cmek.aws;

/**
 * The security controls {@code verify} evaluates per region, by the stable names the orchestrator reports them under
 * (the GCP adapter has the same names).
 */
public enum Control {
    /** The key can be used: Enabled, not pending deletion or import (a cluster outage waiting to happen otherwise). */
    KEY_USABLE,
    /** Automatic rotation on (AWS Security Hub KMS.4, AWS Config cmk-backing-key-rotation-enabled). */
    KEY_ROTATION,
    /** No statement of the key policy allows a wildcard principal without a condition (AWS Security Hub KMS.5). */
    NO_PUBLIC_ACCESS,
    /** Our statement grants exactly the cluster's role exactly the five documented actions, and nothing more to it. */
    EXACT_GRANT,
    /** The role exists, is ours, and trusts only the cluster's account. */
    PRINCIPAL_TRUST,
    /** Every statement that lets someone assume the role requires the organization id as external id. */
    EXTERNAL_ID,
    /** No other key tagged for the cluster, one CockroachDB never used, still grants the role. */
    NO_ORPHAN_GRANTS
}
