package dev.cmek.azure.emulator;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The built-in roles the toolkit meets, with their real ids, actions and data actions as Microsoft's built-in roles
 * page lists them: https://learn.microsoft.com/azure/role-based-access-control/built-in-roles
 */
final class BuiltInRoles {
    private BuiltInRoles() {}

    /** One role definition; actions are ARM (control plane) permissions, data actions Key Vault (data plane) ones. */
    record Role(
            String id,
            String name,
            String description,
            List<String> actions,
            List<String> notActions,
            List<String> dataActions,
            List<String> notDataActions) {

        boolean allows(String permission, boolean data) {
            List<String> allow = data ? dataActions : actions;
            List<String> deny = data ? notDataActions : notActions;
            return allow.stream().anyMatch(p -> matches(p, permission))
                    && deny.stream().noneMatch(p -> matches(p, permission));
        }
    }

    private static final List<String> KEY_VAULT_READER_ACTIONS = List.of(
            "Microsoft.Authorization/*/read",
            "Microsoft.Insights/alertRules/*",
            "Microsoft.Resources/deployments/*",
            "Microsoft.Resources/subscriptions/resourceGroups/read",
            "Microsoft.Support/*",
            "Microsoft.KeyVault/checkNameAvailability/read",
            "Microsoft.KeyVault/deletedVaults/read",
            "Microsoft.KeyVault/locations/*/read",
            "Microsoft.KeyVault/vaults/*/read",
            "Microsoft.KeyVault/operations/read");

    static final Role KEY_VAULT_CRYPTO_USER = new Role(
            "12338af0-0e69-4776-bea7-57ae8d297424",
            "Key Vault Crypto User",
            "Perform cryptographic operations using keys. Only works for key vaults that use the 'Azure role-based"
                    + " access control' permission model.",
            List.of(),
            List.of(),
            List.of(
                    "Microsoft.KeyVault/vaults/keys/read",
                    "Microsoft.KeyVault/vaults/keys/update/action",
                    "Microsoft.KeyVault/vaults/keys/backup/action",
                    "Microsoft.KeyVault/vaults/keys/encrypt/action",
                    "Microsoft.KeyVault/vaults/keys/decrypt/action",
                    "Microsoft.KeyVault/vaults/keys/wrap/action",
                    "Microsoft.KeyVault/vaults/keys/unwrap/action",
                    "Microsoft.KeyVault/vaults/keys/sign/action",
                    "Microsoft.KeyVault/vaults/keys/verify/action"),
            List.of());

    static final Role KEY_VAULT_CRYPTO_OFFICER = new Role(
            "14b46e9e-c2b7-41b4-b07b-48a6ebf60603",
            "Key Vault Crypto Officer",
            "Perform any action on the keys of a key vault, except manage permissions. Only works for key vaults that"
                    + " use the 'Azure role-based access control' permission model.",
            KEY_VAULT_READER_ACTIONS,
            List.of(),
            List.of("Microsoft.KeyVault/vaults/keys/*", "Microsoft.KeyVault/vaults/keyrotationpolicies/*"),
            List.of());

    static final Role KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER = new Role(
            "e147488a-f6f5-4113-8e2d-b22465e65bf6",
            "Key Vault Crypto Service Encryption User",
            "Read metadata of keys and perform wrap/unwrap operations. Only works for key vaults that use the 'Azure"
                    + " role-based access control' permission model.",
            List.of(
                    "Microsoft.EventGrid/eventSubscriptions/write",
                    "Microsoft.EventGrid/eventSubscriptions/read",
                    "Microsoft.EventGrid/eventSubscriptions/delete"),
            List.of(),
            List.of(
                    "Microsoft.KeyVault/vaults/keys/read",
                    "Microsoft.KeyVault/vaults/keys/wrap/action",
                    "Microsoft.KeyVault/vaults/keys/unwrap/action"),
            List.of());

    static final Role KEY_VAULT_ADMINISTRATOR = new Role(
            "00482a5a-887f-4fb3-b363-3b7fe8e74483",
            "Key Vault Administrator",
            "Perform all data plane operations on a key vault and all objects in it, including certificates, keys, and"
                    + " secrets. Cannot manage key vault resources or manage role assignments. Only works for key"
                    + " vaults that use the 'Azure role-based access control' permission model.",
            KEY_VAULT_READER_ACTIONS,
            List.of(),
            List.of("Microsoft.KeyVault/vaults/*"),
            List.of());

    static final Role OWNER = new Role(
            "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
            "Owner",
            "Grants full access to manage all resources, including the ability to assign roles in Azure RBAC.",
            List.of("*"),
            List.of(),
            List.of(),
            List.of());

    static final Role CONTRIBUTOR = new Role(
            "b24988ac-6180-42a0-ab88-20f7382dd24c",
            "Contributor",
            "Grants full access to manage all resources, but does not allow you to assign roles in Azure RBAC, manage"
                    + " assignments in Azure Blueprints, or share image galleries.",
            List.of("*"),
            List.of(
                    "Microsoft.Authorization/*/Delete",
                    "Microsoft.Authorization/*/Write",
                    "Microsoft.Authorization/elevateAccess/Action",
                    "Microsoft.Blueprint/blueprintAssignments/write",
                    "Microsoft.Blueprint/blueprintAssignments/delete",
                    "Microsoft.Compute/galleries/share/action",
                    "Microsoft.Purview/consents/write",
                    "Microsoft.Purview/consents/delete",
                    "Microsoft.Resources/deploymentStacks/manageDenySetting/action",
                    "Microsoft.Subscription/cancel/action",
                    "Microsoft.Subscription/enable/action"),
            List.of(),
            List.of());

    static final Role READER = new Role(
            "acdd72a7-3385-48ef-bd42-f606fba81ae7",
            "Reader",
            "View all resources, but does not allow you to make any changes.",
            List.of("*/read"),
            List.of(),
            List.of(),
            List.of());

    static final List<Role> ALL = List.of(
            KEY_VAULT_ADMINISTRATOR,
            KEY_VAULT_CRYPTO_OFFICER,
            KEY_VAULT_CRYPTO_USER,
            KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER,
            OWNER,
            CONTRIBUTOR,
            READER);

    static Optional<Role> byId(String id) {
        return ALL.stream().filter(r -> r.id().equalsIgnoreCase(id)).findFirst();
    }

    static Optional<Role> byName(String name) {
        return ALL.stream().filter(r -> r.name().equalsIgnoreCase(name)).findFirst();
    }

    /** Azure permission patterns: case-insensitive, {@code *} matching any run of characters. */
    static boolean matches(String pattern, String permission) {
        String regex = Pattern.quote(pattern.toLowerCase(Locale.ROOT)).replace("*", "\\E.*\\Q");
        return permission.toLowerCase(Locale.ROOT).matches(regex);
    }
}
