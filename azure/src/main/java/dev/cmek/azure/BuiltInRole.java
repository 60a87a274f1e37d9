package dev.cmek.azure;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * The built-in Azure roles the adapter writes or judges, under their fixed ids
 * (https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/security).
 */
enum BuiltInRole {
    /** Read keys, encrypt, decrypt, wrap, unwrap: all CockroachDB needs, and what provision grants on the key. */
    KEY_VAULT_CRYPTO_USER("12338af0-0e69-4776-bea7-57ae8d297424", "Key Vault Crypto User", true),
    /** Everything on keys but permissions: what CockroachDB's docs ask for on the vault (the broader option). */
    KEY_VAULT_CRYPTO_OFFICER("14b46e9e-c2b7-41b4-b07b-48a6ebf60603", "Key Vault Crypto Officer", true),
    KEY_VAULT_ADMINISTRATOR("00482a5a-887f-4fb3-b363-3b7fe8e74483", "Key Vault Administrator", true),
    KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER(
            "e147488a-f6f5-4113-8e2d-b22465e65bf6", "Key Vault Crypto Service Encryption User", true),
    KEY_VAULT_CRYPTO_SERVICE_RELEASE_USER(
            "08bbd89e-9f13-488c-ac41-acfcb10c90ab", "Key Vault Crypto Service Release User", true),
    /** May grant itself any data role on the vaults below it. */
    KEY_VAULT_DATA_ACCESS_ADMINISTRATOR(
            "8b54135c-b56d-4d72-a534-26097cfdc8d8", "Key Vault Data Access Administrator", false),
    OWNER("8e3af657-a8ff-443c-a75c-2fe8c4bcb635", "Owner", false),
    USER_ACCESS_ADMINISTRATOR("18d7d88d-d35e-4fb5-a5c3-7773c20a72d9", "User Access Administrator", false),
    ROLE_BASED_ACCESS_CONTROL_ADMINISTRATOR(
            "f58310d9-a9f6-439a-9e8d-f62e7b41a168", "Role Based Access Control Administrator", false),
    CONTRIBUTOR("b24988ac-6180-42a0-ab88-20f7382dd24c", "Contributor", false),
    READER("acdd72a7-3385-48ef-bd42-f606fba81ae7", "Reader", false);

    private final String id;
    private final String roleName;
    private final boolean keyUse;

    BuiltInRole(String id, String roleName, boolean keyUse) {
        this.id = id;
        this.roleName = roleName;
        this.keyUse = keyUse;
    }

    /** The role definition's GUID. */
    String id() {
        return id;
    }

    String roleName() {
        return roleName;
    }

    /** Whether its data actions use keys (encrypt, decrypt, wrap, unwrap or release). */
    boolean keyUse() {
        return keyUse;
    }

    /** The role definition's resource id in a subscription, as role assignments name it. */
    String definitionId(String subscriptionId) {
        return "/subscriptions/" + subscriptionId + "/providers/Microsoft.Authorization/roleDefinitions/" + id;
    }

    /** The built-in role a role definition id ends with, if it is one of these. */
    static Optional<BuiltInRole> of(String roleDefinitionId) {
        if (roleDefinitionId == null) {
            return Optional.empty();
        }
        String guid = roleDefinitionId
                .substring(roleDefinitionId.lastIndexOf('/') + 1)
                .toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(r -> r.id.equals(guid)).findFirst();
    }

    /** The role's name when it is one of these, else the definition's GUID. */
    static String describe(String roleDefinitionId) {
        return of(roleDefinitionId)
                .map(BuiltInRole::roleName)
                .orElseGet(() -> "role " + roleDefinitionId.substring(roleDefinitionId.lastIndexOf('/') + 1));
    }
}
