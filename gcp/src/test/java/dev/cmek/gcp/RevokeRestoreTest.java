package dev.cmek.gcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.google.cloud.kms.v1.CryptoKeyName;
import com.google.iam.admin.v1.GetServiceAccountRequest;
import com.google.iam.v1.Policy;
import dev.cmek.core.Fate;
import dev.cmek.core.Outcome;
import dev.cmek.core.RevocationJournal;
import dev.cmek.gcp.RevocationRecord.Document;
import dev.cmek.gcp.emulator.EmulatedMethod;
import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class RevokeRestoreTest extends EmulatorBacked {
    private final ObjectMapper json = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    /** Keeps intents as the evidence file does, and the order of events. */
    static final class Kept implements RevocationJournal<RevocationRecord.Intent> {
        final List<RevocationRecord.Intent> intents = new CopyOnWriteArrayList<>();
        final List<String> events = new CopyOnWriteArrayList<>();

        @Override
        public void intent(RevocationRecord.Intent intent) {
            intents.add(intent);
            events.add("intent " + intent.document() + " " + intent.resource());
        }

        @Override
        public void outcome(Outcome target) {
            events.add(target.fate() + " " + target.document() + " " + target.resource());
        }
    }

    private RestoreRequest restoreOf(List<RevocationRecord.Intent> intents) {
        return new RestoreRequest(ClusterId.of(CLUSTER), Optional.of(CRDB_ACCOUNT), Optional.of(PROJECT), intents, 5);
    }

    @Test
    void revokeThenRestore_givesBackTheSamePolicies() throws Exception {
        GcpCmekRequest req = request("us-east1", "us-west1").build();
        ProvisionResult r = cmek.provision(req);
        addToKeyPolicy(r.keyOf("us-east1"), "roles/cloudkms.viewer", "user:auditor@example.com");
        Map<String, Policy> before = new HashMap<>();
        for (String region : req.regions()) {
            before.put(region, keyPolicy(r.keyOf(region)));
        }
        Policy saBefore = saPolicy(r.serviceAccount());
        String member = req.cockroachMember().value();

        RevocationRecord record = cmek.revoke(req, true);

        assertEquals(4, record.intents().size(), record.toString());
        assertTrue(record.outcomes().stream().noneMatch(t -> t.fate() == Fate.LEFT), record.outcomes()::toString);
        assertEquals(
                4,
                record.outcomes().stream().filter(t -> t.fate() == Fate.REMOVED).count(),
                record.outcomes()::toString);
        for (String region : req.regions()) {
            Policy now = keyPolicy(r.keyOf(region));
            assertFalse(PolicyBindings.membersWith(now, Grant.ENCRYPTER_DECRYPTER)
                    .contains("serviceAccount:" + r.serviceAccount()));
            assertFalse(emulator.canImpersonateAndUse(
                    member, r.serviceAccount().value(), r.keyOf(region).toString()));
        }
        assertTrue(PolicyBindings.membersWith(keyPolicy(r.keyOf("us-east1")), "roles/cloudkms.viewer")
                .contains("user:auditor@example.com"));
        assertFalse(PolicyBindings.has(
                saPolicy(r.serviceAccount()), new Grant(Grant.TOKEN_CREATOR, req.cockroachMember())));
        assertTrue(serviceAccountDisabled(r.serviceAccount()));
        assertFalse(cmek.verify(req).ok());

        // The intents survive a trip through JSON, as the evidence keeps them.
        List<RevocationRecord.Intent> stored = new java.util.ArrayList<>();
        for (RevocationRecord.Intent i : record.intents()) {
            stored.add(json.readValue(json.writeValueAsString(i), RevocationRecord.Intent.class));
        }
        assertEquals(record.intents(), stored);
        RevocationRecord read = new RevocationRecord(
                record.clusterId(),
                record.serviceAccount(),
                record.revokedBy(),
                record.startedAt(),
                stored,
                record.outcomes(),
                record.notes());

        RestoreResult restored = cmek.restore(RestoreRequest.of(read, req));
        assertTrue(restored.couldNot().isEmpty(), restored.toString());
        for (String region : req.regions()) {
            assertTrue(PolicyBindings.sameBindings(before.get(region), keyPolicy(r.keyOf(region))), region);
        }
        assertTrue(PolicyBindings.sameBindings(saBefore, saPolicy(r.serviceAccount())));
        assertFalse(serviceAccountDisabled(r.serviceAccount()));
        VerifyReport v = cmek.verify(req);
        assertTrue(v.serviceAccountFindings().isEmpty(), v.toString());
        assertTrue(v.regions().get(1).ok(), v.toString());
        assertTrue(usableSoon(member, r.serviceAccount(), r.keyOf("us-west1")));
        assertEquals(2, emulator.cryptoKeyCount(), "keys are never touched");
        for (String method : emulator.callCounts().keySet()) {
            assertFalse(
                    method.matches(".*/(Destroy|Delete|UpdateCryptoKeyVersion|UpdateCryptoKey$).*"),
                    "destructive call made: " + method);
        }
    }

    @Test
    void revoke_cutsTheTokenCreatorFirst_andKeepsEachIntentBeforeItsWrite() {
        GcpCmekRequest req = request("us-east1", "us-west1").build();
        cmek.provision(req);
        Kept kept = new Kept();

        cmek.revoke(RevocationRequest.of(req, true), kept);

        List<String> e = kept.events;
        String sa = req.serviceAccountEmail().value();
        assertTrue(
                e.indexOf("intent SERVICE_ACCOUNT_POLICY " + sa) < e.indexOf("REMOVED SERVICE_ACCOUNT_POLICY " + sa),
                e::toString);
        assertTrue(
                e.indexOf("REMOVED SERVICE_ACCOUNT_POLICY " + sa) < e.indexOf("intent SERVICE_ACCOUNT_DISABLED " + sa),
                "the account is disabled only once the binding is gone: " + e);
        for (String region : req.regions()) {
            String key = req.keyNameOf(region, 1).toString();
            assertTrue(
                    e.indexOf("intent CRYPTO_KEY_POLICY " + key) < e.indexOf("REMOVED CRYPTO_KEY_POLICY " + key),
                    e::toString);
        }
    }

    @Test
    void revoke_whenAlreadyRevoked_intendsNothing_andClaimsNothing() {
        GcpCmekRequest req = request("us-east1").build();
        cmek.provision(req);
        cmek.revoke(req, false);
        RevocationRecord second = cmek.revoke(req, false);
        assertTrue(second.intents().isEmpty(), second.toString());
        assertTrue(second.outcomes().stream().allMatch(t -> t.fate() == Fate.ALREADY_ABSENT), second.toString());
        RestoreResult r = cmek.restore(restoreOf(second.intents()));
        assertTrue(r.changes().isEmpty());
        assertFalse(cmek.verify(req).ok(), "restoring an empty record grants nothing");
    }

    @Test
    void revoke_withoutDisabling_leavesAccountEnabled() {
        GcpCmekRequest req = request("us-east1").build();
        ProvisionResult p = cmek.provision(req);
        RevocationRecord rec = cmek.revoke(req, false);
        assertFalse(serviceAccountDisabled(p.serviceAccount()));
        cmek.restore(restoreOf(rec.intents()));
        assertTrue(cmek.verify(req).ok());
    }

    @Test
    void revoke_oneLocationRefusingTheCaller_leavesItReported_whileTheOthersAndTheTokenCreatorGo() {
        GcpCmekRequest req = request("us-east1", "us-west1", "europe-west1").build();
        cmek.provision(req);
        String denied = "projects/" + PROJECT + "/locations/us-west1/";
        emulator.denyPermissionOn(EmulatedMethod.GET_KEY_IAM_POLICY, denied, "cloudkms.cryptoKeys.getIamPolicy");
        Kept kept = new Kept();

        RevocationRecord record = cmek.revoke(RevocationRequest.of(req, false), kept);

        Outcome west = target(record, req.keyNameOf("us-west1", 1).toString());
        assertEquals(Fate.LEFT, west.fate());
        assertTrue(west.detail().contains("cloudkms.cryptoKeys.getIamPolicy"), west.detail());
        assertEquals(
                Fate.REMOVED, target(record, req.serviceAccountEmail().value()).fate());
        assertEquals(
                Fate.REMOVED,
                target(record, req.keyNameOf("us-east1", 1).toString()).fate());
        assertEquals(
                Fate.REMOVED,
                target(record, req.keyNameOf("europe-west1", 1).toString()).fate());

        emulator.clearFailures();
        RestoreResult restored = cmek.restore(restoreOf(kept.intents));
        assertTrue(restored.couldNot().isEmpty(), restored.toString());
        assertTrue(cmek.verify(req).ok(), () -> cmek.verify(req).toString());
    }

    @Test
    void revoke_lostReplyOnTheFirstPolicyWrite_countsAsRemoved_andRestorePutsItBack() {
        GcpCmekRequest req = request("us-east1").build();
        cmek.provision(req);
        emulator.loseReplyOfNext(EmulatedMethod.SET_SERVICE_ACCOUNT_IAM_POLICY, 1, Status.Code.UNAVAILABLE);
        Kept kept = new Kept();

        RevocationRecord record = cmek.revoke(RevocationRequest.of(req, false), kept);

        Outcome sa = target(record, req.serviceAccountEmail().value());
        assertEquals(Fate.REMOVED, sa.fate(), sa.toString());
        RevocationRecord.Intent intent = kept.intents.stream()
                .filter(i -> i.document() == Document.SERVICE_ACCOUNT_POLICY)
                .findFirst()
                .orElseThrow();
        assertEquals(List.of(new Grant(Grant.TOKEN_CREATOR, req.cockroachMember())), intent.removed());

        RestoreResult restored = cmek.restore(restoreOf(kept.intents));
        assertTrue(restored.couldNot().isEmpty(), restored.toString());
        assertTrue(PolicyBindings.has(
                saPolicy(req.serviceAccountEmail()), new Grant(Grant.TOKEN_CREATOR, req.cockroachMember())));
    }

    @Test
    void revoke_findsEveryKeyLabelledOurs_oldGenerationsAndOrphans() {
        GcpCmekRequest req = request("us-east1").build();
        cmek.provision(req);
        ProvisionResult second = cmek.provisionNewKey(req, "us-east1", 2);
        CryptoKeyName old = req.keyNameOf("us-east1", 1);
        CryptoKeyName current = second.keyOf("us-east1");

        // The live spec names only the new key; the old generation still holds the grant.
        RevocationRecord record = cmek.revoke(
                new RevocationRequest(
                        ClusterId.of(CLUSTER),
                        PROJECT,
                        Optional.of(CRDB_ACCOUNT),
                        List.of("us-east1"),
                        Map.of(current, List.of("us-east1")),
                        false,
                        5,
                        false),
                RevocationJournal.none());

        assertEquals(Fate.REMOVED, target(record, old.toString()).fate());
        assertEquals(Fate.REMOVED, target(record, current.toString()).fate());
        Grant grant = new Grant(Grant.ENCRYPTER_DECRYPTER, Member.serviceAccount(req.serviceAccountEmail()));
        assertFalse(PolicyBindings.has(keyPolicy(old), grant));
        assertFalse(PolicyBindings.has(keyPolicy(current), grant));
    }

    @Test
    void revoke_withoutTheClusterAccount_removesEveryCockroachIdentityOfTheCluster() {
        GcpCmekRequest req = request("us-east1").build();
        cmek.provision(req);

        RevocationRecord record = cmek.revoke(
                new RevocationRequest(
                        ClusterId.of(CLUSTER),
                        PROJECT,
                        Optional.empty(),
                        List.of("us-east1"),
                        Map.of(),
                        false,
                        5,
                        false),
                RevocationJournal.none());

        assertEquals(
                Fate.REMOVED, target(record, req.serviceAccountEmail().value()).fate());
        assertFalse(PolicyBindings.has(
                saPolicy(req.serviceAccountEmail()), new Grant(Grant.TOKEN_CREATOR, req.cockroachMember())));
        RestoreResult restored = cmek.restore(
                new RestoreRequest(ClusterId.of(CLUSTER), Optional.empty(), Optional.empty(), record.intents(), 5));
        assertTrue(restored.couldNot().isEmpty(), restored.toString());
        assertTrue(
                restored.warnings().stream()
                        .anyMatch(w -> w.contains(req.cockroachMember().value())),
                restored.warnings()::toString);
        assertTrue(cmek.verify(req).ok(), () -> cmek.verify(req).toString());
    }

    @Test
    void revoke_whenServiceAccountMissing_reportsIt_andStillLooksAtTheKeys() {
        GcpCmekRequest req = request("us-east1").build();
        cmek.provision(req);
        ServiceAccountEmail other = CmekNames.serviceAccountEmail("other-proj", ClusterId.of(CLUSTER));

        RevocationRecord missing = cmek.revoke(
                new RevocationRequest(
                        ClusterId.of(CLUSTER),
                        "other-proj",
                        Optional.of(CRDB_ACCOUNT),
                        List.of(),
                        Map.of(req.keyNameOf("us-east1", 1), List.of("us-east1")),
                        true,
                        5,
                        false),
                RevocationJournal.none());

        assertEquals(Fate.ALREADY_ABSENT, target(missing, other.value()).fate());
        assertTrue(missing.notes().get(0).contains("does not exist"), missing.notes()::toString);
        assertEquals(
                Fate.ALREADY_ABSENT,
                target(missing, req.keyNameOf("us-east1", 1).toString()).fate());
    }

    @Test
    void revoke_aCallThatNeverAnswers_endsAtItsDeadline_andIsReported() {
        GcpCmekRequest req = request("us-east1", "us-west1").build();
        cmek.provision(req);
        GcpClients.CallBudget short_ = new GcpClients.CallBudget(
                Duration.ofMillis(600), Duration.ofMillis(300), Duration.ofMillis(20), Duration.ofMillis(100));
        emulator.neverAnswer(EmulatedMethod.GET_KEY_IAM_POLICY, "projects/" + PROJECT + "/locations/us-west1/");
        try (GcpClients bounded = GcpClients.overChannel(emulator.channel(), short_)) {
            long start = System.nanoTime();
            RevocationRecord record =
                    new GcpCmek(bounded).revoke(RevocationRequest.of(req, false), RevocationJournal.none());
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertTrue(
                    took.compareTo(Duration.ofSeconds(15)) < 0,
                    "bounded by the 600 ms budget, not the default 30 s: " + took);
            assertEquals(
                    Fate.LEFT,
                    target(record, req.keyNameOf("us-west1", 1).toString()).fate());
            assertEquals(
                    Fate.REMOVED,
                    target(record, req.keyNameOf("us-east1", 1).toString()).fate());
            assertEquals(
                    Fate.REMOVED,
                    target(record, req.serviceAccountEmail().value()).fate());
        }
    }

    @Test
    void restore_refusesGrantsItNeverMakes_andWritesNothing() {
        GcpCmekRequest req = request("us-east1").build();
        cmek.provision(req);
        RevocationRecord record = cmek.revoke(req, true);
        Policy saNow = saPolicy(req.serviceAccountEmail());
        Policy keyNow = keyPolicy(req.keyNameOf("us-east1", 1));

        List<List<RevocationRecord.Intent>> edited = new ArrayList<>();
        edited.add(replaceGrant(record, Document.CRYPTO_KEY_POLICY, new Grant("roles/owner", member(req))));
        edited.add(replaceGrant(
                record,
                Document.SERVICE_ACCOUNT_POLICY,
                new Grant(
                        Grant.TOKEN_CREATOR, Member.of("serviceAccount:attacker@evil-proj.iam.gserviceaccount.com"))));
        edited.add(replaceGrant(
                record,
                Document.SERVICE_ACCOUNT_POLICY,
                new Grant(Grant.TOKEN_CREATOR, Member.cockroachIdentity(ClusterId.of(CLUSTER), "another-acct"))));
        for (List<RevocationRecord.Intent> intents : edited) {
            UntrustedRecordException e =
                    assertThrows(UntrustedRecordException.class, () -> cmek.restore(restoreOf(intents)));
            assertTrue(e.getMessage().contains("intent"), e.getMessage());
        }
        // Another cluster: the same record restored as if it were another cluster's.
        assertThrows(
                UntrustedRecordException.class,
                () -> cmek.restore(new RestoreRequest(
                        ClusterId.of("00000000-0000-4000-8000-000000000001"),
                        Optional.of(CRDB_ACCOUNT),
                        Optional.empty(),
                        record.intents(),
                        5)));
        assertTrue(PolicyBindings.sameBindings(saNow, saPolicy(req.serviceAccountEmail())), "nothing was written");
        assertTrue(PolicyBindings.sameBindings(keyNow, keyPolicy(req.keyNameOf("us-east1", 1))));
        assertTrue(serviceAccountDisabled(req.serviceAccountEmail()), "not even enabled");
    }

    private static Member member(GcpCmekRequest req) {
        return Member.serviceAccount(req.serviceAccountEmail());
    }

    /** The record with one document's removed grant swapped for {@code grant}, also in its policy before (an edit). */
    private static List<RevocationRecord.Intent> replaceGrant(RevocationRecord record, Document document, Grant grant) {
        return record.intents().stream()
                .map(i -> {
                    if (i.document() != document) {
                        return i;
                    }
                    Policy before = PolicyBindings.with(i.before().toPolicy(), grant);
                    return new RevocationRecord.Intent(
                            i.document(), i.resource(), i.regions(), PolicyDocument.of(before), List.of(grant), i.at());
                })
                .toList();
    }

    private static Outcome target(RevocationRecord record, String resource) {
        return record.outcomes().stream()
                .filter(t -> t.resource().equals(resource))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no target " + resource + " in " + record.outcomes()));
    }

    private boolean serviceAccountDisabled(ServiceAccountEmail sa) {
        return clients.iam()
                .getServiceAccount(GetServiceAccountRequest.newBuilder()
                        .setName(sa.resourceName())
                        .build())
                .getDisabled();
    }
}
