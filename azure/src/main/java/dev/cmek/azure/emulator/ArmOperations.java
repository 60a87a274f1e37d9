package dev.cmek.azure.emulator;

import static dev.cmek.azure.emulator.ArmService.error;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;

/** One ARM request's work, run under the emulator's lock once the token and the caller's permission are checked. */
final class ArmOperations {
    private final AzureEmulator emulator;
    private final Tokens.Claims caller;

    ArmOperations(AzureEmulator emulator, Tokens.Claims caller) {
        this.emulator = emulator;
        this.caller = caller;
    }

    Http.Response run(Http.Request r, String operation) {
        String p = ArmService.trim(r.path());
        return switch (operation) {
            case "arm.subscriptions.get" -> subscription();
            case "arm.resourceGroups.put" -> putResourceGroup(r, match(ArmService.RESOURCE_GROUP, p));
            case "arm.resourceGroups.get", "arm.resourceGroups.checkExistence" ->
                getResourceGroup(operation, match(ArmService.RESOURCE_GROUP, p));
            case "arm.vaults.put", "arm.vaults.patch" ->
                putVault(r, match(ArmService.VAULT, p), operation.endsWith("patch"));
            case "arm.vaults.get" -> getVault(match(ArmService.VAULT, p));
            case "arm.vaults.listByResourceGroup" ->
                listVaults(match(ArmService.VAULTS_IN_GROUP, p).group(2));
            case "arm.vaults.list" -> listVaults(null);
            case "arm.vaults.checkNameAvailability" -> checkName(r);
            case "arm.roleDefinitions.get", "arm.roleDefinitions.list" ->
                roleDefinitions(r, match(ArmService.ROLE_DEFINITIONS, p));
            case "arm.roleAssignments.put" ->
                new RoleAssignmentWrites(emulator, caller).put(r, match(ArmService.ROLE_ASSIGNMENTS, p));
            case "arm.roleAssignments.get" -> getAssignment(match(ArmService.ROLE_ASSIGNMENTS, p));
            case "arm.roleAssignments.delete" -> deleteAssignment(match(ArmService.ROLE_ASSIGNMENTS, p));
            case "arm.roleAssignments.list" -> listAssignments(r, match(ArmService.ROLE_ASSIGNMENTS, p));
            default -> error(405, "MethodNotAllowed", "The requested method " + r.method() + " is not allowed here.");
        };
    }

    private static Matcher match(java.util.regex.Pattern pattern, String path) {
        Matcher m = pattern.matcher(path);
        if (!m.matches()) {
            throw new IllegalStateException(path);
        }
        return m;
    }

    private Http.Response subscription() {
        ObjectNode n = Http.object()
                .put("id", "/subscriptions/" + emulator.subscriptionId)
                .put("subscriptionId", emulator.subscriptionId)
                .put("tenantId", emulator.customerTenantId)
                .put("displayName", "Customer subscription")
                .put("state", "Enabled");
        return Http.Response.json(200, n);
    }

    private Http.Response putResourceGroup(Http.Request r, Matcher m) {
        String name = m.group(2);
        if (!name.matches("[-\\w._()]{1,90}") || name.endsWith(".")) {
            return error(
                    400,
                    "InvalidResourceGroup",
                    "The provided resource group name '" + name + "' has these"
                            + " invalid characters: '" + name.replaceAll("[-\\w._()]", "")
                            + "'. The name can only be a letter,"
                            + " digit, '-', '.', '(', ')' or '_'.");
        }
        JsonNode body = r.json();
        String location =
                body.path("location").asText("").toLowerCase(Locale.ROOT).replace(" ", "");
        if (location.isEmpty()) {
            return error(400, "LocationRequired", "The location property is required for this definition.");
        }
        if (!ArmService.LOCATIONS.contains(location)) {
            return error(
                    400,
                    "LocationNotAvailableForResourceGroup",
                    "The provided location '" + location + "' is not"
                            + " available for resource group. List of available regions is '"
                            + String.join(",", new java.util.TreeSet<>(ArmService.LOCATIONS)) + "'.");
        }
        Optional<Resources.ResourceGroup> existing = emulator.resources.resourceGroup(emulator.subscriptionId, name);
        if (existing.isPresent() && !existing.get().location.equals(location)) {
            return error(
                    409,
                    "InvalidResourceGroupLocation",
                    "Invalid resource group location '" + location + "'. The"
                            + " Resource group already exists in location '" + existing.get().location + "'.");
        }
        Resources.ResourceGroup rg =
                existing.orElseGet(() -> new Resources.ResourceGroup(emulator.subscriptionId, name, location));
        rg.tags.clear();
        rg.tags.putAll(ArmService.tags(body.get("tags")));
        emulator.resources.putResourceGroup(rg);
        return Http.Response.json(existing.isPresent() ? 200 : 201, resourceGroup(rg));
    }

    private Http.Response getResourceGroup(String operation, Matcher m) {
        Optional<Resources.ResourceGroup> rg = emulator.resources.resourceGroup(emulator.subscriptionId, m.group(2));
        if (operation.endsWith("checkExistence")) {
            return Http.Response.empty(rg.isPresent() ? 204 : 404);
        }
        return rg.map(g -> Http.Response.json(200, resourceGroup(g))).orElseGet(() -> groupNotFound(m.group(2)));
    }

    static Http.Response groupNotFound(String name) {
        return error(404, "ResourceGroupNotFound", "Resource group '" + name + "' could not be found.");
    }

    private static ObjectNode resourceGroup(Resources.ResourceGroup rg) {
        ObjectNode n = Http.object()
                .put("id", rg.id())
                .put("name", rg.name)
                .put("type", "Microsoft.Resources/resourceGroups")
                .put("location", rg.location);
        ObjectNode tags = n.putObject("tags");
        rg.tags.forEach(tags::put);
        n.putObject("properties").put("provisioningState", "Succeeded");
        return n;
    }

    private Http.Response putVault(Http.Request r, Matcher m, boolean patch) {
        return new VaultWrites(emulator).put(r.json(), m.group(2), m.group(3), patch);
    }

    private Http.Response getVault(Matcher m) {
        Optional<Resources.Vault> vault = emulator.resources.vault(m.group(3));
        if (emulator.resources
                .resourceGroup(emulator.subscriptionId, m.group(2))
                .isEmpty()) {
            return groupNotFound(m.group(2));
        }
        if (vault.isEmpty() || !vault.get().resourceGroup.equalsIgnoreCase(m.group(2))) {
            return error(
                    404,
                    "ResourceNotFound",
                    "The Resource 'Microsoft.KeyVault/vaults/" + m.group(3) + "' under"
                            + " resource group '" + m.group(2) + "' was not found. For more details please go to"
                            + " https://aka.ms/ARMResourceNotFoundFix");
        }
        return Http.Response.json(200, VaultWrites.json(vault.get()));
    }

    private Http.Response listVaults(String resourceGroup) {
        if (resourceGroup != null
                && emulator.resources
                        .resourceGroup(emulator.subscriptionId, resourceGroup)
                        .isEmpty()) {
            return groupNotFound(resourceGroup);
        }
        ObjectNode body = Http.object();
        ArrayNode value = body.putArray("value");
        for (Resources.Vault v : emulator.resources.vaults.values()) {
            if (v.subscriptionId.equalsIgnoreCase(emulator.subscriptionId)
                    && (resourceGroup == null || v.resourceGroup.equalsIgnoreCase(resourceGroup))) {
                value.add(VaultWrites.json(v));
            }
        }
        return Http.Response.json(200, body);
    }

    private Http.Response checkName(Http.Request r) {
        JsonNode body = r.json();
        String name = body.path("name").asText("");
        ObjectNode out = Http.object();
        if (!ArmService.VAULT_NAME.matcher(name).matches()) {
            out.put("nameAvailable", false)
                    .put("reason", "AccountNameInvalid")
                    .put("message", VaultWrites.invalidName(name));
        } else if (emulator.resources.vault(name).isPresent()) {
            out.put("nameAvailable", false).put("reason", "AlreadyExists").put("message", VaultWrites.nameTaken(name));
        } else {
            out.put("nameAvailable", true);
        }
        return Http.Response.json(200, out);
    }

    private Http.Response roleDefinitions(Http.Request r, Matcher m) {
        String scope = m.group(1).isEmpty() ? "/" : m.group(1);
        if (m.group(2) != null) {
            Optional<BuiltInRoles.Role> role = BuiltInRoles.byId(m.group(2));
            return role.map(x -> Http.Response.json(200, roleDefinition(x, scope)))
                    .orElseGet(() -> error(
                            404,
                            "RoleDefinitionDoesNotExist",
                            "The specified role definition with ID '" + m.group(2) + "' does not exist."));
        }
        String filter = r.param("$filter");
        Optional<String> name = filter == null ? Optional.empty() : ArmService.roleNameFilter(filter);
        ObjectNode body = Http.object();
        ArrayNode value = body.putArray("value");
        for (BuiltInRoles.Role role : BuiltInRoles.ALL) {
            if (name.isEmpty() || role.name().equalsIgnoreCase(name.get())) {
                value.add(roleDefinition(role, scope));
            }
        }
        return Http.Response.json(200, body);
    }

    /** Built-in definitions read at a subscription (or below) carry that subscription in their id, as ARM shows them. */
    String roleDefinitionId(String roleId, String scope) {
        return (scope.toLowerCase(Locale.ROOT).startsWith("/subscriptions/")
                        ? "/subscriptions/" + emulator.subscriptionId
                        : "")
                + "/providers/Microsoft.Authorization/roleDefinitions/" + roleId;
    }

    private ObjectNode roleDefinition(BuiltInRoles.Role role, String scope) {
        ObjectNode n = Http.object()
                .put("id", roleDefinitionId(role.id(), scope))
                .put("name", role.id())
                .put("type", "Microsoft.Authorization/roleDefinitions");
        ObjectNode props = n.putObject("properties")
                .put("roleName", role.name())
                .put("type", "BuiltInRole")
                .put("description", role.description())
                .put("createdOn", "2015-02-02T21:55:09.8806423Z")
                .put("updatedOn", "2024-01-01T00:00:00.0000000Z")
                .putNull("createdBy")
                .putNull("updatedBy");
        props.putArray("assignableScopes").add("/");
        ObjectNode perms = props.putArray("permissions").addObject();
        role.actions().forEach(perms.putArray("actions")::add);
        role.notActions().forEach(perms.putArray("notActions")::add);
        role.dataActions().forEach(perms.putArray("dataActions")::add);
        role.notDataActions().forEach(perms.putArray("notDataActions")::add);
        return n;
    }

    private Http.Response getAssignment(Matcher m) {
        String scope = m.group(1).isEmpty() ? "/" : m.group(1);
        return emulator.rbac
                .get(scope, m.group(2))
                .map(a -> Http.Response.json(200, RoleAssignmentWrites.json(emulator, a)))
                .orElseGet(() -> error(
                        404, "RoleAssignmentNotFound", "The role assignment '" + m.group(2) + "' is not" + " found."));
    }

    private Http.Response deleteAssignment(Matcher m) {
        String scope = m.group(1).isEmpty() ? "/" : m.group(1);
        Optional<RoleAssignments.Assignment> removed = emulator.rbac.remove(scope, m.group(2), Instant.now());
        // ARM answers 204 when there was nothing to delete.
        return removed.map(a -> Http.Response.json(200, RoleAssignmentWrites.json(emulator, a)))
                .orElseGet(() -> Http.Response.empty(204));
    }

    /**
     * No filter: assignments at, above and below the scope; {@code atScope()}: at or above it; {@code principalId eq}
     * narrows either (https://learn.microsoft.com/rest/api/authorization/role-assignments/list-for-scope).
     */
    private Http.Response listAssignments(Http.Request r, Matcher m) {
        String scope = m.group(1).isEmpty() ? "/" : m.group(1);
        String filter = r.param("$filter") == null ? "" : r.param("$filter");
        boolean atScope = filter.toLowerCase(Locale.ROOT).contains("atscope()");
        Optional<String> principal = ArmService.principalFilter(filter);
        String rest = filter.replaceAll("(?i)atScope\\(\\)", "")
                .replaceAll("(?i)principalId\\s+eq\\s+'[^']*'", "")
                .replaceAll("(?i)assignedTo\\('[^']*'\\)", "")
                .replaceAll("(?i)\\band\\b", "")
                .trim();
        if (!rest.isEmpty()) {
            return error(
                    400,
                    "UnsupportedQuery",
                    "The filter '" + filter + "' is not supported. Supported filters are"
                            + " either 'atScope()' or 'principalId eq '{value}'' or 'assignedTo('{value}')'.");
        }
        List<RoleAssignments.Assignment> matches = new ArrayList<>();
        for (RoleAssignments.Assignment a : emulator.rbac.active.values()) {
            boolean above = RoleAssignments.covers(a.scope, scope);
            boolean below = RoleAssignments.covers(scope, a.scope);
            if ((above || (!atScope && below))
                    && principal.map(p -> p.equalsIgnoreCase(a.principalId)).orElse(true)) {
                matches.add(a);
            }
        }
        ObjectNode body = Http.object();
        ArrayNode value = body.putArray("value");
        matches.forEach(a -> value.add(RoleAssignmentWrites.json(emulator, a)));
        return Http.Response.json(200, body);
    }
}
