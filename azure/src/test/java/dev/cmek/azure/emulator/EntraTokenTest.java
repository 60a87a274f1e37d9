package dev.cmek.azure.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenRequestContext;
import com.azure.resourcemanager.authorization.fluent.models.MicrosoftGraphServicePrincipalInner;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Entra ID's client-credentials grant (getTokenSync surfaces MSAL's MsalServiceException in a RuntimeException) through the real ClientSecretCredential (MSAL) with the emulator as authority. */
class EntraTokenTest extends EmulatorTest {

    private static JsonNode claims(String jwt) {
        try {
            return RawHttp.JSON.readTree(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String tokenUrl(String tenant) {
        return "https://login.microsoftonline.com/" + tenant + "/oauth2/v2.0/token";
    }

    @Test
    void clientSecretCredential_getsJwtNamingAudienceTenantObjectAndApp() {
        for (Map.Entry<String, String> e : Map.of(
                        "https://vault.azure.net/.default", "https://vault.azure.net",
                        "https://management.azure.com/.default", "https://management.azure.com/",
                        "https://graph.microsoft.com/.default", "https://graph.microsoft.com")
                .entrySet()) {
            AccessToken token = admin.getTokenSync(new TokenRequestContext().addScopes(e.getKey()));
            JsonNode c = claims(token.getToken());
            assertEquals(e.getValue(), c.get("aud").asText());
            assertEquals(emulator.tenantId(), c.get("tid").asText());
            assertEquals(emulator.admin().objectId(), c.get("oid").asText());
            assertEquals(emulator.admin().clientId(), c.get("appid").asText());
            assertTrue(c.get("exp").asLong() > Instant.now().plusSeconds(3000).getEpochSecond());
        }
    }

    @Test
    void msalAskingEntraAboutTheEmulatorsAuthority_isRefused_soItIsUsedWithInstanceDiscoveryOff() {
        // As localhost: MSAL keeps what it learnt of a host for the JVM's life, and this JVM's other credentials use
        // the emulator's 127.0.0.1 authority without discovery.
        var asked = sdk.adminWithDiscovery("https://localhost:" + emulator.port());
        emulator.resetCallCounts();

        RuntimeException e = assertThrows(
                RuntimeException.class,
                () -> asked.getTokenSync(new TokenRequestContext().addScopes("https://vault.azure.net/.default")));

        assertTrue(e.getMessage().contains("AADSTS50049"), e.getMessage());
        assertTrue(
                emulator.callCount("entra.instanceDiscovery") > 0,
                emulator.callCounts().toString());
        assertEquals(0, emulator.callCount("entra.token"), "no secret sent to an authority Entra does not know");
        assertEquals("true", emulator.env().get("AZURE_DISABLE_INSTANCE_DISCOVERY"));
    }

    @Test
    void msalWithEntrasOwnAuthority_signsIn_throughTheEmulator() {
        // Azure's default authority, reached through the emulator's proxy. MSAL asks discovery about a host once per
        // JVM, and skips it where an earlier credential of this fork left an entry for the host (msal4j 1.23 leaves a
        // default one when discovery is off, and for managed identity); when asked, the emulator answers it.
        var entra = sdk.adminWithDiscovery("https://login.microsoftonline.com/");
        emulator.resetCallCounts();

        AccessToken token = entra.getTokenSync(new TokenRequestContext().addScopes("https://vault.azure.net/.default"));

        assertEquals(emulator.tenantId(), claims(token.getToken()).get("tid").asText());
        assertTrue(
                emulator.requestLog().stream()
                        .noneMatch(c -> c.operation().equals("entra.instanceDiscovery") && c.status() != 200),
                emulator.requestLog().toString());
        assertTrue(
                emulator.requestLog().stream()
                        .anyMatch(c -> c.operation().equals("entra.token")
                                && c.host().equals("login.microsoftonline.com")
                                && c.status() == 200),
                emulator.requestLog().toString());
    }

    @Test
    void wrongSecret_isInvalidClientAadsts7000215() {
        var credential = sdk.credential(emulator.tenantId(), emulator.admin().clientId(), "not-the-secret");

        RuntimeException e = assertThrows(
                RuntimeException.class,
                () -> credential.getTokenSync(new TokenRequestContext().addScopes("https://vault.azure.net/.default")));
        assertTrue(e.getMessage().contains("AADSTS7000215"), e.getMessage());

        HttpResponse<String> r = raw.form(
                tokenUrl(emulator.tenantId()),
                Map.of(
                        "grant_type", "client_credentials",
                        "client_id", emulator.admin().clientId(),
                        "client_secret", "nope",
                        "scope", "https://vault.azure.net/.default"));
        assertEquals(401, r.statusCode());
        JsonNode body = RawHttp.json(r);
        assertEquals("invalid_client", body.get("error").asText());
        assertEquals(7000215, body.get("error_codes").get(0).asInt());
        assertTrue(body.get("error_description").asText().startsWith("AADSTS7000215: Invalid client secret provided."));
    }

    @Test
    void unknownApp_isAadsts700016() {
        HttpResponse<String> r = raw.form(
                tokenUrl(emulator.tenantId()),
                Map.of(
                        "grant_type", "client_credentials",
                        "client_id", UUID.randomUUID().toString(),
                        "client_secret", "x",
                        "scope", "https://vault.azure.net/.default"));

        assertEquals(400, r.statusCode());
        assertEquals("unauthorized_client", RawHttp.json(r).get("error").asText());
        assertTrue(RawHttp.json(r)
                .get("error_description")
                .asText()
                .startsWith("AADSTS700016: Application with identifier"));
    }

    @Test
    void unknownTenantOrScopeWithoutDefault_areRefusedAsEntraWordsThem() {
        EmulatorViews.ClientCredentials a = emulator.admin();
        HttpResponse<String> tenant = raw.form(
                tokenUrl(UUID.randomUUID().toString()),
                Map.of(
                        "grant_type",
                        "client_credentials",
                        "client_id",
                        a.clientId(),
                        "client_secret",
                        a.clientSecret(),
                        "scope",
                        "https://vault.azure.net/.default"));
        assertTrue(RawHttp.json(tenant).get("error_description").asText().startsWith("AADSTS90002"));

        HttpResponse<String> scope = raw.form(
                tokenUrl(a.tenantId()),
                Map.of(
                        "grant_type",
                        "client_credentials",
                        "client_id",
                        a.clientId(),
                        "client_secret",
                        a.clientSecret(),
                        "scope",
                        "https://vault.azure.net/keys.read"));
        assertEquals("invalid_scope", RawHttp.json(scope).get("error").asText());
        assertTrue(RawHttp.json(scope).get("error_description").asText().startsWith("AADSTS1002012"));
    }

    @Test
    void multiTenantApp_getsCustomerTokenOnlyOnceItsServicePrincipalExistsThere() {
        String appId = UUID.randomUUID().toString();
        EmulatorViews.ClientCredentials home = emulator.registerMultiTenantApp(appId, "CockroachDB Cloud - cluster-1");
        var inCustomer = sdk.credential(emulator.tenantId(), appId, home.clientSecret());
        TokenRequestContext vaultScope = new TokenRequestContext().addScopes("https://vault.azure.net/.default");

        RuntimeException before = assertThrows(RuntimeException.class, () -> inCustomer.getTokenSync(vaultScope));
        assertTrue(before.getMessage().contains("AADSTS700016"), before.getMessage());
        sdk.credential(home).getTokenSync(vaultScope);

        MicrosoftGraphServicePrincipalInner sp = sdk.authorization(admin)
                .serviceClient()
                .getServicePrincipalsServicePrincipals()
                .createServicePrincipal(new MicrosoftGraphServicePrincipalInner().withAppId(appId));

        JsonNode c = claims(inCustomer.getTokenSync(vaultScope).getToken());
        assertEquals(emulator.tenantId(), c.get("tid").asText());
        assertEquals(sp.id(), c.get("oid").asText(), "oid is the service principal in the customer tenant");
        assertEquals(appId, c.get("appid").asText());
    }

    @Test
    void multiTenantApp_givesAnotherCallerTheRegisteredCredentials_untilReset() {
        String appId = UUID.randomUUID().toString();
        assertTrue(emulator.multiTenantApp(appId).isEmpty());
        EmulatorViews.ClientCredentials home = emulator.registerMultiTenantApp(appId, "CockroachDB Cloud - cluster-8");
        assertEquals(home, emulator.multiTenantApp(appId).orElseThrow());
        assertTrue(emulator.multiTenantApp(emulator.admin().clientId()).isEmpty(), "not the customer's own apps");
        emulator.reset();
        assertTrue(emulator.multiTenantApp(appId).isEmpty());
    }

    @Test
    void disabledServicePrincipal_getsAadsts7000112_butTokensAlreadyIssuedKeepWorking() {
        String appId = UUID.randomUUID().toString();
        EmulatorViews.ClientCredentials home = emulator.registerMultiTenantApp(appId, "CockroachDB Cloud - cluster-2");
        String adminGraph = raw.token(emulator.admin(), "https://graph.microsoft.com/.default");
        HttpResponse<String> created = raw.call(
                "POST",
                "https://graph.microsoft.com/v1.0/servicePrincipals",
                adminGraph,
                "{\"appId\":\"" + appId + "\"}");
        assertEquals(201, created.statusCode());
        EmulatorViews.ClientCredentials customer =
                new EmulatorViews.ClientCredentials(emulator.tenantId(), appId, home.clientSecret(), null);
        String issued = raw.token(customer, "https://graph.microsoft.com/.default");

        HttpResponse<String> patch = raw.call(
                "PATCH",
                "https://graph.microsoft.com/v1.0/servicePrincipals(appId='" + appId + "')",
                adminGraph,
                "{\"accountEnabled\":false}");
        assertEquals(204, patch.statusCode());

        HttpResponse<String> refused = raw.form(
                tokenUrl(emulator.tenantId()),
                Map.of(
                        "grant_type",
                        "client_credentials",
                        "client_id",
                        appId,
                        "client_secret",
                        home.clientSecret(),
                        "scope",
                        "https://vault.azure.net/.default"));
        assertEquals(400, refused.statusCode());
        assertEquals("unauthorized_client", RawHttp.json(refused).get("error").asText());
        assertTrue(RawHttp.json(refused)
                .get("error_description")
                .asText()
                .startsWith("AADSTS7000112: Application '" + appId + "'"));
        RuntimeException viaSdk = assertThrows(
                RuntimeException.class,
                () -> sdk.credential(customer)
                        .getTokenSync(new TokenRequestContext().addScopes("https://vault.azure.net/.default")));
        assertTrue(viaSdk.getMessage().contains("AADSTS7000112"), viaSdk.getMessage());
        // Disabling sign-in stops new tokens only; the one already issued is good until it expires.
        assertEquals(
                200,
                raw.call("GET", "https://graph.microsoft.com/v1.0/servicePrincipals", issued, null)
                        .statusCode());
        assertEquals(
                false,
                emulator.servicePrincipal(emulator.tenantId(), appId)
                        .orElseThrow()
                        .accountEnabled());
    }

    @Test
    void discovery_describesEntrasOwnInstances_andRefusesAnyOtherHost_asEntraDoes() {
        RawHttp direct = new RawHttp(emulator, false);

        JsonNode openid = RawHttp.json(direct.call(
                "GET",
                emulator.authorityHost() + "/" + emulator.tenantId() + "/v2.0/.well-known/openid-configuration",
                null,
                null));
        assertEquals(
                emulator.authorityHost() + "/" + emulator.tenantId() + "/oauth2/v2.0/token",
                openid.get("token_endpoint").asText());

        String discovery = "https://login.microsoftonline.com/common/discovery/instance?api-version=1.1"
                + "&authorization_endpoint=https://";
        JsonNode instance = RawHttp.json(raw.call(
                "GET",
                discovery + "login.microsoftonline.com/" + emulator.tenantId() + "/oauth2/v2.0/authorize",
                null,
                null));
        assertEquals(
                "https://login.microsoftonline.com/" + emulator.tenantId() + "/v2.0/.well-known/openid-configuration",
                instance.get("tenant_discovery_endpoint").asText());

        // The emulator's own address is no instance Entra knows: a private cloud's authority.
        HttpResponse<String> unknown = raw.call(
                "GET",
                discovery + "127.0.0.1:" + emulator.port() + "/" + emulator.tenantId() + "/oauth2/v2.0/authorize",
                null,
                null);
        assertEquals(400, unknown.statusCode());
        JsonNode refused = RawHttp.json(unknown);
        assertEquals("invalid_instance", refused.get("error").asText());
        assertEquals(50049, refused.get("error_codes").get(0).asInt());
        assertTrue(refused.get("error_description").asText().startsWith("AADSTS50049: Unknown or invalid instance."));

        JsonNode keys = RawHttp.json(direct.call(
                "GET", emulator.authorityHost() + "/" + emulator.tenantId() + "/discovery/v2.0/keys", null, null));
        String kid = keys.get("keys").get(0).get("kid").asText();
        String header = new String(
                Base64.getUrlDecoder()
                        .decode(raw.token(emulator.admin(), "https://vault.azure.net/.default")
                                .split("\\.")[0]),
                StandardCharsets.UTF_8);
        assertTrue(header.contains(kid), "tokens name the key the JWKS publishes");
    }
}
