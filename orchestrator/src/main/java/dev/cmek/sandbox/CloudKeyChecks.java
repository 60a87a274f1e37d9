package dev.cmek.sandbox;

import dev.cmek.aws.AccountId;
import dev.cmek.aws.AwsClients;
import dev.cmek.aws.AwsCmek;
import dev.cmek.aws.ClusterId;
import dev.cmek.aws.CmekRequest;
import dev.cmek.aws.ExternalId;
import dev.cmek.aws.KeyArn;
import dev.cmek.aws.KeyPlacement;
import dev.cmek.aws.VerifyReport;
import dev.cmek.gcp.emulator.GcpEmulator;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.regions.Region;

/**
 * Key checks that look at the customer's cloud the way CockroachDB would before it uses a key: on AWS (moto) the role
 * must trust the cluster's account with the organization id as external id and the key policy must grant that role;
 * on GCP (the emulator) CockroachDB's identity must be able to impersonate the service account, which must be able
 * to use the key, once IAM changes have propagated.
 */
public final class CloudKeyChecks {
    private CloudKeyChecks() {}

    /** Dispatches on the key type; a type without a check passes. */
    public static KeySpecCheck of(Optional<KeySpecCheck> aws, Optional<KeySpecCheck> gcp) {
        return (cluster, key) -> switch (key.type()) {
            case "AWS_KMS" -> aws.map(c -> c.check(cluster, key)).orElse(Optional.empty());
            case "GCP_CLOUD_KMS" -> gcp.map(c -> c.check(cluster, key)).orElse(Optional.empty());
            default -> Optional.empty();
        };
    }

    /**
     * AWS: reads the role and key policy with the toolkit's verification, which knows grants made the way the toolkit
     * makes them (its role name and statement id for the cluster).
     */
    public static KeySpecCheck aws(AwsClients clients) {
        AwsCmek aws = new AwsCmek(clients);
        return (cluster, key) -> {
            KeyArn arn = KeyArn.of(key.uri());
            CmekRequest request = CmekRequest.of(
                            ClusterId.of(cluster.clusterId()),
                            AccountId.of(cluster.accountId()),
                            ExternalId.of(cluster.organizationId()),
                            List.of(Region.of(key.region())))
                    .withPlacement(KeyPlacement.existing(Map.of(key.region(), arn)));
            VerifyReport report = aws.verify(request);
            List<String> problems = new ArrayList<>(report.roleFindings());
            if (report.role() == null || !report.role().toString().equals(key.authPrincipal())) {
                problems.add(
                        "role " + key.authPrincipal() + " is not the role that trusts cluster " + cluster.clusterId());
            }
            report.regions().values().forEach(check -> problems.addAll(check.findings()));
            return problems.isEmpty()
                    ? Optional.empty()
                    : Optional.of("AccessDenied: cannot use key " + key.uri() + " as " + key.authPrincipal() + ": "
                            + String.join("; ", problems));
        };
    }

    /** GCP: CockroachDB's identity for the cluster is {@code crl-kms-user-<last 12 of the id>@<account_id>.iam.gserviceaccount.com}. */
    public static KeySpecCheck gcp(GcpEmulator emulator) {
        return (cluster, key) -> {
            String id = cluster.clusterId();
            String member = "serviceAccount:crl-kms-user-" + id.substring(id.length() - 12) + "@" + cluster.accountId()
                    + ".iam.gserviceaccount.com";
            if (emulator.canImpersonateAndUse(member, key.authPrincipal(), key.uri())) {
                return Optional.empty();
            }
            return Optional.of(
                    "permission denied: " + member + " cannot impersonate " + key.authPrincipal() + " to use key "
                            + key.uri() + " (missing binding, disabled service account, or IAM not propagated yet)");
        };
    }
}
