package dev.cmek.azure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Names, tags and inputs, without Azure. */
class NamesAndInputsTest {
    private static final ClusterId CLUSTER = ClusterId.of("9e1a3c0b-9ebd-43d9-8f42-589c9e6fc081");
    /** Key Vault's rule (https://learn.microsoft.com/azure/key-vault/general/about-keys-secrets-certificates). */
    private static final Pattern VAULT_NAME = Pattern.compile("[a-zA-Z](?!.*--)[a-zA-Z0-9-]{1,22}[a-zA-Z0-9]");

    private static final List<String> REGIONS = List.of(
            "eastus",
            "eastus2",
            "westus",
            "westus2",
            "westus3",
            "centralus",
            "northcentralus",
            "southcentralus",
            "westcentralus",
            "canadacentral",
            "canadaeast",
            "brazilsouth",
            "northeurope",
            "westeurope",
            "uksouth",
            "ukwest",
            "francecentral",
            "germanywestcentral",
            "switzerlandnorth",
            "norwayeast",
            "swedencentral",
            "centralindia",
            "southindia",
            "westindia",
            "eastasia",
            "southeastasia",
            "japaneast",
            "japanwest",
            "koreacentral",
            "australiaeast",
            "australiasoutheast",
            "southafricanorth",
            "uaenorth");

    @Test
    void vaultNames_areValidForAzure_deterministic_oneperRegion_andRecognisablyTheClusters() {
        Set<String> seen = new HashSet<>();
        for (String prefix : List.of("crdb", "a", "abcdefgh")) {
            for (String region : REGIONS) {
                String name = CmekNames.vaultName(prefix, CLUSTER, region);
                assertTrue(VAULT_NAME.matcher(name).matches(), name);
                assertTrue(name.length() >= 3 && name.length() <= 24, name);
                assertTrue(name.startsWith(prefix + "-9e1a3c0b-"), name);
                assertEquals(name, CmekNames.vaultName(prefix, CLUSTER, region));
                assertTrue(seen.add(name), "one per region: " + name);
            }
        }
        assertNotEquals(
                CmekNames.vaultName("crdb", CLUSTER, "eastus"),
                CmekNames.vaultName("crdb", ClusterId.of("9e1a3c0b-0000-4000-8000-000000000000"), "eastus"),
                "two clusters sharing a first group still get their own vault");
    }

    @Test
    void keyNames_andResourceGroup() {
        assertEquals("crdb-cmek", CmekNames.keyName(1));
        assertEquals("crdb-cmek-g3", CmekNames.keyName(3));
        assertEquals("crdb-cmek-" + CLUSTER, CmekNames.resourceGroup(CLUSTER));
        assertTrue(AzureCmekRequest.RESOURCE_GROUP
                .matcher(CmekNames.resourceGroup(CLUSTER))
                .matches());
    }

    @Test
    void assignmentNames_areVersion5Uuids_ofClusterScopeAndRole_caseInsensitiveInTheScope() {
        String scope = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/v/keys/crdb-cmek";
        String name = CmekNames.assignmentName(CLUSTER, scope, BuiltInRole.KEY_VAULT_CRYPTO_USER.id());

        UUID uuid = UUID.fromString(name);
        assertEquals(5, uuid.version());
        assertEquals(2, uuid.variant());
        assertEquals(
                name, CmekNames.assignmentName(CLUSTER, scope.toUpperCase(), BuiltInRole.KEY_VAULT_CRYPTO_USER.id()));
        assertNotEquals(name, CmekNames.assignmentName(CLUSTER, scope, BuiltInRole.KEY_VAULT_CRYPTO_OFFICER.id()));
        assertNotEquals(name, CmekNames.assignmentName(CLUSTER, scope + "-g2", BuiltInRole.KEY_VAULT_CRYPTO_USER.id()));
        assertNotEquals(
                name,
                CmekNames.assignmentName(
                        ClusterId.of("11111111-2222-4333-8444-555555555555"),
                        scope,
                        BuiltInRole.KEY_VAULT_CRYPTO_USER.id()));
    }

    @Test
    void keyUris_parseVersionedAndUnversioned_andRefuseAnythingElse() {
        KeyUri v = KeyUri.parse("https://my-vault.vault.azure.net/keys/crdb-cmek/0123456789abcdef0123456789abcdef");
        assertEquals("my-vault", v.vaultName());
        assertEquals("crdb-cmek", v.keyName());
        assertEquals(Optional.of("0123456789abcdef0123456789abcdef"), v.version());
        assertEquals(
                "https://my-vault.vault.azure.net/keys/crdb-cmek",
                v.unversioned().toString());
        assertFalse(KeyUri.parse("https://My-Vault.vault.azure.net/keys/k/").versioned());
        for (String bad : List.of(
                "http://v1.vault.azure.net/keys/k",
                "https://v1.vault.azure.com/keys/k",
                "https://v1.vault.azure.net/secrets/k",
                "https://v1.vault.azure.net/keys/k/not-hex",
                "https://v1.vault.azure.net:8443/keys/k",
                "https://v--1.vault.azure.net/keys/k",
                "https://v1.vault.azure.net/keys/k?x=1",
                "projects/p/locations/l/keyRings/r/cryptoKeys/k")) {
            assertThrows(InvalidInputException.class, () -> KeyUri.parse(bad), bad);
        }
    }

    private static AzureCmekRequest.Builder valid() {
        return AzureCmekRequest.builder()
                .clusterId(CLUSTER)
                .clusterAppId("c7d1e2f3-a4b5-4c6d-8e7f-901a2b3c4d5e")
                .tenantId("5f1c3b2a-7d4e-4c8b-9a16-2e0f8d7c6b5a")
                .subscriptionId("9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d")
                .regions(List.of("eastus", "centralindia"));
    }

    @Test
    void request_defaults() {
        AzureCmekRequest r = valid().build();

        assertEquals("crdb-cmek-" + CLUSTER, r.resourceGroup());
        assertFalse(r.resourceGroupNamed());
        assertEquals(Protection.SOFTWARE, r.protection());
        assertEquals(RotationSchedule.defaults(), r.rotation());
        assertEquals(365, r.rotation().periodInDays());
        assertFalse(r.broaderRole());
        assertEquals(AzureCmekRequest.DEFAULT_PROPAGATION_BOUND, r.propagationBound());
        assertEquals(KeyUri.of(r.vaultNameOf("eastus"), "crdb-cmek"), r.keyOf("eastus", 1));
        assertEquals("crdb-cmek-g2", r.keyOf("eastus", 2).keyName());
    }

    @Test
    void request_refusesBadInputs_oneLineEach() {
        List<Runnable> bad = List.of(
                () -> valid().clusterAppId("not-a-guid").build(),
                () -> valid().tenantId(null).build(),
                () -> valid().subscriptionId("sub").build(),
                () -> valid().regions(List.of()).build(),
                () -> valid().regions(List.of("eastus", "eastus")).build(),
                () -> valid().regions(List.of("East US")).build(),
                () -> valid().regions(List.of("us-east-1")).build(),
                () -> valid().resourceGroup("ends-with-dot.").build(),
                () -> valid().vaultPrefix("9abc").build(),
                () -> valid().vaultPrefix("toolongprefix").build(),
                () -> valid().existingKey("westus", KeyUri.parse("https://v1.vault.azure.net/keys/k"))
                        .build(),
                () -> valid().rotation(RotationSchedule.every(3)).build(),
                () -> ClusterId.of("cluster-1"));
        for (Runnable r : bad) {
            InvalidInputException e = assertThrows(InvalidInputException.class, r::run);
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
        }
    }

    @Test
    void graphPermissions_readFromTheTokensClaims() {
        assertEquals(
                GraphPermissions.Verdict.MAY,
                GraphPermissions.judge(Json.parse("{\"tid\":\"t\",\"roles\":[\"Application.ReadWrite.All\"]}")));
        assertEquals(GraphPermissions.Verdict.MAY_NOT, GraphPermissions.judge(Json.parse("{\"tid\":\"t\"}")));
        assertEquals(
                GraphPermissions.Verdict.MAY,
                GraphPermissions.judge(Json.parse("{\"tid\":\"t\",\"scp\":\"Application.ReadWrite.All User.Read\","
                        + "\"wids\":[\"158c047a-c907-4556-b7ef-446551a6b5f7\"]}")));
        assertEquals(
                GraphPermissions.Verdict.UNKNOWN,
                GraphPermissions.judge(Json.parse("{\"tid\":\"t\",\"scp\":\"User.Read\"}")));
        assertEquals(GraphPermissions.Verdict.UNKNOWN, GraphPermissions.judge(null));
    }

    @Test
    void theConsentUrl_isTheDocumentedOne() {
        assertEquals(
                "https://login.microsoftonline.com/t1/adminconsent?client_id=a1",
                new ConsentRequiredException("t1", "a1", "why").url());
    }

    @Test
    void isoPeriods_countAsKeyVaultCountsThem() {
        assertEquals(Optional.of(java.time.Duration.ofDays(365)), VaultKeys.period("P365D"));
        assertEquals(Optional.of(java.time.Duration.ofDays(365)), VaultKeys.period("P1Y"));
        assertEquals(Optional.of(java.time.Duration.ofDays(90)), VaultKeys.period("P3M"));
        assertEquals(Optional.empty(), VaultKeys.period("PT1H"));
    }
}
