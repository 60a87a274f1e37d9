package dev.cmek.azure.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.core.credential.TokenCredential;
import com.azure.core.exception.HttpResponseException;
import com.azure.resourcemanager.authorization.models.BuiltInRole;
import com.azure.resourcemanager.authorization.models.RoleAssignment;
import com.azure.security.keyvault.keys.KeyClient;
import com.azure.security.keyvault.keys.cryptography.CryptographyClient;
import com.azure.security.keyvault.keys.cryptography.models.EncryptionAlgorithm;
import com.azure.security.keyvault.keys.cryptography.models.KeyWrapAlgorithm;
import com.azure.security.keyvault.keys.models.CreateRsaKeyOptions;
import com.azure.security.keyvault.keys.models.KeyVaultKey;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Key Vault authentication (the bearer challenge) and authorization (RBAC with propagation, access policies). */
class KeyVaultAccessTest extends EmulatorTest {

    private static String keyUrl(String vault, KeyVaultKey key, String op) {
        return "https://" + vault + ".vault.azure.net/keys/" + key.getName() + "/"
                + key.getProperties().getVersion() + "/" + op + "?api-version=7.6";
    }

    @Test
    void requestWithoutToken_gets401ChallengeNamingTenantAndVaultResource() {
        String vault = vaultName("kvch");
        createVault(vault, false, false);

        HttpResponse<String> r =
                raw.call("GET", "https://" + vault + ".vault.azure.net/keys?api-version=7.6", null, null);

        assertEquals(401, r.statusCode());
        assertEquals(
                "Bearer authorization=\"https://login.microsoftonline.com/" + emulator.tenantId()
                        + "\", resource=\"https://vault.azure.net\"",
                r.headers().firstValue("WWW-Authenticate").orElseThrow());
        assertEquals("Unauthorized", RawHttp.json(r).path("error").path("code").asText());
    }

    @Test
    void sdkChallengePolicy_acceptsTheChallenge_thenSendsTheVaultToken() {
        String vault = vaultName("kvsdkch");
        createVault(vault, false, false);
        emulator.resetCallCounts();

        sdk.keys(vault, admin).createRsaKey(new CreateRsaKeyOptions("k"));

        List<EmulatorViews.Call> creates = emulator.requestLog().stream()
                .filter(c -> c.operation().equals("keyvault.keys.create"))
                .toList();
        assertEquals(401, creates.get(0).status());
        assertEquals("-", creates.get(0).caller(), "the first request carries no token, and no body");
        assertEquals(200, creates.get(1).status());
        assertEquals(emulator.admin().objectId(), creates.get(1).caller());
        assertEquals(
                1,
                emulator.requestLog().stream()
                        .filter(c -> c.operation().equals("entra.token"))
                        .count());
    }

    @Test
    void tokenForAnotherAudience_is401InvalidAudience() {
        String vault = vaultName("kvaud");
        createVault(vault, false, false);
        String armToken = raw.token(emulator.admin(), "https://management.azure.com/.default");

        HttpResponse<String> r =
                raw.call("GET", "https://" + vault + ".vault.azure.net/keys?api-version=7.6", armToken, null);

        assertEquals(401, r.statusCode());
        assertTrue(
                RawHttp.json(r).path("error").path("message").asText().startsWith("AKV10022: Invalid audience"),
                r.body());
        assertTrue(r.headers()
                .firstValue("WWW-Authenticate")
                .orElseThrow()
                .contains("resource=\"https://vault.azure.net\""));
    }

    @Test
    void unknownOrExpiredToken_is401() {
        String vault = vaultName("kvexp");
        createVault(vault, false, false);
        String url = "https://" + vault + ".vault.azure.net/keys?api-version=7.6";

        assertEquals(
                401, raw.call("GET", url, "eyJhbGciOiJub25lIn0.eyJ9.", null).statusCode());
        try (AzureEmulator other = AzureEmulator.start(0)) {
            String foreign = new RawHttp(other).token(other.admin(), "https://vault.azure.net/.default");
            assertEquals(401, raw.call("GET", url, foreign, null).statusCode(), "signed by another emulator's key");
        }
        emulator.tokenLifetime(Duration.ZERO);
        String expired = raw.token(emulator.admin(), "https://vault.azure.net/.default");
        emulator.tokenLifetime(AzureEmulator.DEFAULT_TOKEN_LIFETIME);
        HttpResponse<String> r = raw.call("GET", url, expired, null);
        assertEquals(401, r.statusCode());
        assertTrue(r.body().contains("expired"), r.body());
    }

    @Test
    void tokenFromAnotherTenant_is401InvalidIssuer() {
        String vault = vaultName("kviss");
        createVault(vault, false, false);
        EmulatorViews.ClientCredentials app =
                emulator.registerMultiTenantApp(UUID.randomUUID().toString(), "CockroachDB Cloud - c1");

        String homeToken = raw.token(app, "https://vault.azure.net/.default");
        HttpResponse<String> r =
                raw.call("GET", "https://" + vault + ".vault.azure.net/keys?api-version=7.6", homeToken, null);

        assertEquals(401, r.statusCode());
        assertTrue(r.body().contains("AKV10032: Invalid issuer"), r.body());
    }

    @Test
    void unknownApiVersion_isBadParameter() {
        String vault = vaultName("kvapi");
        createVault(vault, false, false);
        String token = raw.token(emulator.admin(), "https://vault.azure.net/.default");

        HttpResponse<String> r =
                raw.call("GET", "https://" + vault + ".vault.azure.net/keys?api-version=9.9", token, null);

        assertEquals(400, r.statusCode());
        JsonNode error = RawHttp.json(r).path("error");
        assertEquals("BadParameter", error.path("code").asText());
        assertTrue(error.path("message").asText().startsWith("The specified version (9.9) is not recognized."));
    }

    @Test
    void keyOperation_withoutRoleAssignment_isForbiddenByRbac() {
        String vault = vaultName("kvrbac");
        createVault(vault, false, false);
        KeyVaultKey key = sdk.keys(vault, admin).createRsaKey(new CreateRsaKeyOptions("k"));
        EmulatorViews.ClientCredentials app = emulator.registerApp("no-roles");

        HttpResponseException e = assertThrows(
                HttpResponseException.class,
                () -> sdk.crypto(key.getId(), sdk.credential(app))
                        .decrypt(EncryptionAlgorithm.RSA_OAEP_256, new byte[256]));

        assertEquals(403, e.getResponse().getStatusCode());
        HttpResponse<String> r = raw.call(
                "POST",
                keyUrl(vault, key, "decrypt"),
                raw.token(app, "https://vault.azure.net/.default"),
                "{\"alg\":\"RSA-OAEP-256\",\"value\":\"AAAA\"}");
        JsonNode error = RawHttp.json(r).path("error");
        assertEquals("Forbidden", error.path("code").asText());
        assertEquals("ForbiddenByRbac", error.path("innererror").path("code").asText());
        assertTrue(error.path("message").asText().contains("Action: 'Microsoft.KeyVault/vaults/keys/decrypt/action'"));
        assertTrue(error.path("message").asText().contains("oid=" + app.objectId()));
    }

    @Test
    void newRoleAssignment_takesEffectOnlyAfterItsWindow() throws Exception {
        emulator.roleAssignmentPropagation(Duration.ofMillis(1500));
        String vault = vaultName("kvgrant");
        var v = createVault(vault, false, false);
        KeyVaultKey key = sdk.keys(vault, admin).createRsaKey(new CreateRsaKeyOptions("k"));
        EmulatorViews.ClientCredentials app = emulator.registerApp("grantee");
        String token = raw.token(app, "https://vault.azure.net/.default");
        String body = "{\"alg\":\"RSA-OAEP-256\",\"value\":\"" + wrapped(key) + "\"}";

        sdk.authorization(admin)
                .roleAssignments()
                .define(UUID.randomUUID().toString())
                .forObjectId(app.objectId())
                .withBuiltInRole(BuiltInRole.fromString("Key Vault Crypto User"))
                .withScope(v.id() + "/keys/k")
                .create();

        assertEquals(
                403,
                raw.call("POST", keyUrl(vault, key, "decrypt"), token, body).statusCode());
        Thread.sleep(1700);
        assertEquals(
                200,
                raw.call("POST", keyUrl(vault, key, "decrypt"), token, body).statusCode());
    }

    @Test
    void removedRoleAssignment_keepsWorkingUntilItsWindowEnds_thenFails() throws Exception {
        emulator.roleRemovalPropagation(Duration.ofMillis(1500));
        String vault = vaultName("kvrevoke");
        var v = createVault(vault, false, false);
        KeyVaultKey key = sdk.keys(vault, admin).createRsaKey(new CreateRsaKeyOptions("k"));
        EmulatorViews.ClientCredentials app = emulator.registerApp("revokee");
        TokenCredential appCredential = sdk.credential(app);
        RoleAssignment assignment = sdk.authorization(admin)
                .roleAssignments()
                .define(UUID.randomUUID().toString())
                .forObjectId(app.objectId())
                .withBuiltInRole(BuiltInRole.fromString("Key Vault Crypto User"))
                .withScope(v.id())
                .create();
        CryptographyClient crypto = sdk.crypto(key.getId(), appCredential);
        byte[] ciphertext =
                crypto.encrypt(EncryptionAlgorithm.RSA_OAEP_256, new byte[16]).getCipherText();

        sdk.authorization(admin).roleAssignments().deleteById(assignment.id());

        crypto.decrypt(EncryptionAlgorithm.RSA_OAEP_256, ciphertext);
        Thread.sleep(1700);
        HttpResponseException e = assertThrows(
                HttpResponseException.class, () -> crypto.decrypt(EncryptionAlgorithm.RSA_OAEP_256, ciphertext));
        assertEquals(403, e.getResponse().getStatusCode());
    }

    @Test
    void cryptoServiceEncryptionUser_canWrapButNotDecrypt() {
        String vault = vaultName("kvwrapper");
        createVault(vault, false, false);
        KeyVaultKey key = sdk.keys(vault, admin).createRsaKey(new CreateRsaKeyOptions("k"));
        EmulatorViews.ClientCredentials app = emulator.registerApp("wrapper");
        emulator.assignRole(
                app.objectId(),
                "Key Vault Crypto Service Encryption User",
                emulator.vault(vault).orElseThrow().id() + "/keys/k");
        CryptographyClient crypto = sdk.crypto(key.getId(), sdk.credential(app));

        byte[] wrapped =
                crypto.wrapKey(KeyWrapAlgorithm.RSA_OAEP_256, new byte[32]).getEncryptedKey();
        crypto.unwrapKey(KeyWrapAlgorithm.RSA_OAEP_256, wrapped);

        HttpResponseException e = assertThrows(
                HttpResponseException.class, () -> crypto.decrypt(EncryptionAlgorithm.RSA_OAEP_256, wrapped));
        assertEquals(403, e.getResponse().getStatusCode());
    }

    @Test
    void keyScopedAssignment_coversThatKeyOnly() {
        String vault = vaultName("kvscope");
        createVault(vault, false, false);
        KeyClient adminKeys = sdk.keys(vault, admin);
        adminKeys.createRsaKey(new CreateRsaKeyOptions("mine"));
        adminKeys.createRsaKey(new CreateRsaKeyOptions("other"));
        EmulatorViews.ClientCredentials app = emulator.registerApp("scoped");
        emulator.assignRole(
                app.objectId(),
                "Key Vault Crypto User",
                emulator.vault(vault).orElseThrow().id() + "/keys/mine");
        KeyClient keys = sdk.keys(vault, sdk.credential(app));

        keys.getKey("mine");

        assertEquals(
                403,
                assertThrows(HttpResponseException.class, () -> keys.getKey("other"))
                        .getResponse()
                        .getStatusCode());
        assertEquals(
                403,
                assertThrows(
                                HttpResponseException.class,
                                () -> keys.listPropertiesOfKeys().stream().count())
                        .getResponse()
                        .getStatusCode(),
                "listing reads the vault, not one key");
    }

    @Test
    void vaultWithAccessPolicies_refusesPermissionsThePolicyLacks() {
        String vault = vaultName("kvpolicy");
        createVault(vault, false, false);
        String arm = raw.token(emulator.admin(), "https://management.azure.com/.default");
        String body = "{\"location\":\"eastus\",\"properties\":{\"tenantId\":\"" + emulator.tenantId()
                + "\",\"sku\":{\"family\":\"A\","
                + "\"name\":\"standard\"},\"enableRbacAuthorization\":false,\"accessPolicies\":[{\"tenantId\":\""
                + emulator.tenantId() + "\",\"objectId\":\"" + emulator.admin().objectId()
                + "\",\"permissions\":{\"keys\":[\"get\",\"create\"]}}]}}";
        assertEquals(
                200,
                raw.call(
                                "PUT",
                                armBase() + "/resourceGroups/rg-cmek/providers/Microsoft.KeyVault/vaults/" + vault
                                        + "?api-version=2025-05-01",
                                arm,
                                body)
                        .statusCode());
        KeyVaultKey key = sdk.keys(vault, admin).createRsaKey(new CreateRsaKeyOptions("k"));

        HttpResponse<String> r = raw.call(
                "POST",
                keyUrl(vault, key, "decrypt"),
                raw.token(emulator.admin(), "https://vault.azure.net/.default"),
                "{\"alg\":\"RSA-OAEP-256\",\"value\":\"AAAA\"}");

        assertEquals(403, r.statusCode());
        assertEquals(
                "AccessDenied",
                RawHttp.json(r).path("error").path("innererror").path("code").asText());
    }

    @Test
    void vaultThatDoesNotExist_doesNotResolve() {
        String vault = "no-such-vault-" + System.nanoTime() % 100000;
        KeyClient keys = sdk.keys(vault, admin);

        RuntimeException e = assertThrows(RuntimeException.class, () -> keys.getKey("k"));

        // The emulator's proxy answers CONNECT for a host that does not resolve with 502, as a real proxy would.
        Throwable c = e;
        while (c != null && !(c instanceof java.net.ConnectException)) {
            c = c.getCause();
        }
        assertNotNull(c, String.valueOf(e));
        assertTrue(c.getMessage().contains(vault + ".vault.azure.net"), c.getMessage());
        assertTrue(c.getMessage().contains("tunnel"), c.getMessage());
    }

    private static String wrapped(KeyVaultKey key) {
        return java.util.Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(sdk.crypto(key.getId(), admin)
                        .encrypt(EncryptionAlgorithm.RSA_OAEP_256, new byte[16])
                        .getCipherText());
    }
}
