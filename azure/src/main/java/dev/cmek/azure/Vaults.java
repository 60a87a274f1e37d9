package dev.cmek.azure;

import com.azure.core.http.HttpMethod;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Key Vault vaults through Azure Resource Manager (https://learn.microsoft.com/rest/api/keyvault/keyvault/vaults):
 * found by resource group or by name in the subscription, created with RBAC authorization, soft delete and purge
 * protection, their tags updated.
 */
final class Vaults {
    static final String API = "2023-07-01";
    private static final Pattern ID = Pattern.compile(
            "/subscriptions/([^/]+)/resourceGroups/([^/]+)/providers/Microsoft\\.KeyVault/vaults/([^/]+)",
            Pattern.CASE_INSENSITIVE);

    /** A vault as ARM answers it. */
    record Vault(
            String id,
            String name,
            String resourceGroup,
            String location,
            Map<String, String> tags,
            String sku,
            String tenantId,
            boolean rbacAuthorization,
            boolean softDelete,
            boolean purgeProtection,
            int softDeleteRetentionDays,
            String publicNetworkAccess,
            String provisioningState) {
        /** Whether DNS for the vault's data plane is still being set up (ARM's {@code RegisteringDns}). */
        boolean registeringDns() {
            return "RegisteringDns".equalsIgnoreCase(provisioningState);
        }

        String region() {
            return tags.getOrDefault(CmekNames.REGION_TAG, location);
        }
    }

    private final AzureClients clients;

    Vaults(AzureClients clients) {
        this.clients = clients;
    }

    static String id(String subscriptionId, String resourceGroup, String name) {
        return ResourceGroups.id(subscriptionId, resourceGroup) + "/providers/Microsoft.KeyVault/vaults/" + name;
    }

    /** The vault in a resource group; empty when neither it nor the group exists. */
    Optional<Vault> find(String subscriptionId, String resourceGroup, String name) {
        String id = id(subscriptionId, resourceGroup, name);
        RestApi.Answer a = clients.arm().get("read key vault", id, id + "?api-version=" + API, 404);
        return a.ok() ? Optional.of(vault(a.body())) : Optional.empty();
    }

    /** Every vault of a resource group; empty when the group does not exist. */
    List<Vault> inResourceGroup(String subscriptionId, String resourceGroup) {
        String group = ResourceGroups.id(subscriptionId, resourceGroup);
        List<JsonNode> found = clients.arm()
                .list("list key vaults", group, group + "/providers/Microsoft.KeyVault/vaults?api-version=" + API, 404);
        return found == null ? List.of() : found.stream().map(Vaults::vault).toList();
    }

    /** Every vault of the subscription (to place a vault known by name only: a key the customer brings). */
    List<Vault> inSubscription(String subscriptionId) {
        String sub = "/subscriptions/" + subscriptionId;
        List<JsonNode> found = clients.arm()
                .list("list key vaults", sub, sub + "/providers/Microsoft.KeyVault/vaults?api-version=" + API);
        return found.stream().map(Vaults::vault).toList();
    }

    /** Whether a vault name is free across Azure (names are global). */
    boolean nameAvailable(String subscriptionId, String name) {
        String path = "/subscriptions/" + subscriptionId + "/providers/Microsoft.KeyVault/checkNameAvailability";
        ObjectNode body = Json.object().put("name", name).put("type", "Microsoft.KeyVault/vaults");
        return clients.arm()
                .call("check key vault name", name, HttpMethod.POST, path + "?api-version=" + API, body)
                .body()
                .path("nameAvailable")
                .asBoolean(false);
    }

    /**
     * Creates the vault: RBAC authorization (no access policies), soft delete with 90 days' retention, purge protection
     * (which can never be turned off: a purged key would be data loss for the cluster). A name taken elsewhere in Azure
     * is {@link VaultNameTakenException}, never retried.
     */
    Vault create(
            String subscriptionId,
            String resourceGroup,
            String name,
            String region,
            String tenantId,
            Protection protection,
            Map<String, String> tags) {
        String id = id(subscriptionId, resourceGroup, name);
        ObjectNode body = Json.object().put("location", region);
        body.set("tags", Json.tags(tags));
        ObjectNode props = body.putObject("properties");
        props.put("tenantId", tenantId);
        props.putObject("sku").put("family", "A").put("name", protection.vaultSku());
        props.put("enableRbacAuthorization", true)
                .put("enableSoftDelete", true)
                .put("softDeleteRetentionInDays", 90)
                .put("enablePurgeProtection", true)
                .put("publicNetworkAccess", "Enabled");
        props.putArray("accessPolicies");
        RestApi.Answer a =
                clients.arm().call("create key vault", id, HttpMethod.PUT, id + "?api-version=" + API, body, 409);
        if (a.status() == 409 && "VaultAlreadyExists".equalsIgnoreCase(a.code())) {
            throw new VaultNameTakenException(name, resourceGroup, region);
        }
        if (!a.ok()) {
            throw AzureCall.answered(
                    clients,
                    CallFailedException.Service.ARM,
                    "create key vault",
                    id,
                    a.status(),
                    a.code(),
                    a.message());
        }
        Vault made = vault(a.body());
        if (!made.rbacAuthorization() || !made.purgeProtection()) {
            throw new ReadBackMismatchException(id, "RBAC authorization and purge protection");
        }
        return made;
    }

    /** Sets the vault's tags (PATCH: nothing else changes). */
    Vault tag(Vault vault, Map<String, String> tags) {
        ObjectNode body = Json.object();
        body.set("tags", Json.tags(tags));
        return vault(clients.arm()
                .call("tag key vault", vault.id(), HttpMethod.PATCH, vault.id() + "?api-version=" + API, body)
                .body());
    }

    static Vault vault(JsonNode n) {
        JsonNode p = n.path("properties");
        String id = Json.text(n, "id");
        Matcher m = ID.matcher(id == null ? "" : id);
        return new Vault(
                id,
                Json.text(n, "name"),
                m.matches() ? m.group(2) : null,
                Optional.ofNullable(Json.text(n, "location"))
                        .map(l -> l.toLowerCase(Locale.ROOT).replace(" ", ""))
                        .orElse(null),
                Json.tags(n.get("tags")),
                p.path("sku").path("name").asText("").toLowerCase(Locale.ROOT),
                Json.text(p, "tenantId"),
                p.path("enableRbacAuthorization").asBoolean(false),
                p.path("enableSoftDelete").asBoolean(true),
                p.path("enablePurgeProtection").asBoolean(false),
                p.path("softDeleteRetentionInDays").asInt(90),
                p.path("publicNetworkAccess").asText("Enabled"),
                p.path("provisioningState").asText("Succeeded"));
    }

    /** The vaults among {@code all} tagged for the cluster. */
    static List<Vault> ours(List<Vault> all, ClusterId cluster) {
        List<Vault> out = new ArrayList<>();
        all.stream().filter(v -> CmekNames.isOurs(v.tags(), cluster)).forEach(out::add);
        return out;
    }
}
