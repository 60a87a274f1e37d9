package dev.cmek.azure.emulator;

import static dev.cmek.azure.emulator.ArmService.error;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;

/**
 * Creates and updates Key Vault vaults as Microsoft.KeyVault does
 * (https://learn.microsoft.com/rest/api/keyvault/keyvault/vaults/create-or-update).
 */
final class VaultWrites {
    private final AzureEmulator emulator;

    VaultWrites(AzureEmulator emulator) {
        this.emulator = emulator;
    }

    static String invalidName(String name) {
        return "The vault name '" + name + "' is invalid. A vault's name must be between 3-24 alphanumeric characters."
                + " The name must begin with a letter, end with a letter or digit, and not contain consecutive hyphens."
                + " Follow this link for more information: https://go.microsoft.com/fwlink/?linkid=2147742";
    }

    static String nameTaken(String name) {
        return "The vault name '" + name + "' is already in use. Vault names are globally unique so it is possible"
                + " that the name is already taken. If you are sure that the vault name was not taken then it is"
                + " possible that a vault with the same name was recently deleted but not purged after being placed in"
                + " a recoverable state. If the vault is in a recoverable state then the vault will need to be purged"
                + " before reusing the name. For more information on soft delete and purging a vault follow this link"
                + " https://go.microsoft.com/fwlink/?linkid=2147740.";
    }

    Http.Response put(JsonNode body, String resourceGroup, String name, boolean patch) {
        if (!ArmService.VAULT_NAME.matcher(name).matches()) {
            return error(400, "VaultNameNotValid", invalidName(name));
        }
        if (emulator.resources
                .resourceGroup(emulator.subscriptionId, resourceGroup)
                .isEmpty()) {
            return ArmOperations.groupNotFound(resourceGroup);
        }
        Optional<Resources.Vault> existing = emulator.resources.vault(name);
        if (existing.isPresent()
                && !(existing.get().subscriptionId.equalsIgnoreCase(emulator.subscriptionId)
                        && existing.get().resourceGroup.equalsIgnoreCase(resourceGroup))) {
            return error(409, "VaultAlreadyExists", nameTaken(name));
        }
        if (patch && existing.isEmpty()) {
            return error(
                    404,
                    "ResourceNotFound",
                    "The Resource 'Microsoft.KeyVault/vaults/" + name + "' under resource" + " group '" + resourceGroup
                            + "' was not found.");
        }
        JsonNode props = body.path("properties");
        String location =
                body.path("location").asText("").toLowerCase(Locale.ROOT).replace(" ", "");
        if (!patch) {
            if (location.isEmpty()) {
                return error(400, "LocationRequired", "The location property is required for this definition.");
            }
            if (!ArmService.LOCATIONS.contains(location)) {
                return error(
                        400,
                        "LocationNotAvailableForResourceType",
                        "The provided location '" + location + "' is"
                                + " not available for resource type 'Microsoft.KeyVault/vaults'.");
            }
            if (!ArmService.isGuid(props.path("tenantId").asText(null))) {
                return error(400, "BadRequest", "The 'tenantId' property is required and must be a GUID.");
            }
            if (props.path("sku").path("name").isMissingNode()) {
                return error(400, "BadRequest", "The 'sku' property is required.");
            }
            if (existing.isPresent() && !existing.get().location.equals(location)) {
                return error(
                        400,
                        "LocationNotAvailableForResourceType",
                        "The vault '" + name + "' exists in location '" + existing.get().location
                                + "'; its location cannot change.");
            }
        }
        JsonNode sku = props.path("sku").path("name");
        if (!sku.isMissingNode()
                && !(sku.asText().equalsIgnoreCase("standard") || sku.asText().equalsIgnoreCase("premium"))) {
            return error(
                    400,
                    "BadRequest",
                    "Invalid value '" + sku.asText() + "' for sku name; valid values are"
                            + " 'standard' and 'premium'.");
        }
        JsonNode softDelete = props.get("enableSoftDelete");
        if (softDelete != null && !softDelete.isNull() && !softDelete.asBoolean()) {
            // https://learn.microsoft.com/azure/key-vault/general/soft-delete-change
            return error(
                    400,
                    "BadRequest",
                    "The property \"enableSoftDelete\" cannot be set to false. Enabling the"
                            + " 'soft delete' functionality is mandatory for all key vaults. To learn more, see"
                            + " https://aka.ms/softdeletechange");
        }
        JsonNode purge = props.get("enablePurgeProtection");
        if (purge != null && !purge.isNull() && !purge.asBoolean()) {
            // The property "does not accept false as its value": enabling it is irreversible.
            return error(
                    400,
                    "BadRequest",
                    "The property \"enablePurgeProtection\" cannot be set to false. Enabling"
                            + " the purge protection for a vault is an irreversible action.");
        }
        JsonNode retention = props.get("softDeleteRetentionInDays");
        if (retention != null && !retention.isNull()) {
            int days = retention.asInt();
            if (days < 7 || days > 90) {
                return error(
                        400, "BadRequest", "The property \"softDeleteRetentionInDays\" must be between 7 and" + " 90.");
            }
            if (existing.isPresent() && existing.get().softDeleteRetentionDays != days) {
                return error(
                        400,
                        "BadRequest",
                        "The property \"softDeleteRetentionInDays\" cannot be changed once the"
                                + " vault has been created.");
            }
        }
        Resources.Vault vault = existing.orElseGet(
                () -> new Resources.Vault(emulator.subscriptionId, resourceGroup, name, location, Instant.now()));
        if (props.has("tenantId")) {
            vault.tenantId = props.get("tenantId").asText();
        }
        if (!sku.isMissingNode()) {
            vault.sku = sku.asText().toLowerCase(Locale.ROOT);
        }
        if (props.has("enableRbacAuthorization")
                && !props.get("enableRbacAuthorization").isNull()) {
            vault.rbacAuthorization = props.get("enableRbacAuthorization").asBoolean();
        }
        if (purge != null && purge.asBoolean()) {
            vault.purgeProtection = true;
        }
        if (retention != null && !retention.isNull()) {
            vault.softDeleteRetentionDays = retention.asInt();
        }
        if (props.has("accessPolicies") && props.get("accessPolicies").isArray()) {
            vault.accessPolicies = (ArrayNode) props.get("accessPolicies").deepCopy();
        }
        if (props.has("publicNetworkAccess")
                && !props.get("publicNetworkAccess").isNull()) {
            vault.publicNetworkAccess = props.get("publicNetworkAccess").asText();
        }
        if (props.has("networkAcls") && props.get("networkAcls").isObject()) {
            vault.networkAcls = (ObjectNode) props.get("networkAcls").deepCopy();
        }
        if (body.has("tags")) {
            vault.tags.clear();
            vault.tags.putAll(ArmService.tags(body.get("tags")));
        }
        emulator.resources.vaults.put(name.toLowerCase(Locale.ROOT), vault);
        return Http.Response.json(200, json(vault));
    }

    static ObjectNode json(Resources.Vault v) {
        ObjectNode n = Http.object()
                .put("id", v.id())
                .put("name", v.name)
                .put("type", "Microsoft.KeyVault/vaults")
                .put("location", v.location);
        ObjectNode tags = n.putObject("tags");
        v.tags.forEach(tags::put);
        ObjectNode p = n.putObject("properties");
        p.putObject("sku").put("family", "A").put("name", v.sku);
        p.put("tenantId", v.tenantId);
        p.set("accessPolicies", v.accessPolicies.deepCopy());
        p.put("enabledForDeployment", false)
                .put("enabledForDiskEncryption", false)
                .put("enabledForTemplateDeployment", false)
                .put("enableSoftDelete", true)
                .put("softDeleteRetentionInDays", v.softDeleteRetentionDays)
                .put("enableRbacAuthorization", v.rbacAuthorization);
        if (v.purgeProtection) {
            // Absent, not false, until it is turned on: the service never reports false.
            p.put("enablePurgeProtection", true);
        }
        if (v.networkAcls != null) {
            p.set("networkAcls", v.networkAcls.deepCopy());
        }
        p.put("vaultUri", v.uri())
                .put("provisioningState", "Succeeded")
                .put("publicNetworkAccess", v.publicNetworkAccess);
        return n;
    }
}
