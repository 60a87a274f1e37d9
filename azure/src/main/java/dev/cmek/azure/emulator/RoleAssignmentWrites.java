package dev.cmek.azure.emulator;

import static dev.cmek.azure.emulator.ArmService.error;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;

/**
 * Creates role assignments as Microsoft.Authorization does
 * (https://learn.microsoft.com/rest/api/authorization/role-assignments/create).
 */
final class RoleAssignmentWrites {
    private final AzureEmulator emulator;
    private final Tokens.Claims caller;

    RoleAssignmentWrites(AzureEmulator emulator, Tokens.Claims caller) {
        this.emulator = emulator;
        this.caller = caller;
    }

    Http.Response put(Http.Request r, Matcher m) {
        String scope = m.group(1).isEmpty() ? "/" : m.group(1);
        String name = m.group(2);
        if (!ArmService.isGuid(name)) {
            return error(
                    400,
                    "InvalidRoleAssignmentId",
                    "The role assignment ID '" + name + "' is not valid. The role" + " assignment ID must be a GUID.");
        }
        Http.Response missingScope = checkScope(scope);
        if (missingScope != null) {
            return missingScope;
        }
        JsonNode props = r.json().path("properties");
        String roleDefinitionId = props.path("roleDefinitionId").asText("");
        String principalId = props.path("principalId").asText("");
        String principalType = props.path("principalType").isTextual()
                ? props.get("principalType").asText()
                : null;
        String roleId = roleDefinitionId.substring(roleDefinitionId.lastIndexOf('/') + 1);
        if (!ArmService.isGuid(principalId)) {
            return error(400, "InvalidPrincipalId", "A valid principal ID must be provided for role assignment.");
        }
        if (BuiltInRoles.byId(roleId).isEmpty()
                || !roleDefinitionId
                        .toLowerCase(Locale.ROOT)
                        .contains("/providers/microsoft.authorization/roledefinitions/")) {
            return error(
                    400,
                    "RoleDefinitionDoesNotExist",
                    "The specified role definition with ID '" + roleId + "'" + " does not exist.");
        }
        Optional<RoleAssignments.Assignment> sameName = emulator.rbac.get(scope, name);
        if (sameName.isPresent()) {
            RoleAssignments.Assignment a = sameName.get();
            if (!a.principalId.equalsIgnoreCase(principalId) || !a.roleId.equalsIgnoreCase(roleId)) {
                return error(
                        400,
                        "RoleAssignmentUpdateNotPermitted",
                        "Tenant ID, application ID, principal ID, and" + " scope are not allowed to be updated.");
            }
            return exists(a);
        }
        for (RoleAssignments.Assignment a : emulator.rbac.active.values()) {
            if (a.scope.equalsIgnoreCase(scope)
                    && a.principalId.equalsIgnoreCase(principalId)
                    && a.roleId.equalsIgnoreCase(roleId)) {
                return exists(a);
            }
        }
        Instant now = Instant.now();
        String tenant = emulator.customerTenantId;
        boolean visible = emulator.directory.replicatedToArm(tenant, principalId, now);
        if (principalType == null && !visible) {
            // https://learn.microsoft.com/azure/role-based-access-control/role-assignments-template#new-service-principal
            return error(
                    400,
                    "PrincipalNotFound",
                    "Principal " + principalId.replace("-", "") + " does not exist in"
                            + " the directory " + tenant + ". Check that you have the correct principal ID. If you are"
                            + " creating this principal and then immediately assigning a role, this error might be related to"
                            + " a replication delay. In this case, set the role assignment principalType property to a value,"
                            + " such as ServicePrincipal, User, or Group.  See https://aka.ms/docs-principaltype");
        }
        if (principalType != null && visible && !principalType.equals("ServicePrincipal")) {
            return error(
                    400,
                    "UnmatchedPrincipalType",
                    "The PrincipalId '" + principalId.replace("-", "") + "' has"
                            + " type 'ServicePrincipal' , which is different from specified PrincipalType '"
                            + principalType
                            + "'.");
        }
        RoleAssignments.Assignment created = emulator.rbac.put(new RoleAssignments.Assignment(
                name,
                scope,
                roleId,
                principalId,
                principalType == null ? "ServicePrincipal" : principalType,
                props.path("description").isTextual() ? props.get("description").asText() : null,
                now,
                caller.objectId(),
                now.plus(emulator.rbac.grantPropagation)));
        return Http.Response.json(201, json(emulator, created));
    }

    /** The same principal, role and scope already assigned, under this name or another. */
    private static Http.Response exists(RoleAssignments.Assignment a) {
        return error(
                409,
                "RoleAssignmentExists",
                "The role assignment already exists. The ID of the existing role" + " assignment is "
                        + a.name.replace("-", "") + ".");
    }

    /** A scope must name a subscription, resource group or vault that exists (keys are not checked). */
    private Http.Response checkScope(String scope) {
        Matcher vault = ArmService.VAULT.matcher(scope);
        Matcher key = ArmService.KEY_SCOPE.matcher(scope);
        Matcher rg = ArmService.RESOURCE_GROUP.matcher(scope);
        Matcher sub = ArmService.SUBSCRIPTION.matcher(scope);
        if (vault.matches() || key.matches()) {
            Matcher v = vault.matches() ? vault : key;
            if (emulator.resources
                    .resourceGroup(emulator.subscriptionId, v.group(2))
                    .isEmpty()) {
                return ArmOperations.groupNotFound(v.group(2));
            }
            Optional<Resources.Vault> found = emulator.resources.vault(v.group(3));
            if (found.isEmpty() || !found.get().resourceGroup.equalsIgnoreCase(v.group(2))) {
                return error(
                        404,
                        "ResourceNotFound",
                        "The Resource 'Microsoft.KeyVault/vaults/" + v.group(3) + "'"
                                + " under resource group '" + v.group(2)
                                + "' was not found. For more details please go to"
                                + " https://aka.ms/ARMResourceNotFoundFix");
            }
            return null;
        }
        if (rg.matches()) {
            return emulator.resources
                            .resourceGroup(emulator.subscriptionId, rg.group(2))
                            .isPresent()
                    ? null
                    : ArmOperations.groupNotFound(rg.group(2));
        }
        if (sub.matches()) {
            return null;
        }
        return error(400, "InvalidScope", "The scope '" + scope + "' is not valid for role assignments here.");
    }

    static ObjectNode json(AzureEmulator emulator, RoleAssignments.Assignment a) {
        ObjectNode n = Http.object()
                .put("id", a.id())
                .put("name", a.name)
                .put("type", "Microsoft.Authorization/roleAssignments");
        n.putObject("properties")
                .put(
                        "roleDefinitionId",
                        "/subscriptions/" + emulator.subscriptionId
                                + "/providers/Microsoft.Authorization/roleDefinitions/" + a.roleId)
                .put("principalId", a.principalId)
                .put("principalType", a.principalType)
                .put("scope", a.scope)
                .putNull("condition")
                .putNull("conditionVersion")
                .put("createdOn", a.createdOn.toString())
                .put("updatedOn", a.createdOn.toString())
                .put("createdBy", a.createdBy)
                .put("updatedBy", a.createdBy)
                .putNull("delegatedManagedIdentityResourceId")
                .put("description", a.description);
        return n;
    }
}
