package dev.cmek.sandbox;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cmek.aws.AccountId;
import dev.cmek.aws.AwsClients;
import dev.cmek.aws.AwsCmek;
import dev.cmek.aws.AwsCmekRequest;
import dev.cmek.aws.ClusterId;
import dev.cmek.aws.ExternalId;
import dev.cmek.aws.KeyArn;
import dev.cmek.aws.KeyPlacement;
import dev.cmek.aws.VerifyReport;
import dev.cmek.azure.emulator.AzureEmulator;
import dev.cmek.azure.emulator.EmulatorViews;
import dev.cmek.core.Control;
import dev.cmek.core.ControlResult;
import dev.cmek.gcp.emulator.GcpEmulator;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import software.amazon.awssdk.regions.Region;

/**
 * Key checks that look at the customer's cloud the way CockroachDB would before it uses a key: on AWS (moto) the role
 * must trust the cluster's account with the organization id as external id and the key policy must grant that role;
 * on GCP (the emulator) CockroachDB's identity must be able to impersonate the service account, which must be able
 * to use the key, once IAM changes have propagated; on Azure (the emulator) the cluster's app must get a token in the
 * customer's tenant and encrypt and decrypt with the key version, once RBAC has propagated.
 */
public final class CloudKeyChecks {
    private CloudKeyChecks() {}

    /** Dispatches on the key type; a type without a check passes. */
    public static KeySpecCheck of(Optional<KeySpecCheck> aws, Optional<KeySpecCheck> gcp) {
        return of(aws, gcp, Optional.empty());
    }

    /** Dispatches on the key type, Azure's too; a type without a check passes. */
    public static KeySpecCheck of(
            Optional<KeySpecCheck> aws, Optional<KeySpecCheck> gcp, Optional<KeySpecCheck> azure) {
        return new KeySpecCheck() {
            @Override
            public Optional<String> check(ClusterFacts cluster, RegionKey key) {
                return of(key).map(c -> c.check(cluster, key)).orElse(Optional.empty());
            }

            @Override
            public Optional<String> newestVersion(ClusterFacts cluster, RegionKey key) {
                return of(key).flatMap(c -> c.newestVersion(cluster, key));
            }

            private Optional<KeySpecCheck> of(RegionKey key) {
                return switch (key.type()) {
                    case "AWS_KMS" -> aws;
                    case "GCP_CLOUD_KMS" -> gcp;
                    case "AZURE_KEY_VAULT" -> azure;
                    default -> Optional.empty();
                };
            }
        };
    }

    /** What decides whether CockroachDB can reach a key now; rotation and orphan keys do not. */
    private static final Set<Control> ACCESS = EnumSet.of(
            Control.KEY_USABLE,
            Control.NO_PUBLIC_ACCESS,
            Control.EXACT_GRANT,
            Control.PRINCIPAL_TRUST,
            Control.EXTERNAL_ID);

    /**
     * AWS: reads the role and key policy with the toolkit's verification, which knows grants made the way the toolkit
     * makes them (its role name and statement id for the cluster).
     */
    public static KeySpecCheck aws(AwsClients clients) {
        AwsCmek aws = new AwsCmek(clients);
        return new KeySpecCheck() {
            @Override
            public Optional<String> check(ClusterFacts cluster, RegionKey key) {
                KeyArn arn = KeyArn.of(key.uri());
                AwsCmekRequest request = AwsCmekRequest.of(
                                ClusterId.of(cluster.clusterId()),
                                AccountId.of(cluster.accountId()),
                                ExternalId.of(cluster.organizationId()),
                                List.of(Region.of(key.region())))
                        .withPlacement(KeyPlacement.existing(Map.of(key.region(), arn)));
                VerifyReport report = aws.verify(request);
                List<String> problems = new ArrayList<>(failures(report.principalControls()));
                if (report.role() == null || !report.role().toString().equals(key.authPrincipal())) {
                    problems.add("role " + key.authPrincipal() + " is not the role that trusts cluster "
                            + cluster.clusterId());
                }
                report.regions().values().forEach(check -> problems.addAll(failures(check.controls())));
                return problems.isEmpty()
                        ? Optional.empty()
                        : Optional.of("AccessDenied: cannot use key " + key.uri() + " as " + key.authPrincipal() + ": "
                                + String.join("; ", problems));
            }

            @Override
            public Optional<String> newestVersion(ClusterFacts cluster, RegionKey key) {
                return aws.newestKeyVersion(KeyArn.of(key.uri())).map(Instant::toString);
            }
        };
    }

    private static List<String> failures(List<ControlResult> controls) {
        return controls.stream()
                .filter(c -> c.failed() && ACCESS.contains(c.control()))
                .flatMap(c -> c.evidence().stream())
                .distinct()
                .toList();
    }

    /** GCP: CockroachDB's identity for the cluster is {@code crl-kms-user-<last 12 of the id>@<account_id>.iam.gserviceaccount.com}. */
    public static KeySpecCheck gcp(GcpEmulator emulator) {
        return new KeySpecCheck() {
            @Override
            public Optional<String> check(ClusterFacts cluster, RegionKey key) {
                String id = cluster.clusterId();
                String member = "serviceAccount:crl-kms-user-" + id.substring(id.length() - 12) + "@"
                        + cluster.accountId() + ".iam.gserviceaccount.com";
                if (emulator.canImpersonateAndUse(member, key.authPrincipal(), key.uri())) {
                    return Optional.empty();
                }
                return Optional.of("permission denied: " + member + " cannot impersonate " + key.authPrincipal()
                        + " to use key " + key.uri()
                        + " (missing binding, disabled service account, or IAM not propagated yet)");
            }

            @Override
            public Optional<String> newestVersion(ClusterFacts cluster, RegionKey key) {
                return emulator.primaryVersion(key.uri());
            }
        };
    }

    /**
     * Azure (the emulator): CockroachDB signs in as the cluster's multi-tenant app ("CockroachDB Cloud - <cluster id>",
     * client id {@code azure_cluster_identity_client_id}) in the tenant the key spec names, then encrypts and decrypts
     * with the version the URI names. The app is registered in the emulator's CockroachDB tenant on first use, as
     * CockroachDB registers it when it makes the cluster; {@link #registerAzureApps} does it ahead for provisioning.
     */
    public static KeySpecCheck azure(AzureEmulator emulator) {
        AzureKeyAccess access = new AzureKeyAccess(emulator);
        return new KeySpecCheck() {
            @Override
            public Optional<String> check(ClusterFacts cluster, RegionKey key) {
                String app = cluster.azureClusterIdentityClientId();
                if (app == null) {
                    return Optional.of("cluster " + cluster.clusterId() + " has no azure_cluster_identity_client_id");
                }
                return access.problem(cluster.clusterId(), app, key.authPrincipal(), key.uri())
                        .map(problem -> "permission denied: app " + app + " (CockroachDB Cloud - "
                                + cluster.clusterId() + ") cannot use key " + key.uri() + " in tenant "
                                + key.authPrincipal() + ": " + problem
                                + " (no service principal in the tenant, sign-in disabled, no role on the key, or"
                                + " RBAC not propagated yet)");
            }

            /** CockroachDB wraps with exactly the version the URI names, not the key's newest. */
            @Override
            public Optional<String> newestVersion(ClusterFacts cluster, RegionKey key) {
                return access.version(key.uri());
            }
        };
    }

    /**
     * Registers each Azure cluster's app in the emulator's CockroachDB tenant (idempotent; a {@link AzureEmulator#reset}
     * forgets them): what an admin's consent, or the toolkit's provisioning, needs to find. Returns cluster id to the
     * app's credentials.
     */
    public static Map<String, EmulatorViews.ClientCredentials> registerAzureApps(
            AzureEmulator emulator, SandboxConfig config) {
        Map<String, EmulatorViews.ClientCredentials> apps = new LinkedHashMap<>();
        for (ObjectNode cluster : config.clusters()) {
            if (cluster.hasNonNull(SandboxConfig.AZURE_CLIENT_ID)) {
                String id = cluster.get("id").asText();
                apps.put(
                        id,
                        registerAzureApp(
                                emulator,
                                id,
                                cluster.get(SandboxConfig.AZURE_CLIENT_ID).asText()));
            }
        }
        return apps;
    }

    /** Registers one cluster's app ("CockroachDB Cloud - <cluster id>") unless it is there; its credentials. */
    public static EmulatorViews.ClientCredentials registerAzureApp(
            AzureEmulator emulator, String clusterId, String clientId) {
        return AzureKeyAccess.registerApp(emulator, clusterId, clientId);
    }
}
