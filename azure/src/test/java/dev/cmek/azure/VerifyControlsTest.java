package dev.cmek.azure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.core.http.HttpMethod;
import com.azure.security.keyvault.keys.KeyClient;
import com.azure.security.keyvault.keys.models.CreateRsaKeyOptions;
import com.azure.security.keyvault.keys.models.KeyRotationPolicy;
import com.azure.security.keyvault.keys.models.KeyVaultKey;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cmek.core.Control;
import dev.cmek.core.ControlResult;
import dev.cmek.core.Verdict;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** verify: every control passes on a clean state, and each fails, with its fix, on a state crafted out of band. */
class VerifyControlsTest extends EmulatorBacked {

    private static AzureCmekRequest req() {
        return request("eastus", "westus2").build();
    }

    private static KeyClient keys(String region) {
        return clients.keys(vaultName(region));
    }

    private static ControlResult control(VerifyReport report, String region, Control c) {
        return report.regions().stream()
                .filter(r -> r.region().equals(region))
                .findFirst()
                .orElseThrow()
                .control(c);
    }

    private static void assertFails(ControlResult r, String evidence, String fix) {
        assertEquals(Verdict.FAIL, r.verdict(), r.toString());
        assertTrue(String.join(" ", r.evidence()).contains(evidence), r.toString());
        assertNotNull(r.fix(), r.toString());
        assertTrue(r.fix().contains(fix), r.toString());
    }

    @Test
    void verify_afterProvision_passesEveryControl_withEvidence() {
        ProvisionResult done = cmek.provision(req());

        VerifyReport report = cmek.verify(req(), done.keys(), Set.of());

        assertTrue(report.ok(), report.toString());
        assertEquals(req().regions().size(), report.regions().size(), report.toString());
        assertEquals(
                Verdict.PASS, report.principalControl(Control.PRINCIPAL_TRUST).verdict());
        assertEquals(
                Verdict.NOT_APPLICABLE,
                report.principalControl(Control.EXTERNAL_ID).verdict());
        for (VerifyReport.RegionControls r : report.regions()) {
            assertEquals(Verdict.PASS, r.control(Control.KEY_USABLE).verdict(), r.toString());
            assertEquals(Verdict.PASS, r.control(Control.KEY_ROTATION).verdict(), r.toString());
            assertTrue(r.control(Control.KEY_ROTATION).evidence().get(0).contains("CIS Azure"));
            assertEquals(Verdict.PASS, r.control(Control.KEY_RECOVERABLE).verdict(), r.toString());
            assertTrue(r.control(Control.KEY_RECOVERABLE).evidence().get(0).contains("Recoverable"));
            assertEquals(
                    Verdict.NOT_APPLICABLE, r.control(Control.NO_PUBLIC_ACCESS).verdict());
            assertTrue(r.control(Control.NO_PUBLIC_ACCESS).evidence().get(0).contains("public endpoint"));
            assertEquals(Verdict.PASS, r.control(Control.EXACT_GRANT).verdict(), r.toString());
            assertEquals(Verdict.PASS, r.control(Control.NO_ORPHAN_GRANTS).verdict(), r.toString());
            assertNotNull(r.newestKeyVersion());
            assertEquals(done.keyOf(r.region()), r.key());
        }
        assertFalse(report.notChecked().isEmpty());
        assertEquals(
                Verdict.NOT_APPLICABLE,
                control(cmek.verify(req()), "eastus", Control.NO_ORPHAN_GRANTS).verdict(),
                "orphans are looked for only with the key history");
    }

    @Test
    void keyUsable_failsForADisabledVersion_withTheCommandThatEnablesIt() {
        cmek.provision(req());
        KeyVaultKey k = keys("eastus").getKey(CmekNames.KEY_BASE);
        keys("eastus").updateKeyProperties(k.getProperties().setEnabled(false));

        ControlResult r = control(cmek.verify(req()), "eastus", Control.KEY_USABLE);

        assertFails(r, "disabled", "az keyvault key set-attributes");
        assertEquals(
                Verdict.PASS,
                control(cmek.verify(req()), "westus2", Control.KEY_USABLE).verdict());
    }

    @Test
    void keyUsable_failsForAVersionExpiringWithin30Days() {
        cmek.provision(req());
        KeyVaultKey k = keys("eastus").getKey(CmekNames.KEY_BASE);
        keys("eastus")
                .updateKeyProperties(
                        k.getProperties().setExpiresOn(OffsetDateTime.now().plusDays(10)));

        assertFails(control(cmek.verify(req()), "eastus", Control.KEY_USABLE), "within 30 days", "--expires");
    }

    @Test
    void keyUsable_judgesTheVersionCockroachDbUses_notOnlyTheCurrentOne() {
        KeyUri v1 = cmek.provision(req()).keyOf("eastus");
        cmek.rotateKeyMaterial(v1);
        keys("eastus")
                .updateKeyProperties(keys("eastus")
                        .getKey(CmekNames.KEY_BASE, v1.version().orElseThrow())
                        .getProperties()
                        .setEnabled(false));

        VerifyReport report = cmek.verify(req(), Map.of("eastus", v1));

        assertFails(
                control(report, "eastus", Control.KEY_USABLE),
                "the version CockroachDB uses",
                v1.version().get());
    }

    @Test
    void aKeyThatIsGone_failsKeyUsable_andTheRestDoNotApply() {
        cmek.provision(req());

        VerifyReport report = cmek.verify(req(), Map.of("eastus", KeyUri.of(vaultName("eastus"), "no-such-key")));

        assertFails(control(report, "eastus", Control.KEY_USABLE), "does not exist", "cmek rotate --new-key");
        assertEquals(
                Verdict.NOT_APPLICABLE,
                control(report, "eastus", Control.EXACT_GRANT).verdict());
    }

    @Test
    void keyRotation_failsWithoutARotatePolicy_citingCis() {
        cmek.provision(req());
        keys("eastus")
                .updateKeyRotationPolicy(CmekNames.KEY_BASE, new KeyRotationPolicy().setLifetimeActions(List.of()));

        assertFails(control(cmek.verify(req()), "eastus", Control.KEY_ROTATION), "CIS Azure", "--repair-rotation");
    }

    @Test
    void keyRotation_failsWhenItRotatesLessOftenThanAsked() {
        cmek.provision(req());

        ControlResult r = control(
                cmek.verify(request("eastus", "westus2")
                        .rotation(RotationSchedule.every(90))
                        .build()),
                "eastus",
                Control.KEY_ROTATION);

        assertFails(r, "more than 90", "--rotation-period 90");
    }

    @Test
    void keyRecoverable_failsForAVaultWithoutPurgeProtection() {
        new ResourceGroups(clients).create(emulator.subscriptionId(), "customer-rg", "eastus", Map.of());
        String id = Vaults.id(emulator.subscriptionId(), "customer-rg", "loose-kv");
        ObjectNode body = Json.object().put("location", "eastus");
        ObjectNode props = body.putObject("properties");
        props.put("tenantId", emulator.tenantId()).put("enableRbacAuthorization", true);
        props.putObject("sku").put("family", "A").put("name", "standard");
        clients.arm().call("test", id, HttpMethod.PUT, id + "?api-version=" + Vaults.API, body);
        clients.keys("loose-kv").createRsaKey(new CreateRsaKeyOptions("their-key"));
        AzureCmekRequest brought = request("eastus")
                .existingKey("eastus", KeyUri.parse("https://loose-kv.vault.azure.net/keys/their-key"))
                .build();
        cmek.provision(brought);

        VerifyReport report = cmek.verify(brought);

        assertFails(
                control(report, "eastus", Control.KEY_RECOVERABLE),
                "purge protection off",
                "--enable-purge-protection");
        assertFails(control(report, "eastus", Control.KEY_ROTATION), "no rotation policy", "rotation-policy update");
    }

    @Test
    void exactGrant_failsForABroaderRoleOfOurs_andForAnyoneElseOnTheKey() {
        cmek.provision(req());
        String sp = crdbPrincipal().id();
        emulator.assignRole(sp, "Key Vault Crypto Officer", vaultId(vaultName("eastus")));
        String other = emulator.registerApp("someone").objectId();
        emulator.assignRole(other, CRYPTO_USER, keyScope("westus2"));

        VerifyReport report = cmek.verify(req());

        assertFails(
                control(report, "eastus", Control.EXACT_GRANT),
                "also holds Key Vault Crypto Officer at " + vaultId(vaultName("eastus")),
                "az role assignment delete");
        assertFails(control(report, "westus2", Control.EXACT_GRANT), other + " also holds " + CRYPTO_USER, "delete");
    }

    @Test
    void exactGrant_failsWhenTheAssignmentIsGone() {
        cmek.provision(req());
        String scope = keyScope("eastus");
        new RoleAssignments(clients)
                .delete(
                        scope,
                        CmekNames.assignmentName(ClusterId.of(CLUSTER), scope, BuiltInRole.KEY_VAULT_CRYPTO_USER.id()));

        assertFails(
                control(cmek.verify(req()), "eastus", Control.EXACT_GRANT),
                "lacks Key Vault Crypto User",
                "cmek provision");
    }

    @Test
    void exactGrant_failsForTheBroaderRoleTheDocsAskFor() {
        AzureCmekRequest broad = request("eastus").broaderRole(true).build();
        cmek.provision(broad);

        assertFails(
                control(cmek.verify(broad), "eastus", Control.EXACT_GRANT),
                "Key Vault Crypto Officer",
                "--azure-crypto-officer");
    }

    @Test
    void principalTrust_failsForADisabledPrincipal_andAMissingOne() {
        cmek.provision(req());
        emulator.servicePrincipalEnabled(emulator.tenantId(), APP, false);

        ControlResult disabled = cmek.verify(req()).principalControl(Control.PRINCIPAL_TRUST);
        assertEquals(Verdict.FAIL, disabled.verdict());
        assertTrue(disabled.fix().contains("cmek restore"), disabled.toString());

        AzureCmekRequest otherApp = request("eastus")
                .clusterAppId("0a0a0a0a-1b1b-4c2c-8d3d-4e4e4e4e4e4e")
                .build();
        ControlResult missing = cmek.verify(otherApp).principalControl(Control.PRINCIPAL_TRUST);
        assertEquals(Verdict.FAIL, missing.verdict());
        assertTrue(missing.fix().contains("adminconsent?client_id=0a0a0a0a"), missing.toString());
    }

    @Test
    void noOrphanGrants_failsForAGenerationNeverUsed_andListsOnesUsedBefore() {
        AzureCmekRequest req = req();
        ProvisionResult g1 = cmek.provision(req);
        KeyUri g2 = cmek.provisionNewKey(req, "eastus", 2).keyOf("eastus");

        assertFails(
                control(cmek.verify(req, g1.keys(), Set.of()), "eastus", Control.NO_ORPHAN_GRANTS),
                "crdb-cmek-g2",
                "cmek revoke");
        ControlResult former = control(cmek.verify(req, g1.keys(), Set.of(g2)), "eastus", Control.NO_ORPHAN_GRANTS);
        assertEquals(Verdict.PASS, former.verdict(), former.toString());
        assertTrue(former.evidence().get(0).contains("crdb-cmek-g2"), former.toString());
    }
}
