package dev.cmek.azure;

import com.azure.core.http.HttpMethod;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Azure role assignments (https://learn.microsoft.com/rest/api/authorization/role-assignments), at 2022-04-01: read by
 * name, listed for a principal at, above and below a scope, written under a deterministic name with
 * {@code principalType}, deleted.
 */
final class RoleAssignments {
    static final String API = "2022-04-01";
    static final String SERVICE_PRINCIPAL = "ServicePrincipal";

    /** An assignment as ARM answers it; {@code scope} as written. */
    record Assignment(
            String id, String name, String scope, String roleDefinitionId, String principalId, String principalType) {
        /** The role definition's GUID. */
        String roleId() {
            return roleDefinitionId
                    .substring(roleDefinitionId.lastIndexOf('/') + 1)
                    .toLowerCase(Locale.ROOT);
        }

        boolean is(BuiltInRole role) {
            return role.id().equals(roleId());
        }

        boolean atScope(String other) {
            return scope.equalsIgnoreCase(other);
        }

        /** Whether the assignment reaches {@code resource}: at it, or at a scope above it. */
        boolean covers(String resource) {
            String s = scope.toLowerCase(Locale.ROOT);
            String r = resource.toLowerCase(Locale.ROOT);
            return s.equals("/") || r.equals(s) || r.startsWith(s.endsWith("/") ? s : s + "/");
        }

        boolean forPrincipal(String objectId) {
            return principalId != null && principalId.equalsIgnoreCase(objectId);
        }

        String describe() {
            return BuiltInRole.describe(roleDefinitionId) + " for " + principalId + " at " + scope;
        }
    }

    private final AzureClients clients;

    RoleAssignments(AzureClients clients) {
        this.clients = clients;
    }

    static String id(String scope, String name) {
        return scope + "/providers/Microsoft.Authorization/roleAssignments/" + name;
    }

    Optional<Assignment> find(String scope, String name) {
        String id = id(scope, name);
        RestApi.Answer a = clients.arm().get("read role assignment", id, id + "?api-version=" + API, 404);
        return a.ok() ? Optional.of(assignment(a.body())) : Optional.empty();
    }

    /**
     * A principal's assignments at, above and below {@code scope} ("principalId eq" lists all three:
     * https://learn.microsoft.com/rest/api/authorization/role-assignments/list-for-scope); empty when the scope is gone.
     */
    List<Assignment> forPrincipal(String scope, String principalId) {
        return list(scope, "principalId eq '" + principalId + "'");
    }

    /** Every assignment at, above and below {@code scope}; empty when the scope is gone. */
    List<Assignment> around(String scope) {
        return list(scope, null);
    }

    private List<Assignment> list(String scope, String filter) {
        String path = scope + "/providers/Microsoft.Authorization/roleAssignments?api-version=" + API
                + (filter == null ? "" : "&$filter=" + RestApi.encode(filter));
        List<JsonNode> found = clients.arm().list("list role assignments", scope, path, 404);
        return found == null
                ? List.of()
                : found.stream().map(RoleAssignments::assignment).toList();
    }

    /** What a write found: made now, or already there (under this name or, {@code RoleAssignmentExists}, another). */
    enum Written {
        CREATED,
        EXISTS
    }

    /**
     * Writes the assignment under {@code name}. {@code principalType} lets ARM accept a principal the directory has not
     * replicated yet
     * (https://learn.microsoft.com/azure/role-based-access-control/role-assignments-template#new-service-principal);
     * the same principal, role and scope under another name answers 409 {@code RoleAssignmentExists}, which is the
     * assignment we want.
     */
    Written create(String scope, String name, String roleDefinitionId, String principalId, String description) {
        String id = id(scope, name);
        ObjectNode body = Json.object();
        body.putObject("properties")
                .put("roleDefinitionId", roleDefinitionId)
                .put("principalId", principalId)
                .put("principalType", SERVICE_PRINCIPAL)
                .put("description", description);
        RestApi.Answer a = clients.arm()
                .call("create role assignment", id, HttpMethod.PUT, id + "?api-version=" + API, body, 400, 409);
        if (a.ok()) {
            return Written.CREATED;
        }
        if (a.status() == 409 && "RoleAssignmentExists".equalsIgnoreCase(a.code())) {
            return Written.EXISTS;
        }
        if (a.status() == 400 && "PrincipalNotFound".equalsIgnoreCase(a.code())) {
            throw new PrincipalNotFound(a.message());
        }
        throw AzureCall.answered(
                clients,
                CallFailedException.Service.ARM,
                "create role assignment",
                id,
                a.status(),
                a.code(),
                a.message());
    }

    /** Deletes the assignment; whether there was one (ARM answers 204 when there was nothing to delete). */
    boolean delete(String scope, String name) {
        String id = id(scope, name);
        return clients.arm()
                        .call("delete role assignment", id, HttpMethod.DELETE, id + "?api-version=" + API, null)
                        .status()
                == 200;
    }

    static Assignment assignment(JsonNode n) {
        JsonNode p = n.path("properties");
        return new Assignment(
                Json.text(n, "id"),
                Json.text(n, "name"),
                Json.text(p, "scope"),
                Json.text(p, "roleDefinitionId"),
                Json.text(p, "principalId"),
                Json.text(p, "principalType"));
    }

    /** ARM's 400 {@code PrincipalNotFound}: the directory has not replicated the principal to ARM yet. */
    static final class PrincipalNotFound extends RuntimeException {
        PrincipalNotFound(String message) {
            super(message);
        }
    }
}
