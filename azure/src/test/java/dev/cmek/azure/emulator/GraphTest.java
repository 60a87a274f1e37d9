package dev.cmek.azure.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.core.management.exception.ManagementException;
import com.azure.resourcemanager.authorization.AuthorizationManager;
import com.azure.resourcemanager.authorization.fluent.models.MicrosoftGraphServicePrincipalInner;
import com.azure.resourcemanager.authorization.models.ServicePrincipal;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Microsoft Graph service principals through the authorization library's Graph client, and raw v1.0 shapes. */
class GraphTest extends EmulatorTest {
    private static final String GRAPH = "https://graph.microsoft.com/v1.0";

    @Test
    void servicePrincipal_createdForMultiTenantApp_isFoundByIdAppIdAndFilter() {
        String appId = UUID.randomUUID().toString();
        emulator.registerMultiTenantApp(appId, "CockroachDB Cloud - cluster-3");
        AuthorizationManager authorization = sdk.authorization(admin);

        MicrosoftGraphServicePrincipalInner created = authorization
                .serviceClient()
                .getServicePrincipalsServicePrincipals()
                .createServicePrincipal(new MicrosoftGraphServicePrincipalInner().withAppId(appId));

        ServicePrincipal byId = authorization.servicePrincipals().getById(created.id());
        assertEquals(appId, byId.applicationId());
        assertEquals(
                created.id(), authorization.servicePrincipals().getByName(appId).id());
        List<String> filtered = authorization.servicePrincipals().listByFilter("appId eq '" + appId + "'").stream()
                .map(ServicePrincipal::id)
                .collect(Collectors.toList());
        assertEquals(List.of(created.id()), filtered);
        assertEquals(
                emulator.cockroachTenantId(), created.appOwnerOrganizationId().toString());
        assertEquals(1, emulator.callCount("graph.servicePrincipals.create"));
    }

    @Test
    void graphToken_namesApplicationReadWriteAll_onlyForAPrincipalThatMayWriteTheDirectory() {
        EmulatorViews.ClientCredentials reader = emulator.registerApp("reader");

        JsonNode admin = claims(raw.token(emulator.admin(), "https://graph.microsoft.com/.default"));
        JsonNode plain = claims(raw.token(reader, "https://graph.microsoft.com/.default"));
        JsonNode arm = claims(raw.token(emulator.admin(), "https://management.azure.com/.default"));

        assertEquals("Application.ReadWrite.All", admin.path("roles").path(0).asText());
        assertTrue(plain.path("roles").isMissingNode(), plain.toString());
        assertTrue(arm.path("roles").isMissingNode(), arm.toString());
    }

    private static JsonNode claims(String jwt) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(java.util.Base64.getUrlDecoder().decode(jwt.split("\\.")[1]));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void rawShapes_getByAppIdPatchAndErrors() {
        String appId = UUID.randomUUID().toString();
        emulator.registerMultiTenantApp(appId, "CockroachDB Cloud - cluster-4");
        String token = raw.token(emulator.admin(), "https://graph.microsoft.com/.default");

        HttpResponse<String> created =
                raw.call("POST", GRAPH + "/servicePrincipals", token, "{\"appId\":\"" + appId + "\"}");
        assertEquals(201, created.statusCode());
        String id = RawHttp.json(created).get("id").asText();
        assertEquals(
                "https://graph.microsoft.com/v1.0/$metadata#servicePrincipals/$entity",
                RawHttp.json(created).get("@odata.context").asText());

        JsonNode byAppId =
                RawHttp.json(raw.call("GET", GRAPH + "/servicePrincipals(appId='" + appId + "')", token, null));
        assertEquals(id, byAppId.get("id").asText());
        assertTrue(byAppId.get("accountEnabled").asBoolean());
        JsonNode list = RawHttp.json(
                raw.call("GET", GRAPH + "/servicePrincipals?$filter=appId%20eq%20'" + appId + "'", token, null));
        assertEquals(1, list.get("value").size());

        assertEquals(
                204,
                raw.call("PATCH", GRAPH + "/servicePrincipals/" + id, token, "{\"accountEnabled\":false}")
                        .statusCode());
        assertEquals(
                false,
                RawHttp.json(raw.call("GET", GRAPH + "/servicePrincipals/" + id, token, null))
                        .get("accountEnabled")
                        .asBoolean());

        HttpResponse<String> again =
                raw.call("POST", GRAPH + "/servicePrincipals", token, "{\"appId\":\"" + appId + "\"}");
        assertEquals(409, again.statusCode());
        assertEquals(
                "Request_MultipleObjectsWithSameKeyValue",
                RawHttp.json(again).path("error").path("code").asText());

        HttpResponse<String> missing = raw.call("GET", GRAPH + "/servicePrincipals/" + UUID.randomUUID(), token, null);
        assertEquals(404, missing.statusCode());
        JsonNode error = RawHttp.json(missing).get("error");
        assertEquals("Request_ResourceNotFound", error.get("code").asText());
        assertTrue(error.get("innerError").has("request-id"));

        HttpResponse<String> unknownApp =
                raw.call("POST", GRAPH + "/servicePrincipals", token, "{\"appId\":\"" + UUID.randomUUID() + "\"}");
        assertEquals(400, unknownApp.statusCode());
        assertEquals(
                "Request_BadRequest",
                RawHttp.json(unknownApp).path("error").path("code").asText());

        assertEquals(
                400,
                raw.call("GET", "https://graph.microsoft.com/v9.9/servicePrincipals", token, null)
                        .statusCode());
        assertEquals(
                401, raw.call("GET", GRAPH + "/servicePrincipals", null, null).statusCode());
    }

    @Test
    void createServicePrincipal_withoutDirectoryRights_isAuthorizationRequestDenied() {
        String appId = UUID.randomUUID().toString();
        emulator.registerMultiTenantApp(appId, "CockroachDB Cloud - cluster-5");
        EmulatorViews.ClientCredentials plain = emulator.registerApp("no-directory-rights");
        String body = "{\"appId\":\"" + appId + "\"}";

        HttpResponse<String> r = raw.call(
                "POST", GRAPH + "/servicePrincipals", raw.token(plain, "https://graph.microsoft.com/.default"), body);
        assertEquals(403, r.statusCode());
        assertEquals(
                "Authorization_RequestDenied",
                RawHttp.json(r).path("error").path("code").asText());
        assertEquals(
                "Insufficient privileges to complete the operation.",
                RawHttp.json(r).path("error").path("message").asText());

        emulator.directoryWrites(emulator.admin().clientId(), false);
        ManagementException e = assertThrows(
                ManagementException.class,
                () -> sdk.authorization(admin)
                        .serviceClient()
                        .getServicePrincipalsServicePrincipals()
                        .createServicePrincipal(new MicrosoftGraphServicePrincipalInner().withAppId(appId)));
        assertEquals(403, e.getResponse().getStatusCode());
        emulator.directoryWrites(emulator.admin().clientId(), true);
        assertEquals(
                201,
                raw.call(
                                "POST",
                                GRAPH + "/servicePrincipals",
                                raw.token(emulator.admin(), "https://graph.microsoft.com/.default"),
                                body)
                        .statusCode());
    }
}
