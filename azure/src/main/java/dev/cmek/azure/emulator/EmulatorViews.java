package dev.cmek.azure.emulator;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Read-only snapshots of the emulator's state, for assertions in tests and checks in the sandbox. */
public final class EmulatorViews {
    private EmulatorViews() {}

    /** An app's client credentials in one tenant, and its service principal's object id there. */
    public record ClientCredentials(String tenantId, String clientId, String clientSecret, String objectId) {}

    public record Vault(
            String id,
            String name,
            String resourceGroup,
            String location,
            String tenantId,
            String sku,
            boolean rbacAuthorization,
            boolean purgeProtection,
            int softDeleteRetentionDays,
            String vaultUri,
            Map<String, String> tags) {}

    public record KeyVersion(
            String kid,
            String kty,
            int keySize,
            List<String> keyOps,
            boolean enabled,
            Long notBefore,
            Long expires,
            Map<String, String> tags) {}

    public record Key(
            String vault, String name, List<KeyVersion> versions, boolean deleted, boolean hasRotationPolicy) {
        public KeyVersion current() {
            return versions.get(versions.size() - 1);
        }
    }

    public record RoleAssignment(
            String id,
            String name,
            String scope,
            String roleDefinitionId,
            String roleName,
            String principalId,
            String principalType,
            Instant createdOn,
            Instant effectiveFrom) {}

    public record ServicePrincipal(
            String id, String appId, String tenantId, String displayName, boolean accountEnabled, Instant createdAt) {}

    /** One request as the emulator saw it: when, which operation, which caller (object id, or client id at the token endpoint). */
    public record Call(
            Instant at, String operation, String method, String host, String path, int status, String caller) {}
}
