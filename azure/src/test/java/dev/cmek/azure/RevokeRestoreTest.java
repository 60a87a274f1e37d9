package dev.cmek.azure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.core.credential.TokenRequestContext;
import com.azure.identity.ClientSecretCredentialBuilder;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.cmek.azure.emulator.EmulatorViews;
import dev.cmek.core.Fate;
import dev.cmek.core.Outcome;
import dev.cmek.core.RevocationJournal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Revocation, dry runs, revocation without the Cloud API, and restore, against the emulator. */
class RevokeRestoreTest extends EmulatorBacked {
    private static final List<String> REGIONS = List.of("eastus", "westeurope", "centralindia");

    /** Keeps everything a revocation hands out, in order. */
    static final class Journal implements RevocationJournal<RevocationRecord.Intent> {
        final List<Object> entries = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void intent(RevocationRecord.Intent intent) {
            entries.add(intent);
        }

        @Override
        public void outcome(Outcome outcome) {
            entries.add(outcome);
        }

        List<RevocationRecord.Intent> intents() {
            return entries.stream()
                    .filter(e -> e instanceof RevocationRecord.Intent)
                    .map(e -> (RevocationRecord.Intent) e)
                    .toList();
        }
    }

    private static AzureCmekRequest req() {
        return request(REGIONS.toArray(String[]::new)).build();
    }

    private static List<Outcome> outcomes(RevocationRecord r, RevocationRecord.Document d, Fate fate) {
        return r.outcomes().stream()
                .filter(o -> o.document() == d && o.fate() == fate)
                .toList();
    }

    @Test
    void revoke_masterSwitchIntentFirst_andItsWriteFinishedBeforeAnyKeyWrite() {
        cmek.provision(req());
        Journal journal = new Journal();
        emulator.resetCallCounts();
        // The switch's first write is throttled: the key writes, whose reads are done by then, must still wait for it.
        emulator.throttleNext("graph.servicePrincipals.patch", 1, Duration.ofMillis(500));

        RevocationRecord record = cmek.revoke(RevocationRequest.of(req(), false), journal);

        List<RevocationRecord.Intent> intents = journal.intents();
        assertEquals(4, intents.size(), intents.toString());
        assertEquals(RevocationRecord.Document.SERVICE_PRINCIPAL, intents.get(0).document());
        assertEquals(intents, record.intents());
        List<EmulatorViews.Call> log = emulator.requestLog();
        int patch = -1;
        for (int i = 0; i < log.size(); i++) {
            if (log.get(i).operation().equals("graph.servicePrincipals.patch")
                    && log.get(i).status() / 100 == 2) {
                patch = i;
            }
        }
        assertTrue(patch >= 0, log.toString());
        assertEquals(
                3,
                log.stream()
                        .filter(c -> c.operation().equals("arm.roleAssignments.delete"))
                        .count());
        for (int i = 0; i < log.size(); i++) {
            if (log.get(i).operation().equals("arm.roleAssignments.delete")) {
                assertTrue(i > patch, "every key write after the master switch's: " + log);
            }
        }
        assertEquals(
                1,
                outcomes(record, RevocationRecord.Document.SERVICE_PRINCIPAL, Fate.REMOVED)
                        .size());
        assertEquals(
                3,
                outcomes(record, RevocationRecord.Document.ROLE_ASSIGNMENT, Fate.REMOVED)
                        .size());
        assertFalse(crdbPrincipal().accountEnabled());
        assertEquals(List.of(), crdbAssignments());
        assertEquals(APP, record.clusterAppId());
        assertEquals(crdbPrincipal().id(), record.servicePrincipalId());
        assertEquals(emulator.tenantId(), record.tenantId());
        assertTrue(record.revokedBy().contains(emulator.admin().clientId()), record.revokedBy());
        Set<String> regions = outcomes(record, RevocationRecord.Document.ROLE_ASSIGNMENT, Fate.REMOVED).stream()
                .map(Outcome::region)
                .collect(Collectors.toSet());
        assertEquals(Set.copyOf(REGIONS), regions);
    }

    @Test
    void revoke_whenOneRegionRefuses_theOthersAndTheSwitchGo_andTheRegionIsLeft() {
        cmek.provision(req());
        emulator.denyNext("arm.roleAssignments.delete", 1);

        RevocationRecord record = cmek.revoke(RevocationRequest.of(req(), false));

        List<Outcome> left = outcomes(record, RevocationRecord.Document.ROLE_ASSIGNMENT, Fate.LEFT);
        assertEquals(1, left.size(), record.outcomes().toString());
        assertTrue(
                left.get(0).detail().contains("az role assignment delete --ids"),
                left.get(0).detail());
        assertTrue(
                left.get(0).detail().contains("AuthorizationFailed"),
                left.get(0).detail());
        assertNotNull(left.get(0).region());
        assertEquals(
                2,
                outcomes(record, RevocationRecord.Document.ROLE_ASSIGNMENT, Fate.REMOVED)
                        .size());
        assertEquals(
                1,
                outcomes(record, RevocationRecord.Document.SERVICE_PRINCIPAL, Fate.REMOVED)
                        .size());
        assertEquals(1, crdbAssignments().size(), "the refused region's assignment is still there");
        assertEquals(4, record.intents().size(), "the refused write's intent was kept before it");
    }

    @Test
    void revoke_neverDisablesDeletesOrPurgesAKeyOrVault() {
        cmek.provision(req());
        emulator.resetCallCounts();

        cmek.revoke(RevocationRequest.of(req(), false));

        assertEquals(
                Map.of("arm.roleAssignments.delete", 3, "graph.servicePrincipals.patch", 1),
                writes(),
                "only the sign-in and the assignments are written");
        assertEquals(3, emulator.vaults().size());
        for (String r : REGIONS) {
            EmulatorViews.Key key =
                    emulator.key(vaultName(r), CmekNames.KEY_BASE).orElseThrow();
            assertFalse(key.deleted());
            assertTrue(key.current().enabled());
        }
    }

    @Test
    void aDisabledPrincipal_getsNoNewToken() {
        cmek.provision(req());
        assertNotNull(crdbToken(), "before: CockroachDB's app gets a token in the customer's tenant");

        cmek.revoke(RevocationRequest.of(req(), false));

        RuntimeException e = assertThrows(RuntimeException.class, RevokeRestoreTest::crdbToken);
        assertTrue(String.valueOf(e.getMessage()).contains("AADSTS7000112"), e.getMessage());
    }

    @Test
    void prepare_getsTheArmAndGraphTokensAhead_andTheRevocationAsksForNoOther() {
        cmek.provision(req());
        AzureCmek cold = new AzureCmek(clients(emulator)); // a new process's clients: no token yet
        emulator.resetCallCounts();

        cold.prepare();

        assertEquals(2, emulator.callCount("entra.token"), emulator.callCounts().toString());
        cold.revoke(RevocationRequest.of(req(), false));
        assertEquals(2, emulator.callCount("entra.token"), emulator.callCounts().toString());
    }

    /** A Key Vault token for CockroachDB's app in the customer's tenant, as CockroachDB would ask for one. */
    private static String crdbToken() {
        return new ClientSecretCredentialBuilder()
                .tenantId(emulator.tenantId())
                .clientId(crdb.clientId())
                .clientSecret(crdb.clientSecret())
                .authorityHost(emulator.authorityHost())
                .disableInstanceDiscovery() // Entra would refuse to describe the emulator's authority
                .httpClient(AzureTransport.throughEmulator(emulator.address(), emulator.caFile()))
                .build()
                .getTokenSync(new TokenRequestContext().addScopes("https://vault.azure.net/.default"))
                .getToken();
    }

    @Test
    void dryRun_writesNothing_keepsNoIntent_andListsWhatWouldBeRemoved() {
        cmek.provision(req());
        Journal journal = new Journal();
        emulator.resetCallCounts();

        RevocationRecord record = cmek.revoke(RevocationRequest.of(req(), true), journal);

        assertEquals(Map.of(), writes());
        assertTrue(record.dryRun());
        assertEquals(List.of(), journal.intents());
        assertEquals(List.of(), record.intents());
        assertEquals(
                1,
                outcomes(record, RevocationRecord.Document.SERVICE_PRINCIPAL, Fate.WOULD_REMOVE)
                        .size());
        List<Outcome> would = outcomes(record, RevocationRecord.Document.ROLE_ASSIGNMENT, Fate.WOULD_REMOVE);
        assertEquals(3, would.size(), record.outcomes().toString());
        assertTrue(
                would.get(0).detail().startsWith("would delete Key Vault Crypto User"),
                would.get(0).detail());
        assertTrue(crdbPrincipal().accountEnabled());
        assertEquals(3, crdbAssignments().size());
    }

    @Test
    void revokeWithoutTheCloudApi_findsTheVaultsTheAppAndThePrincipalFromTags() {
        cmek.provision(req());

        RevocationRecord record =
                cmek.revoke(RevocationRequest.cloudOnly(ClusterId.of(CLUSTER), emulator.subscriptionId(), null));

        assertEquals(APP, record.clusterAppId());
        assertEquals(emulator.tenantId(), record.tenantId());
        assertEquals(
                1,
                outcomes(record, RevocationRecord.Document.SERVICE_PRINCIPAL, Fate.REMOVED)
                        .size());
        assertEquals(
                3,
                outcomes(record, RevocationRecord.Document.ROLE_ASSIGNMENT, Fate.REMOVED)
                        .size());
        assertFalse(crdbPrincipal().accountEnabled());
        assertEquals(List.of(), crdbAssignments());
        assertTrue(
                record.notes().stream().anyMatch(n -> n.contains("crdb-cmek-app")),
                record.notes().toString());
        assertTrue(
                record.notes().stream().anyMatch(n -> n.contains("keys the customer brought")),
                record.notes().toString());
    }

    @Test
    void revokeWithoutTheCloudApi_whenNothingIsTagged_saysWhatCouldNotBeFound() {
        RevocationRecord record =
                cmek.revoke(RevocationRequest.cloudOnly(ClusterId.of(CLUSTER), emulator.subscriptionId(), null));

        Outcome sw = record.outcomes().stream()
                .filter(o -> o.document() == RevocationRecord.Document.SERVICE_PRINCIPAL)
                .findFirst()
                .orElseThrow();
        assertEquals(Fate.LEFT, sw.fate());
        assertTrue(sw.detail().contains("CockroachDB Cloud - " + CLUSTER), sw.detail());
        assertTrue(
                record.notes().stream().anyMatch(n -> n.contains("no vault tagged")),
                record.notes().toString());
    }

    @Test
    void reRevoke_isAlreadyAbsent_andWritesNothing() {
        cmek.provision(req());
        cmek.revoke(RevocationRequest.of(req(), false));
        emulator.resetCallCounts();

        RevocationRecord again = cmek.revoke(RevocationRequest.of(req(), false));

        assertEquals(Map.of(), writes());
        assertEquals(List.of(), again.intents());
        assertTrue(
                again.outcomes().stream().allMatch(o -> o.fate() == Fate.ALREADY_ABSENT),
                again.outcomes().toString());
        assertEquals(
                4,
                again.outcomes().stream().filter(o -> !settling(o)).count(),
                "the sign-in and the three assignments: " + again.outcomes());
    }

    /**
     * An outcome that settles what a run unable to read the principal or list the vaults would have left under another
     * name: the principal by its app, our vaults' listing.
     */
    private static boolean settling(Outcome o) {
        return o.fate() == Fate.ALREADY_ABSENT
                && (o.resource().equals(SignInRevocation.UNKNOWN_APP)
                        || o.resource().startsWith("servicePrincipals(")
                        || o.resource().startsWith("vaults tagged for the cluster in "));
    }

    @Test
    void aLostReplyToADelete_isRemoved_fromTheIntent() {
        cmek.provision(request("eastus").build());
        emulator.loseReplyOfNext("arm.roleAssignments.delete", 1);

        RevocationRecord record =
                cmek.revoke(RevocationRequest.of(request("eastus").build(), false));

        assertEquals(
                1,
                outcomes(record, RevocationRecord.Document.ROLE_ASSIGNMENT, Fate.REMOVED)
                        .size());
        assertEquals(List.of(), crdbAssignments());
    }

    @Test
    void revoke_whenTheSwitchIsRefused_itIsLeftWithWhatToDo_andTheKeysStillGo() {
        cmek.provision(req());
        emulator.deny("graph.servicePrincipals.patch");

        RevocationRecord record = cmek.revoke(RevocationRequest.of(req(), false));

        Outcome sw = outcomes(record, RevocationRecord.Document.SERVICE_PRINCIPAL, Fate.LEFT)
                .get(0);
        assertTrue(sw.detail().contains("az ad sp update --id " + APP + " --set accountEnabled=false"), sw.detail());
        assertEquals(
                3,
                outcomes(record, RevocationRecord.Document.ROLE_ASSIGNMENT, Fate.REMOVED)
                        .size());
        assertEquals(List.of(), crdbAssignments());
    }

    @Test
    void revoke_assignmentsCmekNeverWrites_areLeftWithWhatToDo_andReportedOnce() {
        cmek.provision(req());
        String sp = crdbPrincipal().id();
        emulator.assignRole(sp, "Key Vault Crypto Officer", keyScope("eastus"));
        emulator.assignRole(sp, "Reader", ResourceGroups.id(emulator.subscriptionId(), resourceGroup()));

        RevocationRecord record = cmek.revoke(RevocationRequest.of(req(), false));

        List<Outcome> left = outcomes(record, RevocationRecord.Document.ROLE_ASSIGNMENT, Fate.LEFT);
        assertEquals(2, left.size(), left.toString());
        assertEquals(
                3,
                outcomes(record, RevocationRecord.Document.ROLE_ASSIGNMENT, Fate.REMOVED)
                        .size());
        assertEquals(2, crdbAssignments().size());
    }

    @Test
    void revoke_aBroughtKey_losesTheAssignment_andTheKeyIsUntouched() {
        foreignVault("customer-rg", "customer-kv", "eastus", Map.of());
        clients.keys("customer-kv")
                .createRsaKey(new com.azure.security.keyvault.keys.models.CreateRsaKeyOptions("their-key"));
        AzureCmekRequest brought = request("eastus")
                .existingKey("eastus", KeyUri.parse("https://customer-kv.vault.azure.net/keys/their-key"))
                .build();
        cmek.provision(brought);
        emulator.resetCallCounts();

        RevocationRecord record = cmek.revoke(RevocationRequest.of(brought, false));

        assertEquals(
                1,
                outcomes(record, RevocationRecord.Document.ROLE_ASSIGNMENT, Fate.REMOVED)
                        .size());
        assertEquals(List.of(), crdbAssignments());
        assertEquals(Map.of("arm.roleAssignments.delete", 1, "graph.servicePrincipals.patch", 1), writes());
    }

    @Test
    void restore_putsBackTheSameAssignmentNames_andEnablesThePrincipal() {
        AzureCmekRequest req = req();
        cmek.provision(req);
        Set<String> before = crdbAssignments().stream()
                .map(a -> a.name() + " " + a.scope() + " " + a.roleName())
                .collect(Collectors.toSet());
        RevocationRecord record = cmek.revoke(RevocationRequest.of(req, false));

        RestoreResult back = cmek.restore(RestoreRequest.of(record, req));

        assertEquals(List.of(), back.couldNot());
        assertEquals(
                before,
                crdbAssignments().stream()
                        .map(a -> a.name() + " " + a.scope() + " " + a.roleName())
                        .collect(Collectors.toSet()));
        assertTrue(crdbAssignments().stream().allMatch(a -> a.principalType().equals("ServicePrincipal")));
        assertTrue(crdbPrincipal().accountEnabled());
        assertNotNull(crdbToken());
        assertEquals(4, back.changes().size(), back.changes().toString());
        RestoreResult again = cmek.restore(RestoreRequest.of(record, req));
        assertEquals(4, again.changes().size(), again.changes().toString());
        assertTrue(again.changes().stream().allMatch(c -> c.action() == dev.cmek.core.Change.Action.UNCHANGED));
    }

    @Test
    void restore_fromTheRecordAlone_refusesAPrincipalThatIsNotCockroachDBsAppForTheCluster() {
        cmek.provision(req());
        RevocationRecord record =
                cmek.revoke(RevocationRequest.cloudOnly(ClusterId.of(CLUSTER), emulator.subscriptionId(), null));
        // Named as CockroachDB names the cluster's app, but registered in the customer's own tenant.
        EmulatorViews.ClientCredentials impostor = emulator.registerApp("CockroachDB Cloud - " + CLUSTER);
        List<RevocationRecord.Intent> intents = new ArrayList<>();
        for (RevocationRecord.Intent i : record.intents()) {
            if (i.signIn() != null) {
                intents.add(new RevocationRecord.Intent(
                        i.document(),
                        "servicePrincipals/" + impostor.objectId(),
                        i.region(),
                        new RevocationRecord.SignIn(
                                i.signIn().tenantId(), impostor.objectId(), impostor.clientId(), true),
                        null,
                        i.at()));
            } else {
                RevocationRecord.Assignment a = i.assignment();
                intents.add(edited(i, a.scope(), a.roleDefinitionId(), impostor.objectId()));
            }
        }
        RevocationRecord forged = withIntents(record, impostor.clientId(), impostor.objectId(), intents);
        emulator.resetCallCounts();

        UntrustedRecordException e =
                assertThrows(UntrustedRecordException.class, () -> cmek.restore(RestoreRequest.fromRecord(forged)));

        assertTrue(e.getMessage().contains("registered outside your tenant"), e.getMessage());
        assertEquals(Map.of(), writes());
        assertTrue(emulator.roleAssignments().stream()
                .noneMatch(a -> a.principalId().equals(impostor.objectId())));
    }

    @Test
    void restore_fromTheRecordAlone_afterARevocationWithoutTheCloudApi() {
        cmek.provision(req());
        RevocationRecord record =
                cmek.revoke(RevocationRequest.cloudOnly(ClusterId.of(CLUSTER), emulator.subscriptionId(), null));

        RestoreResult back = cmek.restore(RestoreRequest.fromRecord(record));

        assertEquals(List.of(), back.couldNot());
        assertEquals(3, crdbAssignments().size());
        assertTrue(crdbPrincipal().accountEnabled());
        assertFalse(back.warnings().isEmpty());
    }

    @Test
    void restore_refusesAnEditedRecord_withNothingWritten() {
        AzureCmekRequest req = req();
        cmek.provision(req);
        RevocationRecord record = cmek.revoke(RevocationRequest.of(req, false));
        RevocationRecord.Intent assignment = record.intents().get(1);
        RevocationRecord.Assignment a = assignment.assignment();
        String officer = BuiltInRole.KEY_VAULT_CRYPTO_OFFICER.definitionId(emulator.subscriptionId());
        List<RevocationRecord.Intent> edits = List.of(
                // a broader role on the key
                edited(assignment, a.scope(), officer, a.principalId()),
                // another principal
                edited(
                        assignment,
                        a.scope(),
                        a.roleDefinitionId(),
                        emulator.admin().objectId()),
                // a key of someone else's vault
                edited(
                        assignment,
                        foreignVault("other-rg", "other-kv", "eastus", Map.of()).id() + "/keys/k",
                        a.roleDefinitionId(),
                        a.principalId()),
                // Crypto Officer on the whole vault, from a request that did not ask for the broader role
                edited(assignment, a.scope().substring(0, a.scope().indexOf("/keys/")), officer, a.principalId()),
                // a vault that does not exist
                edited(
                        assignment,
                        a.scope().replaceFirst("/vaults/[^/]+/", "/vaults/crdb-no-such-vault/"),
                        a.roleDefinitionId(),
                        a.principalId()),
                // another subscription
                edited(
                        assignment,
                        a.scope().replace(emulator.subscriptionId(), "00000000-0000-4000-8000-000000000000"),
                        a.roleDefinitionId(),
                        a.principalId()));
        for (RevocationRecord.Intent edited : edits) {
            List<RevocationRecord.Intent> intents = new ArrayList<>(record.intents());
            intents.set(1, edited);
            RevocationRecord forged = withIntents(record, record.clusterAppId(), record.servicePrincipalId(), intents);
            emulator.resetCallCounts();

            UntrustedRecordException e = assertThrows(
                    UntrustedRecordException.class,
                    () -> cmek.restore(RestoreRequest.of(forged, req)),
                    edited.toString());

            assertTrue(e.getMessage().contains("nothing was written"), e.getMessage());
            assertEquals(Map.of(), writes());
        }
        assertFalse(crdbPrincipal().accountEnabled());
        assertEquals(List.of(), crdbAssignments());
    }

    @Test
    void restoreHoldsARecordToTheTenantThatOwnsTheSubscription_asArmSays() {
        assertEquals(emulator.tenantId(), cmek.tenantOf(emulator.subscriptionId()));
        assertThrows(CallFailedException.class, () -> cmek.tenantOf("00000000-0000-4000-8000-000000000000"));
    }

    @Test
    void restore_refusesAnotherClustersRecord() {
        AzureCmekRequest req = req();
        cmek.provision(req);
        RevocationRecord record = cmek.revoke(RevocationRequest.of(req, false));
        RestoreRequest other = new RestoreRequest(
                ClusterId.of("11111111-2222-4333-8444-555555555555"),
                emulator.tenantId(),
                emulator.subscriptionId(),
                Optional.of(APP),
                record.intents(),
                Set.of(),
                false);

        assertThrows(UntrustedRecordException.class, () -> cmek.restore(other));
        assertEquals(List.of(), crdbAssignments());
    }

    /** Intent {@code i} with its assignment changed, under the same name, as an editor of the record would. */
    private static RevocationRecord.Intent edited(
            RevocationRecord.Intent i, String scope, String roleDefinitionId, String principalId) {
        RevocationRecord.Assignment a = i.assignment();
        return withAssignment(
                i, new RevocationRecord.Assignment(a.name(), scope, roleDefinitionId, principalId, a.principalType()));
    }

    /** {@code record} as an editor would re-seal it: these intents, for this app and principal. */
    private static RevocationRecord withIntents(
            RevocationRecord record, String appId, String principalId, List<RevocationRecord.Intent> intents) {
        return new RevocationRecord(
                record.clusterId(),
                record.tenantId(),
                record.subscriptionId(),
                appId,
                principalId,
                record.revokedBy(),
                record.startedAt(),
                false,
                intents,
                record.outcomes(),
                record.notes());
    }

    private static RevocationRecord.Intent withAssignment(RevocationRecord.Intent i, RevocationRecord.Assignment a) {
        return new RevocationRecord.Intent(
                i.document(), RoleAssignments.id(a.scope(), a.name()), i.region(), null, a, i.at());
    }

    @Test
    void intents_serialiseAsJacksonDoes_andReadBack_withoutTheSecret() throws Exception {
        cmek.provision(req());
        RevocationRecord record = cmek.revoke(RevocationRequest.of(req(), false));
        assertEquals(4, record.intents().size(), record.intents().toString());
        ObjectMapper jackson = new ObjectMapper()
                .registerModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

        for (RevocationRecord.Intent i : record.intents()) {
            assertEquals(jackson.writeValueAsString(i), i.toJson());
            assertEquals(i, RevocationRecord.Intent.fromJson(i.toJson()));
        }
        // The orchestrator keeps the intents (read back above) and prints the rest.
        String all = jackson.writeValueAsString(record);
        assertFalse(all.contains(emulator.admin().clientSecret()));
    }
}
