package dev.cmek.gcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.cloud.kms.v1.CreateCryptoKeyRequest;
import com.google.cloud.kms.v1.CryptoKey;
import com.google.cloud.kms.v1.CryptoKeyName;
import com.google.cloud.kms.v1.CryptoKeyVersion.CryptoKeyVersionAlgorithm;
import com.google.cloud.kms.v1.CryptoKeyVersionName;
import com.google.cloud.kms.v1.CryptoKeyVersionTemplate;
import com.google.cloud.kms.v1.KeyRingName;
import com.google.cloud.kms.v1.LocationName;
import com.google.cloud.kms.v1.ProtectionLevel;
import com.google.iam.admin.v1.CreateServiceAccountRequest;
import com.google.iam.admin.v1.ServiceAccount;
import dev.cmek.core.Change;
import dev.cmek.gcp.emulator.EmulatedMethod;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProvisionTest extends EmulatorBacked {

    @Test
    void provision_fromNothing_createsAccountKeysAndBindings() {
        GcpCmekRequest req = request("us-east1", "us-west1", "europe-west1").build();
        ProvisionResult r = cmek.provision(req);

        assertEquals(
                "crdb-cmek-589c9e6fc081@cust-proj.iam.gserviceaccount.com",
                r.serviceAccount().value());
        assertEquals(
                List.of("us-east1", "us-west1", "europe-west1"),
                List.copyOf(r.keys().keySet()));
        assertEquals("us-west1", r.keyOf("us-west1").getLocation());
        assertTrue(
                r.changes().stream().noneMatch(c -> c.action() == Change.Action.UNCHANGED),
                r.changes().toString());
        assertEquals(1, emulator.serviceAccountCount());
        assertEquals(3, emulator.cryptoKeyCount());

        CryptoKey key = clients.kms().getCryptoKey(r.keyOf("us-east1"));
        assertEquals(CryptoKey.CryptoKeyPurpose.ENCRYPT_DECRYPT, key.getPurpose());
        assertEquals(
                CryptoKeyVersionAlgorithm.GOOGLE_SYMMETRIC_ENCRYPTION,
                key.getVersionTemplate().getAlgorithm());
        assertEquals(ProtectionLevel.SOFTWARE, key.getVersionTemplate().getProtectionLevel());
        assertTrue(CmekNames.isOurs(key.getLabelsMap(), req.clusterId()));
        assertTrue(PolicyBindings.has(
                keyPolicy(r.keyOf("us-east1")),
                new Grant(Grant.ENCRYPTER_DECRYPTER, Member.serviceAccount(r.serviceAccount()))));
        assertTrue(PolicyBindings.has(
                saPolicy(r.serviceAccount()), new Grant(Grant.TOKEN_CREATOR, req.cockroachMember())));

        VerifyReport v = cmek.verify(req);
        assertTrue(v.ok(), v.toString());
        for (String region : req.regions()) {
            assertTrue(usableSoon(req.cockroachMember().value(), r.serviceAccount(), r.keyOf(region)));
        }
    }

    @Test
    void provision_twice_secondRunChangesNothing() {
        GcpCmekRequest req = request("us-east1", "us-west1").build();
        ProvisionResult first = cmek.provision(req);
        emulator.resetCallCounts();
        ProvisionResult second = cmek.provision(req);

        assertEquals(first.keys(), second.keys());
        assertFalse(second.changedAnything(), second.changes().toString());
        assertEquals(0, emulator.callCount(EmulatedMethod.SET_KEY_IAM_POLICY));
        assertEquals(0, emulator.callCount(EmulatedMethod.SET_SERVICE_ACCOUNT_IAM_POLICY));
        assertEquals(1, emulator.serviceAccountCount());
        assertEquals(2, emulator.cryptoKeyCount());
        assertTrue(cmek.plan(req).upToDate());
    }

    @Test
    void plan_fromNothing_listsWhatWouldBeMade_andWritesNothing() {
        GcpCmekRequest req = request("us-east1").build();
        ProvisionPlan plan = cmek.plan(req);
        assertTrue(plan.changes().stream()
                .anyMatch(c -> c.type() == GcpResource.SERVICE_ACCOUNT && c.action() == Change.Action.WOULD_CREATE));
        assertTrue(plan.changes().stream()
                .anyMatch(c -> c.type() == GcpResource.CRYPTO_KEY && c.action() == Change.Action.WOULD_CREATE));
        assertTrue(plan.blocked().isEmpty());
        assertEquals(0, emulator.serviceAccountCount());
        assertEquals(0, emulator.cryptoKeyCount());
    }

    @Test
    void plan_whenBindingWasRemoved_proposesOnlyThatUpdate() {
        GcpCmekRequest req = request("us-east1").build();
        ProvisionResult r = cmek.provision(req);
        cmek.revoke(req, false);
        ProvisionPlan plan = cmek.plan(req);
        assertEquals(
                List.of(GcpResource.SERVICE_ACCOUNT_POLICY, GcpResource.CRYPTO_KEY_POLICY),
                plan.changes().stream()
                        .filter(c -> c.action() == Change.Action.WOULD_UPDATE)
                        .map(Change::type)
                        .toList(),
                plan.toString());
        assertEquals(r.keys(), plan.keys());
        ProvisionResult again = cmek.provision(req);
        assertEquals(
                2,
                again.changes().stream()
                        .filter(c -> c.action() == Change.Action.UPDATED)
                        .count());
        assertTrue(cmek.verify(req).ok());
    }

    @Test
    void provision_sharedGlobalLocation_makesOneKeyForAllRegions() {
        GcpCmekRequest req = request("us-east1", "us-west1", "asia-east1")
                .sharedLocation("global")
                .protectionLevel(ProtectionLevel.HSM)
                .build();
        ProvisionResult r = cmek.provision(req);
        assertEquals(1, emulator.cryptoKeyCount());
        assertEquals(1, r.keys().values().stream().distinct().count());
        assertEquals("global", r.keyOf("asia-east1").getLocation());
        assertEquals(
                ProtectionLevel.HSM,
                clients.kms()
                        .getCryptoKey(r.keyOf("us-east1"))
                        .getVersionTemplate()
                        .getProtectionLevel());
        // The HSM key's first version is PENDING_GENERATION for a moment, as in Cloud HSM.
        assertTrue(verifiedWithin(req, Duration.ofSeconds(3)), cmek.verify(req).toString());
    }

    @Test
    void provision_existingKeyWithOtherMembers_keepsThemAndAddsOnlyOurBinding() {
        CryptoKeyName theirs = createForeignKey("europe-west1", "their-ring", "their-key");
        addToKeyPolicy(theirs, "roles/cloudkms.admin", "user:alice@example.com");
        addToKeyPolicy(theirs, Grant.ENCRYPTER_DECRYPTER, "serviceAccount:app@cust-proj.iam.gserviceaccount.com");
        GcpCmekRequest req = request("europe-west1", "us-east1")
                .existingKey("europe-west1", theirs)
                .build();

        ProvisionResult r = cmek.provision(req);
        assertEquals(theirs, r.keyOf("europe-west1"));
        var p = keyPolicy(theirs);
        assertTrue(PolicyBindings.membersWith(p, "roles/cloudkms.admin").contains("user:alice@example.com"));
        assertTrue(PolicyBindings.membersWith(p, Grant.ENCRYPTER_DECRYPTER)
                .containsAll(List.of(
                        "serviceAccount:app@cust-proj.iam.gserviceaccount.com",
                        Member.serviceAccount(r.serviceAccount()).value())));
        assertTrue(noDuplicateMembers(p));
        assertTrue(clients.kms().getCryptoKey(theirs).getLabelsMap().isEmpty(), "a brought key is not relabelled");
        assertTrue(cmek.verify(req).ok(), "others on a brought key are the customer's business");
    }

    @Test
    void provision_ourKeyLaterGivenOtherMembers_keepsThem_butVerifyFlagsThem() {
        GcpCmekRequest req = request("us-east1").build();
        ProvisionResult r = cmek.provision(req);
        addToKeyPolicy(r.keyOf("us-east1"), "roles/cloudkms.cryptoKeyDecrypter", "user:mallory@example.com");
        cmek.provision(req);
        assertTrue(PolicyBindings.membersWith(keyPolicy(r.keyOf("us-east1")), "roles/cloudkms.cryptoKeyDecrypter")
                .contains("user:mallory@example.com"));
        VerifyReport v = cmek.verify(req);
        assertFalse(v.ok());
        assertTrue(v.regions().get(0).findings().stream().anyMatch(f -> f.contains("mallory")), v.toString());
    }

    @Test
    void verify_flagsPrimitiveRoleForCockroachIdentity() {
        GcpCmekRequest req = request("us-east1").build();
        ProvisionResult r = cmek.provision(req);
        var sa = r.serviceAccount();
        var p = saPolicy(sa);
        clients.iam()
                .setIamPolicy(com.google.iam.v1.SetIamPolicyRequest.newBuilder()
                        .setResource(sa.resourceName())
                        .setPolicy(PolicyBindings.with(p, new Grant("roles/editor", req.cockroachMember())))
                        .build());
        VerifyReport v = cmek.verify(req);
        assertFalse(v.ok());
        assertTrue(v.serviceAccountFindings().stream().anyMatch(f -> f.contains("roles/editor")), v.toString());
    }

    @Test
    void provision_serviceAccountWithoutOurMark_isReportedNotAdopted() {
        GcpCmekRequest req = request("us-east1").build();
        clients.iam()
                .createServiceAccount(CreateServiceAccountRequest.newBuilder()
                        .setName("projects/" + PROJECT)
                        .setAccountId(req.serviceAccountEmail().accountId())
                        .setServiceAccount(ServiceAccount.newBuilder().setDescription("someone's"))
                        .build());
        NotOursException e = assertThrows(NotOursException.class, () -> cmek.provision(req));
        assertEquals(req.serviceAccountEmail().value(), e.resource());
        assertFalse(cmek.plan(req).blocked().isEmpty());
        assertTrue(
                saPolicy(req.serviceAccountEmail()).getBindingsList().isEmpty(),
                "nothing granted on a foreign account");
    }

    @Test
    void provision_keyWithOurNameButNoLabels_isReportedNotAdopted() {
        GcpCmekRequest req = request("us-east1").build();
        CryptoKeyName name = req.keyNameOf("us-east1", 1);
        createForeignKey("us-east1", name.getKeyRing(), name.getCryptoKey());
        assertThrows(NotOursException.class, () -> cmek.provision(req));
        assertTrue(cmek.plan(req).blocked().stream().anyMatch(c -> c.resource().equals(name.toString())));
        assertTrue(keyPolicy(name).getBindingsList().isEmpty());
    }

    @Test
    void provision_ourKeyWithOtherProtectionLevel_isUnfit() {
        cmek.provision(request("us-east1").build());
        UnfitKeyException e = assertThrows(
                UnfitKeyException.class,
                () -> cmek.provision(
                        request("us-east1").protectionLevel(ProtectionLevel.HSM).build()));
        assertTrue(e.problems().get(0).contains("protection level"));
    }

    @Test
    void rotateKeyMaterial_makesNewPrimary_keepsName() {
        GcpCmekRequest req = request("us-east1").build();
        CryptoKeyName key = cmek.provision(req).keyOf("us-east1");
        CryptoKeyVersionName v = cmek.rotateKeyMaterial(key);
        assertEquals("2", v.getCryptoKeyVersion());
        assertEquals(v.toString(), clients.kms().getCryptoKey(key).getPrimary().getName());
        assertTrue(cmek.verify(req).ok());
    }

    @Test
    void hsmKey_pendingGeneration_isAcceptedOnRerun_flaggedByVerifyUntilReady_andRotationWaitsForIt()
            throws InterruptedException {
        emulator.hsmGenerationDelay(Duration.ofMillis(600));
        GcpCmekRequest req =
                request("us-east1").protectionLevel(ProtectionLevel.HSM).build();
        CryptoKeyName key = cmek.provision(req).keyOf("us-east1");
        assertFalse(cmek.provision(req).changedAnything(), "a pending primary is fine while provisioning");
        VerifyReport v = cmek.verify(req);
        assertTrue(
                v.regions().get(0).findings().stream().anyMatch(f -> f.contains("PENDING_GENERATION")), v.toString());
        assertFalse(emulator.canImpersonateAndUse(
                req.cockroachMember().value(), req.serviceAccountEmail().value(), key.toString()));
        Thread.sleep(700);
        assertTrue(cmek.verify(req).ok());
        long t0 = System.nanoTime();
        CryptoKeyVersionName v2 = cmek.rotateKeyMaterial(key);
        assertTrue(System.nanoTime() - t0 >= 500_000_000L, "rotation waited for the new HSM version");
        assertEquals(v2.toString(), clients.kms().getCryptoKey(key).getPrimary().getName());
        assertEquals(
                com.google.cloud.kms.v1.CryptoKeyVersion.CryptoKeyVersionState.ENABLED,
                clients.kms().getCryptoKey(key).getPrimary().getState());
    }

    @Test
    void provisionNewKey_makesNextGeneration_oldKeyKeepsGrant() {
        GcpCmekRequest req = request("us-east1", "us-west1").build();
        ProvisionResult first = cmek.provision(req);
        ProvisionResult rotated = cmek.provisionNewKey(req, "us-west1", 2);
        CryptoKeyName newKey = rotated.keyOf("us-west1");
        assertEquals(first.keyOf("us-west1").getCryptoKey() + "-g2", newKey.getCryptoKey());
        assertNotEquals(first.keyOf("us-west1"), newKey);
        Grant g = new Grant(Grant.ENCRYPTER_DECRYPTER, Member.serviceAccount(req.serviceAccountEmail()));
        assertTrue(PolicyBindings.has(keyPolicy(newKey), g));
        assertTrue(PolicyBindings.has(keyPolicy(first.keyOf("us-west1")), g));
        assertEquals(3, emulator.cryptoKeyCount());
        assertTrue(cmek.verify(req, java.util.Map.of("us-east1", first.keyOf("us-east1"), "us-west1", newKey))
                .ok());
    }

    @Test
    void canImpersonateAndUse_waitsForPropagationDelay() throws InterruptedException {
        emulator.propagationDelay(Duration.ofMillis(300));
        GcpCmekRequest req = request("us-east1").build();
        ProvisionResult r = cmek.provision(req);
        String member = req.cockroachMember().value();
        assertFalse(emulator.canImpersonateAndUse(
                member, r.serviceAccount().value(), r.keyOf("us-east1").toString()));
        Thread.sleep(400);
        assertTrue(emulator.canImpersonateAndUse(
                member, r.serviceAccount().value(), r.keyOf("us-east1").toString()));
        assertFalse(emulator.canImpersonateAndUse(
                "serviceAccount:other@crdb-acct-123.iam.gserviceaccount.com",
                r.serviceAccount().value(),
                r.keyOf("us-east1").toString()));
    }

    @Test
    void provision_overNetworkEndpoint_likeEmulatorHostVariables() {
        try (var net = dev.cmek.gcp.emulator.GcpEmulator.start(0);
                GcpClients c = GcpClients.resolve(net.endpoint(), net.endpoint())) {
            ProvisionResult r = new GcpCmek(c).provision(request("us-east1").build());
            assertEquals(1, net.cryptoKeyCount());
            assertTrue(usableWithin(
                    net,
                    request("us-east1").build().cockroachMember().value(),
                    r.serviceAccount().value(),
                    r.keyOf("us-east1").toString(),
                    Duration.ofSeconds(3)));
        }
    }

    private CryptoKeyName createForeignKey(String location, String ring, String key) {
        clients.kms()
                .createKeyRing(
                        LocationName.of(PROJECT, location), ring, com.google.cloud.kms.v1.KeyRing.getDefaultInstance());
        clients.kms()
                .createCryptoKey(CreateCryptoKeyRequest.newBuilder()
                        .setParent(KeyRingName.of(PROJECT, location, ring).toString())
                        .setCryptoKeyId(key)
                        .setCryptoKey(CryptoKey.newBuilder()
                                .setPurpose(CryptoKey.CryptoKeyPurpose.ENCRYPT_DECRYPT)
                                .setVersionTemplate(CryptoKeyVersionTemplate.newBuilder()
                                        .setAlgorithm(CryptoKeyVersionAlgorithm.GOOGLE_SYMMETRIC_ENCRYPTION))
                                // The customer's key rotates every 90 days, as CIS GCP 1.10 asks of every key.
                                .setRotationPeriod(com.google.protobuf.Duration.newBuilder()
                                        .setSeconds(
                                                java.time.Duration.ofDays(90).toSeconds()))
                                .setNextRotationTime(com.google.protobuf.Timestamp.newBuilder()
                                        .setSeconds(java.time.Instant.now()
                                                .plus(java.time.Duration.ofDays(90))
                                                .getEpochSecond())))
                        .build());
        return CryptoKeyName.of(PROJECT, location, ring, key);
    }
}
