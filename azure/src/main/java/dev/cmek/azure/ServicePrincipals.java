package dev.cmek.azure;

import com.azure.core.http.HttpMethod;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/**
 * The cluster app's service principal in the customer's tenant, through Microsoft Graph v1.0
 * (https://learn.microsoft.com/graph/api/resources/serviceprincipal): found by appId, created for the multi-tenant app
 * (what admin consent would do), and its sign-in turned off and on ({@code accountEnabled}).
 */
final class ServicePrincipals {
    /** A service principal as Graph answers it. */
    record Principal(
            String id, String appId, String displayName, boolean accountEnabled, String appOwnerOrganizationId) {
        String describe() {
            return "\"" + displayName + "\", object id " + id;
        }
    }

    private final AzureClients clients;

    ServicePrincipals(AzureClients clients) {
        this.clients = clients;
    }

    static String resource(String appId) {
        return "servicePrincipals(appId='" + appId + "')";
    }

    Optional<Principal> find(String appId) {
        RestApi.Answer a =
                clients.graph().get("read service principal", resource(appId), "/v1.0/" + resource(appId), 404);
        return a.ok() ? Optional.of(principal(a.body())) : Optional.empty();
    }

    /** The principal with this object id; empty when there is none. */
    Optional<Principal> findById(String objectId) {
        String resource = "servicePrincipals/" + objectId;
        RestApi.Answer a = clients.graph().get("read service principal", resource, "/v1.0/" + resource, 404);
        return a.ok() ? Optional.of(principal(a.body())) : Optional.empty();
    }

    /**
     * Creates the service principal of a multi-tenant app in the caller's tenant
     * (https://learn.microsoft.com/graph/api/serviceprincipal-post-serviceprincipals). Refused for lack of
     * Application.ReadWrite.All ({@code Authorization_RequestDenied}): {@link ConsentRequiredException}.
     */
    Principal create(String tenantId, String appId) {
        RestApi.Answer a = clients.graph()
                .call(
                        "create service principal",
                        resource(appId),
                        HttpMethod.POST,
                        "/v1.0/servicePrincipals",
                        Json.object().put("appId", appId),
                        400,
                        403,
                        409);
        if (a.ok()) {
            return principal(a.body());
        }
        if (a.status() == 403) {
            throw new ConsentRequiredException(tenantId, appId, "Graph: " + a.code());
        }
        if (a.status() == 409) {
            // Made meanwhile (a lost reply retried, or an administrator consenting now): the one that exists is ours.
            return find(appId)
                    .orElseThrow(() -> AzureCall.answered(
                            clients,
                            CallFailedException.Service.GRAPH,
                            "create service principal",
                            resource(appId),
                            409,
                            a.code(),
                            a.message()));
        }
        throw new InvalidInputException("Microsoft Graph does not know the cluster's app " + appId + " ("
                + a.code() + ": " + CallFailedException.oneLine(a.message())
                + "): check the cluster's azure_cluster_identity_client_id.");
    }

    /** Turns the principal's sign-in off or on: with it off, Entra ID issues it no new token. */
    void setAccountEnabled(Principal p, boolean enabled) {
        clients.graph()
                .call(
                        enabled ? "enable service principal sign-in" : "disable service principal sign-in",
                        "servicePrincipals/" + p.id(),
                        HttpMethod.PATCH,
                        "/v1.0/servicePrincipals/" + p.id(),
                        Json.object().put("accountEnabled", enabled));
    }

    static Principal principal(JsonNode n) {
        return new Principal(
                Json.text(n, "id"),
                Json.text(n, "appId"),
                Json.text(n, "displayName"),
                n.path("accountEnabled").asBoolean(true),
                Json.text(n, "appOwnerOrganizationId"));
    }
}
