package dev.cmek.azure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.security.keyvault.keys.models.KeyRotationLifetimeAction;
import com.azure.security.keyvault.keys.models.KeyRotationPolicy;
import com.azure.security.keyvault.keys.models.KeyRotationPolicyAction;
import dev.cmek.azure.emulator.EmulatorViews;
import dev.cmek.core.Change;
import dev.cmek.core.Change.Action;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Provision and plan against the emulator: what is made, read back field by field, and what a second run does. */
class ProvisionTest extends EmulatorBacked {

    @Test
    void provision_createsExactlyTheDocumentedResources_readBack_andASecondRunChangesNothing() {
        AzureCmekRequest req = request("eastus", "centralindia").build();

        ProvisionResult first = cmek.provision(req);

        EmulatorViews.ServicePrincipal sp = crdbPrincipal();
        assertTrue(sp.accountEnabled());
        assertEquals(Optional.of(sp.id()), first.servicePrincipalId());
        assertEquals(emulator.tenantId(), first.authPrincipal());
        assertEquals(2, emulator.vaults().size(), emulator.vaults().toString());
        for (String region : List.of("eastus", "centralindia")) {
            EmulatorViews.Vault v = emulator.vault(vaultName(region)).orElseThrow();
            assertEquals(resourceGroup(), v.resourceGroup());
            assertEquals(region, v.location());
            assertEquals("standard", v.sku());
            assertTrue(v.rbacAuthorization(), "RBAC, not access policies");
            assertTrue(v.purgeProtection());
            assertEquals(90, v.softDeleteRetentionDays());
            assertEquals(emulator.tenantId(), v.tenantId());
            assertEquals(
                    Map.of(
                            "crdb-cmek-cluster", CLUSTER,
                            "crdb-cmek-managed-by", "cmek-toolkit",
                            "crdb-cmek-region", region,
                            "crdb-cmek-app", APP),
                    v.tags());

            List<EmulatorViews.Key> keys = emulator.keys(v.name());
            assertEquals(1, keys.size());
            EmulatorViews.Key key = keys.get(0);
            assertEquals("crdb-cmek", key.name());
            assertEquals(1, key.versions().size(), "one version, no duplicate");
            EmulatorViews.KeyVersion version = key.current();
            assertEquals("RSA", version.kty());
            assertEquals(3072, version.keySize());
            assertEquals(Set.of("encrypt", "decrypt", "wrapKey", "unwrapKey"), Set.copyOf(version.keyOps()));
            assertTrue(version.enabled());
            assertNull(version.expires(), "no expiry");
            assertEquals(CLUSTER, version.tags().get("crdb-cmek-cluster"));
            assertEquals("1", version.tags().get("crdb-cmek-generation"));
            assertEquals(version.kid(), first.keyOf(region).toString(), "the key spec's uri is the current version");
            assertTrue(first.keyOf(region).versioned());

            KeyRotationPolicy policy = rotationPolicy(region);
            assertEquals(1, policy.getLifetimeActions().size());
            KeyRotationLifetimeAction rotate = policy.getLifetimeActions().get(0);
            assertEquals(KeyRotationPolicyAction.ROTATE, rotate.getAction());
            assertEquals("P365D", rotate.getTimeAfterCreate());
            assertNull(policy.getExpiresIn(), "no expiry on new versions");
        }
        List<EmulatorViews.RoleAssignment> assignments = crdbAssignments();
        assertEquals(2, assignments.size(), assignments.toString());
        for (EmulatorViews.RoleAssignment a : assignments) {
            assertEquals(CRYPTO_USER, a.roleName());
            assertEquals("ServicePrincipal", a.principalType());
            assertTrue(a.scope().equals(keyScope("eastus")) || a.scope().equals(keyScope("centralindia")), a.scope());
            assertEquals(
                    CmekNames.assignmentName(ClusterId.of(CLUSTER), a.scope(), BuiltInRole.KEY_VAULT_CRYPTO_USER.id()),
                    a.name());
        }
        assertEquals(
                Set.of(Action.CREATED),
                first.changes().stream().map(Change::action).collect(Collectors.toSet()),
                first.changes().toString());

        emulator.resetCallCounts();
        ProvisionResult second = cmek.provision(req);

        assertTrue(
                second.changes().stream().allMatch(c -> c.action() == Action.UNCHANGED),
                second.changes().toString());
        assertEquals(Map.of(), writes(), "a second run writes nothing");
        assertEquals(first.keys(), second.keys());
        assertEquals(2, crdbAssignments().size());
        assertEquals(
                1,
                emulator.servicePrincipals().stream()
                        .filter(p -> p.appId().equals(APP) && p.tenantId().equals(emulator.tenantId()))
                        .count());
    }

    @Test
    void plan_writesNothing_andSaysEverythingWouldBeCreated() {
        AzureCmekRequest req = request("eastus", "westeurope").build();
        emulator.resetCallCounts();

        ProvisionResult plan = cmek.plan(req);

        assertEquals(Map.of(), writes());
        assertFalse(plan.applied());
        assertTrue(emulator.vaults().isEmpty());
        assertTrue(emulator.servicePrincipal(emulator.tenantId(), APP).isEmpty());
        assertEquals(
                List.of(
                        AzureResource.SERVICE_PRINCIPAL,
                        AzureResource.RESOURCE_GROUP,
                        AzureResource.KEY_VAULT,
                        AzureResource.KEY,
                        AzureResource.KEY_ROTATION,
                        AzureResource.ROLE_ASSIGNMENT,
                        AzureResource.KEY_VAULT,
                        AzureResource.KEY,
                        AzureResource.KEY_ROTATION,
                        AzureResource.ROLE_ASSIGNMENT),
                plan.changes().stream().map(Change::type).toList());
        assertTrue(
                plan.changes().stream().allMatch(c -> c.action() == Action.WOULD_CREATE),
                plan.changes().toString());
    }

    @Test
    void plan_afterProvision_findsEverythingUnchanged_andWritesNothing() {
        AzureCmekRequest req = request("eastus").build();
        cmek.provision(req);
        emulator.resetCallCounts();

        ProvisionResult plan = cmek.plan(req);

        assertEquals(Map.of(), writes());
        assertTrue(
                plan.changes().stream().allMatch(c -> c.action() == Action.UNCHANGED),
                plan.changes().toString());
    }

    @Test
    void provision_whenTheCallerMayNotCreateThePrincipal_stopsBeforeAnyChange_withTheConsentUrl() {
        emulator.directoryWrites(emulator.admin().clientId(), false);
        emulator.resetCallCounts();

        ConsentRequiredException e = assertThrows(
                ConsentRequiredException.class,
                () -> cmek.provision(request("eastus", "uksouth").build()));

        assertEquals(
                "https://login.microsoftonline.com/" + emulator.tenantId() + "/adminconsent?client_id=" + APP, e.url());
        assertTrue(e.getMessage().contains(e.url()), e.getMessage());
        assertEquals(Map.of("graph.servicePrincipals.create", 1), writes(), "the refused create is the only write");
        assertTrue(emulator.vaults().isEmpty());
        assertEquals(0, emulator.callCount("arm.resourceGroups.put"));
    }

    @Test
    void plan_whenTheCallerMayNotCreateThePrincipal_throwsWithTheConsentUrl_andWritesNothing() {
        emulator.directoryWrites(emulator.admin().clientId(), false);
        AzureCmek fresh = new AzureCmek(clients(emulator)); // a Graph token issued after the right was taken away
        emulator.resetCallCounts();

        ConsentRequiredException e = assertThrows(
                ConsentRequiredException.class,
                () -> fresh.plan(request("eastus").build()));

        assertEquals(
                "https://login.microsoftonline.com/" + emulator.tenantId() + "/adminconsent?client_id=" + APP, e.url());
        assertEquals(Map.of(), writes());
    }

    @Test
    void consentGivenByAnAdministrator_provisionUsesThePrincipalThere() {
        emulator.directoryWrites(emulator.admin().clientId(), false);
        assertThrows(
                ConsentRequiredException.class,
                () -> cmek.provision(request("eastus").build()));
        // What the admin-consent URL does: the enterprise app appears in the tenant.
        emulator.directoryWrites(emulator.admin().clientId(), true);
        new ServicePrincipals(clients).create(emulator.tenantId(), APP);
        emulator.directoryWrites(emulator.admin().clientId(), false);

        ProvisionResult done = cmek.provision(request("eastus").build());

        assertEquals(Action.UNCHANGED, done.changes().get(0).action());
        assertEquals(1, crdbAssignments().size());
    }

    @Test
    void ourVaultNameWithoutOurTags_isBlockedInAPlan_andNeverAdoptedByProvision() {
        new ResourceGroups(clients)
                .create(
                        emulator.subscriptionId(),
                        resourceGroup(),
                        "eastus",
                        CmekNames.groupTags(ClusterId.of(CLUSTER)));
        new Vaults(clients)
                .create(
                        emulator.subscriptionId(),
                        resourceGroup(),
                        vaultName("eastus"),
                        "eastus",
                        emulator.tenantId(),
                        Protection.SOFTWARE,
                        Map.of("owner", "someone"));

        ProvisionResult plan = cmek.plan(request("eastus").build());
        NotOursException e = assertThrows(
                NotOursException.class, () -> cmek.provision(request("eastus").build()));

        assertEquals(1, plan.blocked().size(), plan.changes().toString());
        assertEquals(AzureResource.KEY_VAULT, plan.blocked().get(0).type());
        assertTrue(e.getMessage().contains(vaultName("eastus")), e.getMessage());
        assertEquals(
                Map.of("owner", "someone"),
                emulator.vault(vaultName("eastus")).orElseThrow().tags());
        assertTrue(emulator.keys(vaultName("eastus")).isEmpty());
    }

    @Test
    void ourResourceGroupNameWithoutOurTags_isBlocked_andNothingIsMadeInIt() {
        new ResourceGroups(clients).create(emulator.subscriptionId(), resourceGroup(), "eastus", Map.of());

        ProvisionResult plan = cmek.plan(request("eastus").build());
        assertThrows(
                NotOursException.class, () -> cmek.provision(request("eastus").build()));

        assertEquals(AzureResource.RESOURCE_GROUP, plan.blocked().get(0).type());
        assertTrue(emulator.vaults().isEmpty());
    }

    @Test
    void ourKeyNameWithoutOurTags_isBlocked_andLeftAsItIs() {
        cmek.provision(request("eastus").build());
        var key = clients.keys(vaultName("eastus")).getKey(CmekNames.KEY_BASE);
        clients.keys(vaultName("eastus"))
                .updateKeyProperties(key.getProperties().setTags(Map.of("owner", "someone")));
        emulator.resetCallCounts();

        ProvisionResult plan = cmek.plan(request("eastus").build());
        assertThrows(
                NotOursException.class, () -> cmek.provision(request("eastus").build()));

        assertEquals(AzureResource.KEY, plan.blocked().get(0).type());
        assertEquals(Map.of(), writes());
    }

    @Test
    void aResourceGroupTheUserNames_isUsedAsItIs_andMadeWithOurTagsWhenMissing() {
        new ResourceGroups(clients).create(emulator.subscriptionId(), "team-keys", "westus2", Map.of("team", "db"));

        ProvisionResult done =
                cmek.provision(request("eastus").resourceGroup("team-keys").build());

        assertEquals(
                Action.UNCHANGED, done.changes().get(1).action(), done.changes().toString());
        assertEquals(
                "team-keys", emulator.vault(vaultName("eastus")).orElseThrow().resourceGroup());
        ResourceGroups.Group group = new ResourceGroups(clients)
                .find(emulator.subscriptionId(), "team-keys")
                .orElseThrow();
        assertEquals(Map.of("team", "db"), group.tags(), "used as it is: its tags untouched");
        assertEquals("westus2", group.location());

        ProvisionResult missing = cmek.provision(
                request("centralindia").resourceGroup("team-keys-2").build());

        assertEquals(
                Action.CREATED,
                missing.changes().get(1).action(),
                missing.changes().toString());
        ResourceGroups.Group made = new ResourceGroups(clients)
                .find(emulator.subscriptionId(), "team-keys-2")
                .orElseThrow();
        assertEquals(CmekNames.groupTags(ClusterId.of(CLUSTER)), made.tags());
        assertEquals("centralindia", made.location());
        assertEquals(
                "team-keys-2",
                emulator.vault(vaultName("centralindia")).orElseThrow().resourceGroup());
    }

    @Test
    void vaultNameTakenElsewhere_isReportedWithWhatToDo_andNotRetried() {
        foreignVault("someone-else", vaultName("eastus"), "eastus", Map.of());
        emulator.resetCallCounts();

        ProvisionResult plan = cmek.plan(request("eastus").build());
        VaultNameTakenException e = assertThrows(
                VaultNameTakenException.class,
                () -> cmek.provision(request("eastus").build()));

        assertEquals(AzureResource.KEY_VAULT, plan.blocked().get(0).type());
        assertTrue(plan.blocked().get(0).detail().contains("--azure-vault-prefix"));
        assertTrue(e.getMessage().contains("--azure-vault-prefix"), e.getMessage());
        assertEquals(1, emulator.callCount("arm.vaults.put"), "a taken name is not retried");

        ProvisionResult other =
                cmek.provision(request("eastus").vaultPrefix("crdbx").build());
        assertTrue(other.keyOf("eastus").vaultName().startsWith("crdbx-9e1a3c0b-"));
    }

    @Test
    void hsm_makesAPremiumVaultAndAnRsaHsmKey() {
        cmek.provision(request("eastus").protection(Protection.HSM).build());

        assertEquals(
                "premium", emulator.vault(vaultName("eastus")).orElseThrow().sku());
        assertEquals(
                "RSA-HSM",
                emulator.key(vaultName("eastus"), CmekNames.KEY_BASE)
                        .orElseThrow()
                        .current()
                        .kty());
    }

    @Test
    void broughtKey_getsOnlyTheRoleAssignment_andNothingElseIsTouched() {
        Vaults.Vault theirs = foreignVault("customer-rg", "customer-kv", "eastus", Map.of("team", "db"));
        var key = clients.keys("customer-kv")
                .createRsaKey(
                        new com.azure.security.keyvault.keys.models.CreateRsaKeyOptions("their-key").setKeySize(2048));
        KeyUri given = KeyUri.parse("https://customer-kv.vault.azure.net/keys/their-key");
        emulator.resetCallCounts();

        ProvisionResult done =
                cmek.provision(request("eastus").existingKey("eastus", given).build());

        assertEquals(KeyUri.parse(key.getId()), done.keyOf("eastus"), "the brought key's current version");
        assertEquals(
                Map.of("graph.servicePrincipals.create", 1, "arm.roleAssignments.put", 1),
                writes(),
                done.changes().toString());
        EmulatorViews.RoleAssignment a = crdbAssignments().get(0);
        assertEquals(theirs.id() + "/keys/their-key", a.scope());
        assertEquals(CRYPTO_USER, a.roleName());
        assertEquals(1, emulator.vaults().size());
        assertEquals(
                1,
                emulator.key("customer-kv", "their-key")
                        .orElseThrow()
                        .versions()
                        .size());
        assertFalse(emulator.key("customer-kv", "their-key").orElseThrow().hasRotationPolicy());
    }

    @Test
    void broughtVersionedKey_isTheKeySpecUriAsGiven() {
        foreignVault("customer-rg", "customer-kv", "eastus", Map.of());
        var key = clients.keys("customer-kv")
                .createRsaKey(new com.azure.security.keyvault.keys.models.CreateRsaKeyOptions("their-key"));
        KeyUri given = KeyUri.parse(key.getId());

        ProvisionResult done =
                cmek.provision(request("eastus").existingKey("eastus", given).build());

        assertEquals(given, done.keyOf("eastus"));
    }

    @Test
    void existingKeyRotatingAtAnotherPeriod_isDrifted_unlessRepairIsAsked() {
        cmek.provision(request("eastus").build());
        AzureCmekRequest every90 =
                request("eastus").rotation(RotationSchedule.every(90)).build();

        ProvisionResult drifted = cmek.provision(every90);
        Change rotation = drifted.changes().stream()
                .filter(c -> c.type() == AzureResource.KEY_ROTATION)
                .findFirst()
                .orElseThrow();
        assertEquals(Action.DRIFTED, rotation.action(), rotation.toString());
        assertEquals(
                "P365D", rotationPolicy("eastus").getLifetimeActions().get(0).getTimeAfterCreate());

        ProvisionResult repaired = cmek.provision(request("eastus")
                .rotation(RotationSchedule.every(90).withRepair(true))
                .build());
        assertEquals(
                Action.UPDATED,
                repaired.changes().stream()
                        .filter(c -> c.type() == AzureResource.KEY_ROTATION)
                        .findFirst()
                        .orElseThrow()
                        .action());
        assertEquals(
                "P90D", rotationPolicy("eastus").getLifetimeActions().get(0).getTimeAfterCreate());
    }

    @Test
    void rotationOff_setsNoRotation() {
        cmek.provision(request("eastus").rotation(RotationSchedule.off()).build());

        KeyRotationPolicy policy = rotationPolicy("eastus");
        assertFalse(VaultKeys.rotates(policy), String.valueOf(policy.getLifetimeActions()));
    }

    @Test
    void broaderRole_assignsCryptoOfficerOnTheVault_insteadOfCryptoUserOnTheKey() {
        cmek.provision(request("eastus").broaderRole(true).build());

        EmulatorViews.RoleAssignment a = crdbAssignments().get(0);
        assertEquals("Key Vault Crypto Officer", a.roleName());
        assertEquals(vaultId(vaultName("eastus")), a.scope());
        assertEquals(1, crdbAssignments().size());
    }

    @Test
    void aPrincipalJustCreated_isAssignedWhileTheDirectoryReplicates_becausePrincipalTypeIsSet() {
        emulator.principalReplication(Duration.ofSeconds(30));

        cmek.provision(request("eastus", "westus").build());

        assertEquals(2, emulator.callCount("arm.roleAssignments.put"), "no PrincipalNotFound, no retry");
        assertEquals(2, crdbAssignments().size());
    }

    @Test
    void provisionNewKey_makesTheNextGeneration_besideTheFirst() {
        AzureCmekRequest req = request("eastus", "westus").build();
        ProvisionResult first = cmek.provision(req);

        ProvisionResult second = cmek.provisionNewKey(req, "eastus", 2);

        KeyUri g2 = second.keyOf("eastus");
        assertEquals("crdb-cmek-g2", g2.keyName());
        assertEquals(first.keyOf("eastus").vaultName(), g2.vaultName());
        assertEquals(3, crdbAssignments().size());
        assertEquals(java.util.OptionalInt.of(2), cmek.generationOf(ClusterId.of(CLUSTER), g2));
        assertEquals(java.util.OptionalInt.of(1), cmek.generationOf(ClusterId.of(CLUSTER), first.keyOf("eastus")));
        assertThrows(InvalidInputException.class, () -> cmek.provisionNewKey(req, "eastus", 1));
        assertThrows(InvalidInputException.class, () -> cmek.provisionNewKey(req, "brazilsouth", 2));
    }

    @Test
    void rotateKeyMaterial_makesANewVersion_andLeavesTheOldOnesEnabled() {
        KeyUri v1 = cmek.provision(request("eastus").build()).keyOf("eastus");

        KeyUri v2 = cmek.rotateKeyMaterial(v1);

        assertEquals(v1.unversioned(), v2.unversioned());
        assertFalse(v1.equals(v2));
        EmulatorViews.Key key = emulator.key(v1.vaultName(), v1.keyName()).orElseThrow();
        assertEquals(2, key.versions().size());
        assertTrue(key.versions().stream().allMatch(EmulatorViews.KeyVersion::enabled));
        assertEquals(v2, cmek.newestKeyVersion(v1).orElseThrow().uri());
        assertTrue(cmek.visible(v1));
        assertTrue(cmek.visible(v2));
        assertFalse(cmek.visible(KeyUri.of(v1.vaultName(), "no-such-key")));
        assertEquals(Optional.empty(), cmek.newestKeyVersion(KeyUri.of(v1.vaultName(), "no-such-key")));
    }

    @Test
    void aKeyOfOursDeletedOutOfBand_isNotMadeAgain_andTheMessageSaysToRecoverIt() {
        cmek.provision(request("eastus").build());
        clients.keys(vaultName("eastus")).beginDeleteKey(CmekNames.KEY_BASE).waitForCompletion();

        AzureCmekException e = assertThrows(
                AzureCmekException.class, () -> cmek.provision(request("eastus").build()));

        assertTrue(
                e.getMessage().contains("az keyvault key recover --vault-name " + vaultName("eastus")), e.getMessage());
        assertTrue(emulator.key(vaultName("eastus"), CmekNames.KEY_BASE)
                .orElseThrow()
                .deleted());
    }

    @Test
    void subscriptionOfAnotherTenant_isRefusedBeforeAnyWrite() {
        emulator.resetCallCounts();

        InvalidInputException e = assertThrows(
                InvalidInputException.class,
                () -> cmek.provision(request("eastus")
                        .tenantId("11111111-2222-4333-8444-555555555555")
                        .build()));

        assertTrue(e.getMessage().contains(emulator.tenantId()), e.getMessage());
        assertEquals(Map.of(), writes());
    }
}
