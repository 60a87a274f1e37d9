package dev.cmek.gcp;

import java.util.List;
import java.util.Optional;

/**
 * What restore puts back: the intents a revocation kept, for the cluster and projects they must belong to.
 *
 * @param cockroachAccountId the cluster's account CockroachDB's identity lives in; empty when the revocation did not
 *     read the Cloud API (then the member is still held to {@code crl-kms-user-<last 12>@...}, and reported)
 * @param customerProject the project the record's service account and keys must be in, when named by the user
 */
public record RestoreRequest(
        ClusterId clusterId,
        Optional<String> cockroachAccountId,
        Optional<String> customerProject,
        List<RevocationRecord.Intent> intents,
        int maxPolicyAttempts) {
    public RestoreRequest {
        intents = List.copyOf(intents);
    }

    /** Restores what {@code record} removed, for the cluster account of {@code request}. */
    public static RestoreRequest of(RevocationRecord record, GcpCmekRequest request) {
        String member = request.cockroachMember().value();
        return new RestoreRequest(
                ClusterId.of(record.clusterId()),
                Optional.of(member.substring(
                        member.indexOf('@') + 1, member.length() - ".iam.gserviceaccount.com".length())),
                Optional.of(request.customerProject()),
                record.intents(),
                request.maxPolicyAttempts());
    }
}
