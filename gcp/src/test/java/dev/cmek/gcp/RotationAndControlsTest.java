package dev.cmek.gcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.api.gax.rpc.InvalidArgumentException;
import com.google.cloud.kms.v1.CreateCryptoKeyRequest;
import com.google.cloud.kms.v1.CryptoKey;
import com.google.cloud.kms.v1.CryptoKeyName;
import com.google.cloud.kms.v1.CryptoKeyVersion.CryptoKeyVersionState;
import com.google.cloud.kms.v1.KeyRingName;
import com.google.iam.v1.SetIamPolicyRequest;
import com.google.protobuf.FieldMask;
import com.google.protobuf.Timestamp;
import dev.cmek.core.Change;
import dev.cmek.core.Control;
import dev.cmek.core.ControlResult;
import dev.cmek.core.Verdict;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Automatic rotation on the keys the toolkit creates, read back with Cloud KMS's own GetCryptoKey; and every verify
 * control passing on a clean state and failing on a state crafted out of band (the emulator's knobs and raw clients:
 * the toolkit never destroys, disables or widens anything).
 */
class RotationAndControlsTest extends EmulatorBacked {
    static final String UPDATE = "google.cloud.kms.v1.KeyManagementService/UpdateCryptoKey";

    CryptoKey key(CryptoKeyName name) {
        return clients.kms().getCryptoKey(name);
    }

    static Duration period(CryptoKey key) {
        return Duration.ofSeconds(key.getRotationPeriod().getSeconds());
    }

    void schedule(CryptoKeyName name, Duration period) {
        clients.kms()
                .updateCryptoKey(
                        CryptoKey.newBuilder()
                                .setName(name.toString())
                                .setRotationPeriod(com.google.protobuf.Duration.newBuilder()
                                        .setSeconds(period.toSeconds()))
                                .setNextRotationTime(Timestamp.newBuilder()
                                        .setSeconds(Instant.now().plus(period).getEpochSecond()))
                                .build(),
                        FieldMask.newBuilder()
                                .addPaths("rotation_period")
                                .addPaths("next_rotation_time")
                                .build());
    }

    void noSchedule(CryptoKeyName name) {
        clients.kms()
                .updateCryptoKey(
                        CryptoKey.newBuilder().setName(name.toString()).build(),
                        FieldMask.newBuilder()
                                .addPaths("rotation_period")
                                .addPaths("next_rotation_time")
                                .build());
    }

    static java.util.List<Change> rotations(java.util.List<Change> changes) {
        return changes.stream()
                .filter(c -> c.type() == GcpResource.CRYPTO_KEY_ROTATION)
                .toList();
    }

    @Test
    void provision_setsA90DayRotationAndTheNextRotation_onEveryKeyItCreates() {
        GcpCmekRequest req = request("us-east1", "us-west1").build();
        ProvisionResult r = cmek.provision(req);

        for (String region : req.regions()) {
            CryptoKey k = key(r.keyOf(region));
            assertEquals(Duration.ofDays(90), period(k), region);
            Instant next = Instant.ofEpochSecond(k.getNextRotationTime().getSeconds());
            assertTrue(Duration.between(Instant.now(), next).toDays() >= 89, next::toString);
        }
        assertTrue(rotations(r.changes()).stream().allMatch(c -> c.action() == Change.Action.CREATED), r::toString);
        assertEquals(0, emulator.callCount(UPDATE), "set at creation, no update");
        assertFalse(cmek.provision(req).changedAnything(), "a re-run changes nothing");
        assertEquals(0, emulator.callCount(UPDATE));
    }

    @Test
    void provision_withAPeriod_setsIt_andPlanShowsIt() {
        GcpCmekRequest req =
                request("us-east1").rotation(RotationSchedule.every(30)).build();
        ProvisionPlan plan = cmek.plan(req);
        assertTrue(
                rotations(plan.changes()).stream()
                        .allMatch(c -> c.action() == Change.Action.WOULD_CREATE
                                && c.detail().contains("every 30 days")),
                plan::toString);

        assertEquals(Duration.ofDays(30), period(key(cmek.provision(req).keyOf("us-east1"))));
    }

    @Test
    void noAutoRotation_createsKeysWithoutIt_andADefaultRunConvergesWithAnUpdateOfTheScheduleOnly() {
        CryptoKeyName k = cmek.provision(
                        request("us-east1").rotation(RotationSchedule.off()).build())
                .keyOf("us-east1");
        assertFalse(key(k).hasRotationPeriod());

        ProvisionResult on = cmek.provision(request("us-east1").build());

        assertEquals(Change.Action.UPDATED, rotations(on.changes()).get(0).action(), on::toString);
        assertEquals(Duration.ofDays(90), period(key(k)));
        assertEquals(1, emulator.callCount(UPDATE));
    }

    @Test
    void driftedPeriod_isReported_andRepairedOnlyWithRepairRotation() {
        CryptoKeyName k = cmek.provision(request("us-east1").build()).keyOf("us-east1");
        schedule(k, Duration.ofDays(180));
        emulator.resetCallCounts();

        ProvisionResult drifted = cmek.provision(request("us-east1").build());

        Change d = rotations(drifted.changes()).get(0);
        assertEquals(Change.Action.DRIFTED, d.action(), d::toString);
        assertTrue(d.detail().contains("180") && d.detail().contains("--repair-rotation"), d::toString);
        assertEquals(0, emulator.callCount(UPDATE));
        cmek.provision(request("us-east1")
                .rotation(RotationSchedule.defaults().withRepair(true))
                .build());
        assertEquals(Duration.ofDays(90), period(key(k)));
    }

    @Test
    void broughtKey_isNeverChanged_onlyReported() {
        clients.kms()
                .createKeyRing(
                        com.google.cloud.kms.v1.LocationName.of(PROJECT, "us-east1"),
                        "theirs",
                        com.google.cloud.kms.v1.KeyRing.getDefaultInstance());
        CryptoKeyName theirs = CryptoKeyName.parse(clients.kms()
                .createCryptoKey(CreateCryptoKeyRequest.newBuilder()
                        .setParent(KeyRingName.of(PROJECT, "us-east1", "theirs").toString())
                        .setCryptoKeyId("k")
                        .setCryptoKey(CryptoKey.newBuilder().setPurpose(CryptoKey.CryptoKeyPurpose.ENCRYPT_DECRYPT))
                        .build())
                .getName());

        ProvisionResult r = cmek.provision(
                request("us-east1").existingKey("us-east1", theirs).build());

        Change c = rotations(r.changes()).get(0);
        assertEquals(Change.Action.UNCHANGED, c.action());
        assertTrue(c.detail().contains("OFF") && c.detail().contains("gcloud kms keys update"), c::toString);
        assertFalse(key(theirs).hasRotationPeriod());
        assertEquals(0, emulator.callCount(UPDATE));
    }

    @Test
    void emulator_refusesWhatCloudKmsRefuses_aPeriodUnder24Hours_noNextRotationTime_noUpdateMask() {
        CryptoKeyName k = cmek.provision(request("us-east1").build()).keyOf("us-east1");
        assertThrows(InvalidArgumentException.class, () -> schedule(k, Duration.ofHours(1)));
        assertThrows(
                InvalidArgumentException.class,
                () -> clients.kms()
                        .updateCryptoKey(
                                CryptoKey.newBuilder()
                                        .setName(k.toString())
                                        .setRotationPeriod(com.google.protobuf.Duration.newBuilder()
                                                .setSeconds(Duration.ofDays(30).toSeconds()))
                                        .build(),
                                FieldMask.newBuilder()
                                        .addPaths("rotation_period")
                                        .addPaths("next_rotation_time")
                                        .build()));
        assertThrows(
                InvalidArgumentException.class,
                () -> clients.kms().updateCryptoKey(key(k), FieldMask.getDefaultInstance()));
        assertEquals(Duration.ofDays(90), period(key(k)), "unchanged");
    }

    // ---- controls ---------------------------------------------------------------------------------------------

    VerifyReport.RegionControls verified(GcpCmekRequest req, CryptoKeyName k) {
        return cmek.verify(req, Map.of("us-east1", k), Set.of()).regions().get(0);
    }

    @Test
    void cleanState_everyControlPassesOrIsNotApplicable_withEvidence() {
        GcpCmekRequest req = request("us-east1").build();
        CryptoKeyName k = cmek.provision(req).keyOf("us-east1");

        VerifyReport v = cmek.verify(req, Map.of("us-east1", k), Set.of());

        assertTrue(v.ok(), v::toString);
        assertEquals(Verdict.PASS, v.principalControls().get(0).verdict());
        assertEquals(Verdict.NOT_APPLICABLE, v.principalControls().get(1).verdict(), "no external id on GCP");
        VerifyReport.RegionControls region = v.regions().get(0);
        region.controls()
                .forEach(c -> assertEquals(
                        c.control() == Control.KEY_RECOVERABLE ? Verdict.NOT_APPLICABLE : Verdict.PASS,
                        c.verdict(),
                        c::toString));
        assertTrue(region.control(Control.KEY_ROTATION).evidence().get(0).contains("every 90 days"));
        assertTrue(region.newestKeyVersion() != null);
    }

    @Test
    void rotationOff_orLongerThan90Days_failsKeyRotation() {
        GcpCmekRequest req = request("us-east1").build();
        CryptoKeyName k = cmek.provision(req).keyOf("us-east1");

        noSchedule(k);
        ControlResult off = verified(req, k).control(Control.KEY_ROTATION);
        assertEquals(Verdict.FAIL, off.verdict(), off::toString);
        assertTrue(off.fix().contains("gcloud kms keys update crdb-cmek"), off::fix);

        schedule(k, Duration.ofDays(365));
        ControlResult slow = verified(req, k).control(Control.KEY_ROTATION);
        assertEquals(Verdict.FAIL, slow.verdict(), slow::toString);
        assertTrue(slow.evidence().get(0).contains("CIS GCP 1.10"), slow::toString);
    }

    @Test
    void allUsersOnTheKey_failsNoPublicAccess() {
        GcpCmekRequest req = request("us-east1").build();
        CryptoKeyName k = cmek.provision(req).keyOf("us-east1");
        addToKeyPolicy(k, "roles/cloudkms.cryptoKeyDecrypter", "allUsers");

        VerifyReport.RegionControls region = verified(req, k);

        ControlResult pub = region.control(Control.NO_PUBLIC_ACCESS);
        assertEquals(Verdict.FAIL, pub.verdict(), pub::toString);
        assertTrue(pub.evidence().get(0).contains("allUsers"), pub::toString);
    }

    @Test
    void otherMemberOnOurKey_failsExactGrant() {
        GcpCmekRequest req = request("us-east1").build();
        CryptoKeyName k = cmek.provision(req).keyOf("us-east1");
        addToKeyPolicy(k, "roles/cloudkms.cryptoKeyDecrypter", "user:mallory@example.com");

        ControlResult grant = verified(req, k).control(Control.EXACT_GRANT);

        assertEquals(Verdict.FAIL, grant.verdict(), grant::toString);
        assertTrue(grant.evidence().get(0).contains("mallory"), grant::toString);
    }

    @Test
    void versionScheduledForDestruction_failsKeyUsable_withTheRestoreCommand() {
        GcpCmekRequest req = request("us-east1").build();
        CryptoKeyName k = cmek.provision(req).keyOf("us-east1");
        String first = key(k).getPrimary().getName();
        cmek.rotateKeyMaterial(k);
        emulator.versionState(first, CryptoKeyVersionState.DESTROY_SCHEDULED);

        ControlResult usable = verified(req, k).control(Control.KEY_USABLE);

        assertEquals(Verdict.FAIL, usable.verdict(), usable::toString);
        assertTrue(usable.evidence().get(0).contains("version 1 is scheduled for destruction"), usable::toString);
        assertTrue(usable.fix().contains("gcloud kms keys versions restore 1 --key crdb-cmek"), usable::fix);
    }

    @Test
    void primaryVersionDisabled_failsKeyUsable_withTheEnableCommand() {
        GcpCmekRequest req = request("us-east1").build();
        CryptoKeyName k = cmek.provision(req).keyOf("us-east1");
        emulator.versionState(key(k).getPrimary().getName(), CryptoKeyVersionState.DISABLED);

        ControlResult usable = verified(req, k).control(Control.KEY_USABLE);

        assertEquals(Verdict.FAIL, usable.verdict(), usable::toString);
        assertTrue(usable.fix().contains("gcloud kms keys versions enable 1"), usable::fix);
    }

    @Test
    void anotherMemberMayImpersonate_failsPrincipalTrust() {
        GcpCmekRequest req = request("us-east1").build();
        ProvisionResult r = cmek.provision(req);
        var p = saPolicy(r.serviceAccount());
        clients.iam()
                .setIamPolicy(SetIamPolicyRequest.newBuilder()
                        .setResource(r.serviceAccount().resourceName())
                        .setPolicy(PolicyBindings.with(
                                p, new Grant(Grant.TOKEN_CREATOR, Member.of("user:eve@example.com"))))
                        .build());

        VerifyReport v = cmek.verify(req);

        assertEquals(Verdict.FAIL, v.principalControls().get(0).verdict(), v::toString);
        assertTrue(v.serviceAccountFindings().stream().anyMatch(f -> f.contains("eve@example.com")), v::toString);
    }

    @Test
    void orphanKeyOfTheClusterStillGranted_failsNoOrphanGrants_unlessCockroachUsedItBefore() {
        GcpCmekRequest req = request("us-east1").build();
        CryptoKeyName k = cmek.provision(req).keyOf("us-east1");
        CryptoKeyName g2 = cmek.provisionNewKey(req, "us-east1", 2).keyOf("us-east1");

        ControlResult orphan = verified(req, k).control(Control.NO_ORPHAN_GRANTS);
        assertEquals(Verdict.FAIL, orphan.verdict(), orphan::toString);
        assertTrue(orphan.evidence().get(0).contains(g2.toString()), orphan::toString);

        ControlResult previous = cmek.verify(req, Map.of("us-east1", g2), Set.of(k))
                .regions()
                .get(0)
                .control(Control.NO_ORPHAN_GRANTS);
        assertEquals(Verdict.PASS, previous.verdict(), previous::toString);
        assertTrue(previous.evidence().stream().anyMatch(e -> e.contains("previous key " + k)), previous::toString);
    }

    @Test
    void plan_namesAnotherKeyOfTheClusterThatStillGrantsTheServiceAccount() {
        GcpCmekRequest req = request("us-east1").build();
        cmek.provision(req);
        CryptoKeyName g2 = cmek.provisionNewKey(req, "us-east1", 2).keyOf("us-east1");

        ProvisionPlan plan = cmek.plan(req);

        Change reported = plan.changes().stream()
                .filter(c -> c.resource().equals(g2.toString()))
                .findFirst()
                .orElseThrow(() -> new AssertionError(plan.toString()));
        assertEquals(Change.Action.DRIFTED, reported.action());
    }

    @Test
    void noPath_destroysOrDisablesAVersion_orDeletesAnything() {
        GcpCmekRequest req = request("us-east1", "us-west1").build();
        CryptoKeyName k = cmek.plan(req).keys().get("us-east1");
        cmek.provision(
                request("us-east1", "us-west1").rotation(RotationSchedule.off()).build());
        cmek.provision(req);
        schedule(k, Duration.ofDays(180));
        cmek.provision(request("us-east1", "us-west1")
                .rotation(RotationSchedule.defaults().withRepair(true))
                .build());
        cmek.provisionNewKey(req, "us-west1", 2);
        cmek.rotateKeyMaterial(k);
        cmek.verify(req, Map.of("us-east1", k), Set.of());
        cmek.restore(RestoreRequest.of(cmek.revoke(req, true), req));
        for (String method : emulator.callCounts().keySet()) {
            assertFalse(
                    method.matches(
                                    ".*/(Destroy|Delete|Disable|Restore|UpdateCryptoKeyVersion|ImportCryptoKeyVersion).*")
                            && !method.endsWith("DisableServiceAccount"),
                    method);
        }
        assertTrue(emulator.callCount(UPDATE) >= 2, "rotation set by UpdateCryptoKey only: " + emulator.callCounts());
    }

    @Test
    void verify_neverDestroysDisablesOrUpdatesAnything() {
        GcpCmekRequest req = request("us-east1").build();
        CryptoKeyName k = cmek.provision(req).keyOf("us-east1");
        emulator.resetCallCounts();
        cmek.verify(req, Map.of("us-east1", k), Set.of());
        for (String method : emulator.callCounts().keySet()) {
            assertFalse(method.matches(".*/(Destroy|Delete|Disable|Update|Set|Create).*"), method);
        }
    }
}
