package dev.cmek.azure.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.core.management.Region;
import com.azure.core.management.exception.ManagementException;
import com.azure.resourcemanager.authorization.AuthorizationManager;
import com.azure.resourcemanager.authorization.models.BuiltInRole;
import com.azure.resourcemanager.authorization.models.RoleAssignment;
import com.azure.resourcemanager.authorization.models.RoleDefinition;
import com.azure.resourcemanager.keyvault.models.CheckNameAvailabilityResult;
import com.azure.resourcemanager.keyvault.models.Vault;
import com.azure.resourcemanager.resources.fluentcore.utils.ResourceManagerUtils;
import com.azure.resourcemanager.resources.models.ResourceGroup;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Azure Resource Manager through the real fluent managers: resource groups, vaults, role definitions and assignments. */
class ArmTest extends EmulatorTest {
    private static final String CRYPTO_USER = "12338af0-0e69-4776-bea7-57ae8d297424";

    private String assignmentBody(String roleId, String principalId, String principalType) {
        return "{\"properties\":{\"roleDefinitionId\":\"/subscriptions/" + emulator.subscriptionId()
                + "/providers/Microsoft.Authorization/roleDefinitions/" + roleId + "\",\"principalId\":\"" + principalId
                + "\"" + (principalType == null ? "" : ",\"principalType\":\"" + principalType + "\"") + "}}";
    }

    private static String armToken() {
        return raw.token(emulator.admin(), "https://management.azure.com/.default");
    }

    @Test
    void resourceGroup_putWithTags_getAndCheckExistence() {
        ResourceGroup rg = sdk.resources(admin)
                .resourceGroups()
                .define("rg-tags")
                .withRegion(Region.US_WEST2)
                .withTags(Map.of("crdb-cluster", "c1"))
                .create();

        assertEquals("westus2", rg.regionName());
        assertEquals(
                Map.of("crdb-cluster", "c1"),
                sdk.resources(admin).resourceGroups().getByName("rg-tags").tags());
        assertTrue(sdk.resources(admin).resourceGroups().contain("rg-tags"));
        assertFalse(sdk.resources(admin).resourceGroups().contain("rg-none"));
        HttpResponse<String> bad = raw.call(
                "PUT",
                armBase() + "/resourceGroups/rg-x?api-version=2025-04-01",
                armToken(),
                "{\"location\":\"atlantis\"}");
        assertEquals(
                "LocationNotAvailableForResourceGroup",
                RawHttp.json(bad).path("error").path("code").asText());
    }

    @Test
    void vault_createGetListUpdate_withRbacPurgeProtectionAndTags() {
        String name = vaultName("arm");
        Vault created = createVault(name, true, true);

        assertEquals("https://" + name + ".vault.azure.net/", created.vaultUri());
        assertTrue(created.roleBasedAccessControlEnabled());
        assertTrue(created.purgeProtectionEnabled());
        assertTrue(created.softDeleteEnabled());
        assertEquals(emulator.tenantId(), created.tenantId());
        Vault updated =
                created.update().withTag("managed-by", "crdb-cmek-toolkit").apply();
        assertEquals("crdb-cmek-toolkit", updated.tags().get("managed-by"));
        Vault read = sdk.vaults(admin).vaults().getByResourceGroup("rg-cmek", name);
        assertEquals("premium", read.sku().name().toString().toLowerCase());
        assertTrue(sdk.vaults(admin).vaults().listByResourceGroup("rg-cmek").stream()
                .anyMatch(v -> v.name().equals(name)));
        assertEquals(
                "crdb-cmek-toolkit", emulator.vault(name).orElseThrow().tags().get("managed-by"));
    }

    @Test
    void vault_purgeProtectionCannotBeTurnedOff() {
        String name = vaultName("armpp");
        createVault(name, false, true);
        String body = "{\"location\":\"eastus\",\"properties\":{\"tenantId\":\"" + emulator.tenantId()
                + "\",\"sku\":{\"family\":\"A\",\"name\":\"standard\"},\"enablePurgeProtection\":false}}";

        HttpResponse<String> r = raw.call(
                "PUT",
                armBase() + "/resourceGroups/rg-cmek/providers/Microsoft.KeyVault/vaults/" + name
                        + "?api-version=2025-05-01",
                armToken(),
                body);

        assertEquals(400, r.statusCode());
        assertEquals(
                "The property \"enablePurgeProtection\" cannot be set to false. Enabling the purge protection for a"
                        + " vault is an irreversible action.",
                RawHttp.json(r).path("error").path("message").asText());
        assertTrue(emulator.vault(name).orElseThrow().purgeProtection());
    }

    @Test
    void vaultNames_followKeyVaultRules_andAreGlobal() {
        createVault(vaultName("armglobal").substring(0, 0) + "globalname1", false, false);
        String token = armToken();
        raw.call(
                "PUT",
                armBase() + "/resourceGroups/rg-other?api-version=2025-04-01",
                token,
                "{\"location\":\"eastus\"}");
        String body = "{\"location\":\"eastus\",\"properties\":{\"tenantId\":\"" + emulator.tenantId()
                + "\",\"sku\":{\"family\":\"A\",\"name\":\"standard\"}}}";
        for (String bad : List.of("ab", "1vault", "vault-", "va--ult", "vault_1", "a234567890123456789012345")) {
            HttpResponse<String> r = raw.call(
                    "PUT",
                    armBase() + "/resourceGroups/rg-other/providers/Microsoft.KeyVault/vaults/" + bad
                            + "?api-version=2025-05-01",
                    token,
                    body);
            assertEquals(400, r.statusCode(), bad);
            assertEquals(
                    "VaultNameNotValid",
                    RawHttp.json(r).path("error").path("code").asText(),
                    bad);
        }
        HttpResponse<String> taken = raw.call(
                "PUT",
                armBase() + "/resourceGroups/rg-other/providers/Microsoft.KeyVault/vaults/globalname1"
                        + "?api-version=2025-05-01",
                token,
                body);
        assertEquals(409, taken.statusCode());
        assertEquals(
                "VaultAlreadyExists",
                RawHttp.json(taken).path("error").path("code").asText());

        CheckNameAvailabilityResult result = sdk.vaults(admin).vaults().checkNameAvailability("globalname1");
        assertFalse(result.nameAvailable());
        assertEquals("AlreadyExists", result.reason().toString());
        assertTrue(sdk.vaults(admin).vaults().checkNameAvailability("freename1").nameAvailable());
        assertEquals(
                "AccountNameInvalid",
                sdk.vaults(admin)
                        .vaults()
                        .checkNameAvailability("1bad")
                        .reason()
                        .toString());
    }

    @Test
    void aSubscriptionOfAnotherTenant_isRefusedAsTheWrongIssuer_andAnUnknownOneIsNotFound() {
        String other = "3e2d1c0b-9a8f-4e7d-8c6b-5a4f3e2d1c0b";
        String otherTenant = "7c6b5a49-3827-4161-a5f4-e3d2c1b0a998";
        emulator.subscriptionOfAnotherTenant(other, otherTenant);
        String vaults = "/providers/Microsoft.KeyVault/vaults?api-version=2023-07-01";
        HttpResponse<String> wrong =
                raw.call("GET", "https://management.azure.com/subscriptions/" + other + vaults, armToken(), null);
        assertEquals(401, wrong.statusCode());
        JsonNode error = RawHttp.json(wrong).path("error");
        assertEquals("InvalidAuthenticationTokenTenant", error.path("code").asText());
        assertTrue(
                error.path("message")
                        .asText()
                        .contains("It must match the tenant 'https://sts.windows.net/" + otherTenant + "/'"),
                error.toString());
        assertTrue(
                wrong.headers()
                        .firstValue("WWW-Authenticate")
                        .orElse("")
                        .startsWith("Bearer authorization_uri=\"https://login.windows.net/" + otherTenant + "\""),
                wrong.headers().map().toString());

        HttpResponse<String> unknown = raw.call(
                "GET", "https://management.azure.com/subscriptions/" + UUID.randomUUID() + vaults, armToken(), null);
        assertEquals(404, unknown.statusCode());
        assertEquals(
                "SubscriptionNotFound",
                RawHttp.json(unknown).path("error").path("code").asText());
    }

    @Test
    void unknownApiVersions_areRefusedAsEachProviderDoes() {
        String token = armToken();
        assertEquals(
                "NoRegisteredProviderFound",
                RawHttp.json(raw.call(
                                "GET",
                                armBase()
                                        + "/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/v1?api-version=2099-01-01",
                                token,
                                null))
                        .path("error")
                        .path("code")
                        .asText());
        assertEquals(
                "InvalidApiVersionParameter",
                RawHttp.json(raw.call(
                                "GET",
                                armBase() + "/providers/Microsoft.Authorization/roleAssignments?api-version=2099-01-01",
                                token,
                                null))
                        .path("error")
                        .path("code")
                        .asText());
        assertEquals(
                "MissingApiVersionParameter",
                RawHttp.json(raw.call("GET", armBase() + "/resourceGroups/rg", token, null))
                        .path("error")
                        .path("code")
                        .asText());
        HttpResponse<String> noToken =
                raw.call("GET", armBase() + "/resourceGroups/rg?api-version=2025-04-01", null, null);
        assertEquals(401, noToken.statusCode());
        assertEquals(
                "AuthenticationFailed",
                RawHttp.json(noToken).path("error").path("code").asText());
    }

    @Test
    void roleDefinitions_builtInRolesByNameAndId_withRealActions() {
        AuthorizationManager authorization = sdk.authorization(admin);
        String scope = "/subscriptions/" + emulator.subscriptionId();

        RoleDefinition user = authorization.roleDefinitions().getByScopeAndRoleName(scope, "Key Vault Crypto User");

        assertEquals(CRYPTO_USER, user.name());
        assertTrue(user.id().endsWith("/providers/Microsoft.Authorization/roleDefinitions/" + CRYPTO_USER));
        Set<String> dataActions =
                user.permissions().iterator().next().dataActions().stream().collect(Collectors.toSet());
        assertTrue(dataActions.contains("Microsoft.KeyVault/vaults/keys/decrypt/action"));
        assertEquals(
                "Key Vault Crypto Officer",
                authorization
                        .roleDefinitions()
                        .getById(
                                scope
                                        + "/providers/Microsoft.Authorization/roleDefinitions/14b46e9e-c2b7-41b4-b07b-48a6ebf60603")
                        .roleName());
        for (String role : List.of(
                "Key Vault Crypto Service Encryption User",
                "Key Vault Administrator",
                "Owner",
                "Contributor",
                "Reader")) {
            assertEquals(
                    role,
                    authorization
                            .roleDefinitions()
                            .getByScopeAndRoleName(scope, role)
                            .roleName());
        }
        HttpResponse<String> missing = raw.call(
                "GET",
                armBase() + "/providers/Microsoft.Authorization/roleDefinitions/" + UUID.randomUUID()
                        + "?api-version=2022-04-01",
                armToken(),
                null);
        assertEquals(404, missing.statusCode());
        assertEquals(
                "RoleDefinitionDoesNotExist",
                RawHttp.json(missing).path("error").path("code").asText());
    }

    @Test
    void roleAssignments_atKeyScope_putGetListDelete() {
        String vault = vaultName("armra");
        Vault v = createVault(vault, false, false);
        EmulatorViews.ClientCredentials app = emulator.registerApp("assignee");
        String keyScope = v.id() + "/keys/cmek";
        AuthorizationManager authorization = sdk.authorization(admin);

        RoleAssignment created = authorization
                .roleAssignments()
                .define(UUID.randomUUID().toString())
                .forObjectId(app.objectId())
                .withBuiltInRole(BuiltInRole.fromString("Key Vault Crypto User"))
                .withScope(keyScope)
                .create();

        assertEquals(keyScope, created.scope());
        assertEquals(
                created.id(),
                authorization.roleAssignments().getById(created.id()).id());
        Set<String> atVault = authorization.roleAssignments().listByScope(v.id()).stream()
                .map(RoleAssignment::id)
                .collect(Collectors.toSet());
        assertTrue(atVault.contains(created.id()), "no filter lists assignments below the scope");
        assertTrue(
                atVault.stream()
                        .anyMatch(id -> id.startsWith("/subscriptions/" + emulator.subscriptionId() + "/providers")),
                "and above it");
        String token = armToken();
        JsonNode atScope = RawHttp.json(raw.call(
                "GET",
                "https://management.azure.com" + v.id()
                        + "/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01&$filter=atScope()",
                token,
                null));
        atScope.get("value")
                .forEach(a -> assertFalse(a.get("id").asText().equals(created.id()), "atScope() leaves out below"));
        JsonNode byPrincipal = RawHttp.json(raw.call(
                "GET",
                armBase()
                        + "/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01&$filter=principalId%20eq%20'"
                        + app.objectId() + "'",
                token,
                null));
        assertEquals(1, byPrincipal.get("value").size());
        assertEquals(
                keyScope,
                byPrincipal.get("value").get(0).get("properties").get("scope").asText());

        authorization.roleAssignments().deleteById(created.id());
        assertTrue(emulator.roleAssignments().stream().noneMatch(a -> a.id().equals(created.id())));
        assertEquals(
                204,
                raw.call(
                                "DELETE",
                                "https://management.azure.com" + created.id() + "?api-version=2022-04-01",
                                token,
                                null)
                        .statusCode());
        assertEquals(1, emulator.callCount("arm.roleAssignments.put"));
    }

    @Test
    void roleAssignment_samePrincipalRoleAndScopeUnderAnotherName_isRoleAssignmentExists() {
        EmulatorViews.ClientCredentials app = emulator.registerApp("dup");
        String scope = armBase() + "/providers/Microsoft.Authorization/roleAssignments/";
        String token = armToken();
        String body = assignmentBody(CRYPTO_USER, app.objectId(), "ServicePrincipal");

        assertEquals(
                201,
                raw.call("PUT", scope + UUID.randomUUID() + "?api-version=2022-04-01", token, body)
                        .statusCode());
        HttpResponse<String> again =
                raw.call("PUT", scope + UUID.randomUUID() + "?api-version=2022-04-01", token, body);

        assertEquals(409, again.statusCode());
        assertEquals(
                "RoleAssignmentExists",
                RawHttp.json(again).path("error").path("code").asText());
        assertTrue(RawHttp.json(again)
                .path("error")
                .path("message")
                .asText()
                .startsWith("The role assignment already exists."));
    }

    @Test
    void roleAssignment_forPrincipalNotYetReplicated_isPrincipalNotFoundUnlessPrincipalTypeIsSet() {
        emulator.principalReplication(Duration.ofSeconds(30));
        String appId = UUID.randomUUID().toString();
        emulator.registerMultiTenantApp(appId, "CockroachDB Cloud - cluster-6");
        String graph = raw.token(emulator.admin(), "https://graph.microsoft.com/.default");
        String spId = RawHttp.json(raw.call(
                        "POST",
                        "https://graph.microsoft.com/v1.0/servicePrincipals",
                        graph,
                        "{\"appId\":\"" + appId + "\"}"))
                .get("id")
                .asText();
        String url = armBase() + "/providers/Microsoft.Authorization/roleAssignments/";
        String token = armToken();

        HttpResponse<String> early = raw.call(
                "PUT",
                url + UUID.randomUUID() + "?api-version=2022-04-01",
                token,
                assignmentBody(CRYPTO_USER, spId, null));
        assertEquals(400, early.statusCode());
        assertEquals(
                "PrincipalNotFound",
                RawHttp.json(early).path("error").path("code").asText());

        HttpResponse<String> typed = raw.call(
                "PUT",
                url + UUID.randomUUID() + "?api-version=2022-04-01",
                token,
                assignmentBody(CRYPTO_USER, spId, "ServicePrincipal"));
        assertEquals(201, typed.statusCode());
    }

    @Test
    void fluentRoleAssignment_retriesPrincipalNotFoundUntilTheDirectoryReplicates() {
        emulator.principalReplication(Duration.ofMillis(600));
        ResourceManagerUtils.InternalRuntimeContext.setDelayProvider(d -> Duration.ofMillis(400));
        try {
            String appId = UUID.randomUUID().toString();
            emulator.registerMultiTenantApp(appId, "CockroachDB Cloud - cluster-7");
            String graph = raw.token(emulator.admin(), "https://graph.microsoft.com/.default");
            String spId = RawHttp.json(raw.call(
                            "POST",
                            "https://graph.microsoft.com/v1.0/servicePrincipals",
                            graph,
                            "{\"appId\":\"" + appId + "\"}"))
                    .get("id")
                    .asText();

            sdk.authorization(admin)
                    .roleAssignments()
                    .define(UUID.randomUUID().toString())
                    .forObjectId(spId)
                    .withBuiltInRole(BuiltInRole.fromString("Key Vault Crypto User"))
                    .withSubscriptionScope(emulator.subscriptionId())
                    .create();

            assertTrue(
                    emulator.callCount("arm.roleAssignments.put") >= 2,
                    "the library retried the 400 PrincipalNotFound");
        } finally {
            ResourceManagerUtils.InternalRuntimeContext.setDelayProvider(d -> d);
        }
    }

    @Test
    void roleAssignmentWrite_withoutPermission_isAuthorizationFailed() {
        EmulatorViews.ClientCredentials app = emulator.registerApp("reader");
        emulator.assignRole(app.objectId(), "Reader", "/subscriptions/" + emulator.subscriptionId());
        AuthorizationManager asReader = sdk.authorization(sdk.credential(app));

        ManagementException e = assertThrows(
                ManagementException.class,
                () -> asReader.roleAssignments()
                        .define(UUID.randomUUID().toString())
                        .forObjectId(app.objectId())
                        .withBuiltInRole(BuiltInRole.OWNER)
                        .withSubscriptionScope(emulator.subscriptionId())
                        .create());

        assertEquals(403, e.getResponse().getStatusCode());
        assertEquals("AuthorizationFailed", e.getValue().getCode());
        assertTrue(e.getValue().getMessage().contains("'Microsoft.Authorization/roleAssignments/write'"));
        emulator.removeAdminRole("Owner");
        HttpResponse<String> r = raw.call(
                "PUT",
                armBase() + "/resourceGroups/rg-denied?api-version=2025-04-01",
                armToken(),
                "{\"location\":\"eastus\"}");
        assertEquals(403, r.statusCode(), "the admin without Owner cannot write resource groups");
    }
}
