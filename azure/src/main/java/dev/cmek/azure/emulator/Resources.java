package dev.cmek.azure.emulator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** ARM's resources: subscriptions' resource groups and Key Vault vaults (vault names are global). */
final class Resources {
    /** A resource group: a name, a location and tags. */
    static final class ResourceGroup {
        final String subscriptionId;
        final String name;
        final String location;
        final Map<String, String> tags = new LinkedHashMap<>();

        ResourceGroup(String subscriptionId, String name, String location) {
            this.subscriptionId = subscriptionId;
            this.name = name;
            this.location = location;
        }

        String id() {
            return "/subscriptions/" + subscriptionId + "/resourceGroups/" + name;
        }
    }

    /** A vault's ARM properties, and the keys its data plane holds. */
    static final class Vault {
        final String subscriptionId;
        final String resourceGroup;
        final String name;
        final String location;
        final Instant createdAt;
        final Map<String, String> tags = new LinkedHashMap<>();
        String tenantId;
        String sku = "standard";
        boolean rbacAuthorization;
        boolean purgeProtection;
        int softDeleteRetentionDays = 90;
        String publicNetworkAccess = "Enabled";
        /** Access policies as ARM received them (used when RBAC authorization is off). */
        com.fasterxml.jackson.databind.node.ArrayNode accessPolicies = Http.array();

        ObjectNode networkAcls;
        final KeyStore keys = new KeyStore();

        Vault(String subscriptionId, String resourceGroup, String name, String location, Instant createdAt) {
            this.subscriptionId = subscriptionId;
            this.resourceGroup = resourceGroup;
            this.name = name;
            this.location = location;
            this.createdAt = createdAt;
        }

        String id() {
            return "/subscriptions/" + subscriptionId + "/resourceGroups/" + resourceGroup
                    + "/providers/Microsoft.KeyVault/vaults/" + name;
        }

        String uri() {
            return "https://" + name.toLowerCase(Locale.ROOT) + ".vault.azure.net/";
        }

        boolean premium() {
            return sku.equalsIgnoreCase("premium");
        }
    }

    /** By lower-cased "subscription/name". */
    final Map<String, ResourceGroup> resourceGroups = new LinkedHashMap<>();
    /** By lower-cased vault name: vault names are unique across Azure. */
    final Map<String, Vault> vaults = new LinkedHashMap<>();

    Optional<ResourceGroup> resourceGroup(String subscriptionId, String name) {
        return Optional.ofNullable(resourceGroups.get((subscriptionId + "/" + name).toLowerCase(Locale.ROOT)));
    }

    void putResourceGroup(ResourceGroup rg) {
        resourceGroups.put((rg.subscriptionId + "/" + rg.name).toLowerCase(Locale.ROOT), rg);
    }

    Optional<Vault> vault(String name) {
        return Optional.ofNullable(vaults.get(name.toLowerCase(Locale.ROOT)));
    }

    /** The vault a data-plane host names ({@code <vault>.vault.azure.net}), if it exists. */
    Optional<Vault> vaultByHost(String host) {
        String suffix = ".vault.azure.net";
        if (!host.endsWith(suffix)) {
            return Optional.empty();
        }
        return vault(host.substring(0, host.length() - suffix.length()));
    }

    void clear() {
        resourceGroups.clear();
        vaults.clear();
    }
}
