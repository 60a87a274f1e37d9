package dev.cmek.azure;

import com.azure.security.keyvault.keys.models.KeyRotationPolicy;
import dev.cmek.azure.emulator.AzureEmulator;
import dev.cmek.azure.emulator.EmulatorViews;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * One emulator per test class with its strict windows on (new role assignments, removals and new principals 250 ms
 * late), reset before each test; the adapter's real SDK clients reach it through {@link AzureTransport}.
 */
abstract class EmulatorBacked {
    static final String CLUSTER = "9e1a3c0b-9ebd-43d9-8f42-589c9e6fc081";
    /** The cluster's azure_cluster_identity_client_id: CockroachDB's app for it, registered in CockroachDB's tenant. */
    static final String APP = "c7d1e2f3-a4b5-4c6d-8e7f-901a2b3c4d5e";

    static final String CRYPTO_USER = "Key Vault Crypto User";
    /** Operations that change something in Azure. */
    private static final Pattern WRITES =
            Pattern.compile(".*\\.(put|patch|create|delete|rotate|setRotationPolicy|update|recover|purge)");

    static AzureEmulator emulator;
    static AzureClients clients;
    static AzureCmek cmek;
    /** CockroachDB's app's own credentials, to see what it can still do. */
    static EmulatorViews.ClientCredentials crdb;

    @BeforeAll
    static void startEmulator() {
        emulator = AzureEmulator.start(0);
        clients = clients(emulator);
        cmek = new AzureCmek(clients);
    }

    /** Clients with short retry pauses, so a test that meets 5xx or 429 does not wait the default seconds. */
    static AzureClients clients(AzureEmulator e) {
        return AzureClients.builder()
                .environment(e.env())
                .retry(3, Duration.ofMillis(10), Duration.ofMillis(100))
                .build();
    }

    @AfterAll
    static void stopEmulator() {
        emulator.close();
    }

    @BeforeEach
    void resetEmulator() {
        emulator.reset().propagation(AzureEmulator.DEFAULT_PROPAGATION).latency(Duration.ZERO);
        crdb = emulator.registerMultiTenantApp(APP, "CockroachDB Cloud - " + CLUSTER);
    }

    static AzureCmekRequest.Builder request(String... regions) {
        return AzureCmekRequest.builder()
                .clusterId(CLUSTER)
                .clusterAppId(APP)
                .tenantId(emulator.tenantId())
                .subscriptionId(emulator.subscriptionId())
                .regions(List.of(regions))
                .propagationBound(Duration.ofSeconds(5));
    }

    static String vaultName(String region) {
        return request(region).build().vaultNameOf(region);
    }

    static String resourceGroup() {
        return CmekNames.resourceGroup(ClusterId.of(CLUSTER));
    }

    static String vaultId(String vault) {
        return Vaults.id(emulator.subscriptionId(), resourceGroup(), vault);
    }

    static String keyScope(String region) {
        return vaultId(vaultName(region)) + "/keys/" + CmekNames.KEY_BASE;
    }

    static EmulatorViews.ServicePrincipal crdbPrincipal() {
        return emulator.servicePrincipal(emulator.tenantId(), APP).orElseThrow();
    }

    /** Every role assignment held by CockroachDB's service principal. */
    static List<EmulatorViews.RoleAssignment> crdbAssignments() {
        return emulator.servicePrincipal(emulator.tenantId(), APP)
                .map(sp -> emulator.roleAssignments().stream()
                        .filter(a -> a.principalId().equals(sp.id()))
                        .toList())
                .orElse(List.of());
    }

    /** Calls that change something, by operation, since the last reset of the counts. */
    static Map<String, Integer> writes() {
        Map<String, Integer> out = new java.util.TreeMap<>();
        emulator.callCounts().forEach((op, n) -> {
            if (WRITES.matcher(op).matches() && n > 0) {
                out.put(op, n);
            }
        });
        return out;
    }

    static KeyRotationPolicy rotationPolicy(String region) {
        return clients.keys(vaultName(region)).getKeyRotationPolicy(CmekNames.KEY_BASE);
    }

    /** A resource group and vault of someone else's, made with the admin's rights (not the toolkit's tags). */
    static Vaults.Vault foreignVault(String group, String name, String region, Map<String, String> tags) {
        new ResourceGroups(clients).create(emulator.subscriptionId(), group, region, Map.of());
        return new Vaults(clients)
                .create(emulator.subscriptionId(), group, name, region, emulator.tenantId(), Protection.SOFTWARE, tags);
    }
}
