package dev.cmek.gcp;

import java.util.regex.Pattern;

/** An IAM policy member such as {@code serviceAccount:x@p.iam.gserviceaccount.com}. */
public record Member(String value) {
    private static final Pattern FORM =
            Pattern.compile("(user|serviceAccount|group|domain|principal|principalSet):[^\\s]+");

    public Member {
        if (value == null || !FORM.matcher(value).matches()) {
            throw new InvalidInputException("Not an IAM member (type:id): " + value);
        }
    }

    public static Member of(String value) {
        return new Member(value);
    }

    public static Member serviceAccount(ServiceAccountEmail email) {
        return new Member("serviceAccount:" + email.value());
    }

    /** CockroachDB's identity for a cluster: {@code crl-kms-user-<last 12 of cluster id>@<cluster account_id>}. */
    public static Member cockroachIdentity(ClusterId cluster, String clusterAccountId) {
        return serviceAccount(ServiceAccountEmail.of(CmekNames.cockroachIdentityId(cluster), clusterAccountId));
    }

    @Override
    public String toString() {
        return value;
    }
}
