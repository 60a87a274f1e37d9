package dev.cmek.gcp;

import java.time.Instant;
import java.util.List;

/**
 * What a revocation removed, when and by whom, with each policy before and after; {@link GcpCmek#restore} puts back
 * exactly {@code removed}. Serialisable with Jackson (register {@code JavaTimeModule} for the instants).
 *
 * @param serviceAccountDisabled true when this revocation disabled the account (restore then enables it again)
 */
public record RevocationRecord(
        String clusterId,
        String serviceAccount,
        String cockroachMember,
        String revokedBy,
        Instant startedAt,
        Instant finishedAt,
        boolean serviceAccountDisabled,
        List<PolicyRevocation> policies) {

    public RevocationRecord {
        policies = List.copyOf(policies);
    }

    /** One IAM policy touched: a crypto key's (with the regions using it) or the service account's. */
    public record PolicyRevocation(
            String resource,
            Target target,
            List<String> regions,
            PolicyDocument before,
            PolicyDocument after,
            List<Grant> removed) {
        public enum Target {
            CRYPTO_KEY,
            SERVICE_ACCOUNT
        }

        public PolicyRevocation {
            regions = List.copyOf(regions);
            removed = List.copyOf(removed);
        }
    }
}
