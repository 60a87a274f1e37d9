package dev.cmek.gcp.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.api.gax.core.NoCredentialsProvider;
import com.google.api.gax.grpc.GrpcTransportChannel;
import com.google.api.gax.rpc.AbortedException;
import com.google.api.gax.rpc.AlreadyExistsException;
import com.google.api.gax.rpc.FixedTransportChannelProvider;
import com.google.api.gax.rpc.InvalidArgumentException;
import com.google.api.gax.rpc.NotFoundException;
import com.google.api.gax.rpc.UnimplementedException;
import com.google.cloud.iam.admin.v1.IAMClient;
import com.google.cloud.iam.admin.v1.IAMSettings;
import com.google.cloud.kms.v1.CryptoKey;
import com.google.cloud.kms.v1.CryptoKeyName;
import com.google.cloud.kms.v1.KeyManagementServiceClient;
import com.google.cloud.kms.v1.KeyManagementServiceSettings;
import com.google.cloud.kms.v1.KeyRing;
import com.google.cloud.kms.v1.KeyRingName;
import com.google.cloud.kms.v1.LocationName;
import com.google.iam.admin.v1.ServiceAccount;
import com.google.iam.v1.Binding;
import com.google.iam.v1.Policy;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The emulator's fidelity, exercised with the real generated clients (no adapter involved). */
class GcpEmulatorTest {
    private GcpEmulator emulator;
    private KeyManagementServiceClient kms;
    private IAMClient iam;

    @BeforeEach
    void start() throws Exception {
        emulator = GcpEmulator.inProcess();
        var channel = FixedTransportChannelProvider.create(GrpcTransportChannel.create(emulator.channel()));
        kms = KeyManagementServiceClient.create(KeyManagementServiceSettings.newBuilder()
                .setTransportChannelProvider(channel)
                .setCredentialsProvider(NoCredentialsProvider.create())
                .build());
        iam = IAMClient.create(IAMSettings.newBuilder()
                .setTransportChannelProvider(channel)
                .setCredentialsProvider(NoCredentialsProvider.create())
                .build());
    }

    @AfterEach
    void stop() {
        kms.close();
        iam.close();
        emulator.close();
    }

    private CryptoKeyName key() {
        kms.createKeyRing(LocationName.of("cust-proj", "us-east1"), "ring", KeyRing.getDefaultInstance());
        kms.createCryptoKey(
                KeyRingName.of("cust-proj", "us-east1", "ring"),
                "key",
                CryptoKey.newBuilder()
                        .setPurpose(CryptoKey.CryptoKeyPurpose.ENCRYPT_DECRYPT)
                        .build());
        return CryptoKeyName.of("cust-proj", "us-east1", "ring", "key");
    }

    @Test
    void createTwice_isAlreadyExists_andMissingIsNotFound() {
        CryptoKeyName k = key();
        assertThrows(
                AlreadyExistsException.class,
                () -> kms.createKeyRing(
                        LocationName.of("cust-proj", "us-east1"), "ring", KeyRing.getDefaultInstance()));
        assertThrows(
                AlreadyExistsException.class,
                () -> kms.createCryptoKey(
                        KeyRingName.of("cust-proj", "us-east1", "ring"),
                        "key",
                        CryptoKey.newBuilder()
                                .setPurpose(CryptoKey.CryptoKeyPurpose.ENCRYPT_DECRYPT)
                                .build()));
        assertThrows(
                NotFoundException.class,
                () -> kms.getCryptoKey(CryptoKeyName.of("cust-proj", "us-east1", "ring", "nope")));
        assertThrows(
                NotFoundException.class,
                () -> kms.createCryptoKey(
                        KeyRingName.of("cust-proj", "us-east1", "nope"),
                        "k",
                        CryptoKey.newBuilder()
                                .setPurpose(CryptoKey.CryptoKeyPurpose.ENCRYPT_DECRYPT)
                                .build()));
        assertEquals(
                k + "/cryptoKeyVersions/1", kms.getCryptoKey(k).getPrimary().getName());
    }

    @Test
    void invalidNames_andArguments_areInvalidArgument() {
        assertThrows(
                InvalidArgumentException.class,
                () -> kms.createKeyRing("projects/UPPER/locations/us-east1", "r", KeyRing.getDefaultInstance()));
        assertThrows(
                InvalidArgumentException.class,
                () -> kms.createKeyRing(
                        "projects/cust-proj/locations/us-east1", "bad id!", KeyRing.getDefaultInstance()));
        assertThrows(InvalidArgumentException.class, () -> kms.getCryptoKey("projects/cust-proj/keyRings/x"));
        kms.createKeyRing(LocationName.of("cust-proj", "us-east1"), "ring", KeyRing.getDefaultInstance());
        assertThrows(
                InvalidArgumentException.class,
                () -> kms.createCryptoKey(
                        KeyRingName.of("cust-proj", "us-east1", "ring"), "k", CryptoKey.getDefaultInstance()));
        assertThrows(
                InvalidArgumentException.class,
                () -> iam.createServiceAccount("projects/cust-proj", "short", ServiceAccount.getDefaultInstance()));
        assertThrows(
                InvalidArgumentException.class,
                () -> iam.createServiceAccount(
                        "projects/cust-proj", "Has_Upper-case", ServiceAccount.getDefaultInstance()));
    }

    @Test
    void staleEtag_isAborted_andFreshEtagWins() {
        CryptoKeyName k = key();
        Policy read = kms.getIamPolicy(k);
        Policy a = read.toBuilder()
                .addBindings(Binding.newBuilder().setRole("roles/viewer").addMembers("user:a@example.com"))
                .build();
        Policy b = read.toBuilder()
                .addBindings(Binding.newBuilder().setRole("roles/viewer").addMembers("user:b@example.com"))
                .build();
        kms.setIamPolicy(k, a);
        assertThrows(AbortedException.class, () -> kms.setIamPolicy(k, b));
        assertEquals("user:a@example.com", kms.getIamPolicy(k).getBindings(0).getMembers(0));
    }

    @Test
    void bindingToMissingServiceAccountOfKnownProject_isInvalidArgument() {
        CryptoKeyName k = key();
        iam.createServiceAccount("projects/cust-proj", "real-account", ServiceAccount.getDefaultInstance());
        Policy p = kms.getIamPolicy(k).toBuilder()
                .addBindings(Binding.newBuilder()
                        .setRole("roles/cloudkms.cryptoKeyEncrypterDecrypter")
                        .addMembers("serviceAccount:ghost-account@cust-proj.iam.gserviceaccount.com"))
                .build();
        assertThrows(InvalidArgumentException.class, () -> kms.setIamPolicy(k, p));
    }

    @Test
    void serviceAccounts_createGetDisableEnable_butNeverDelete() {
        ServiceAccount sa = iam.createServiceAccount(
                "projects/cust-proj",
                "my-account",
                ServiceAccount.newBuilder().setDescription("d").build());
        assertEquals("my-account@cust-proj.iam.gserviceaccount.com", sa.getEmail());
        awaitVisible(sa.getName());
        assertThrows(
                AlreadyExistsException.class,
                () -> iam.createServiceAccount(
                        "projects/cust-proj", "my-account", ServiceAccount.getDefaultInstance()));
        assertEquals(
                "d",
                iam.getServiceAccount("projects/-/serviceAccounts/" + sa.getEmail())
                        .getDescription());
        iam.disableServiceAccount(com.google.iam.admin.v1.DisableServiceAccountRequest.newBuilder()
                .setName(sa.getName())
                .build());
        assertTrue(iam.getServiceAccount(sa.getName()).getDisabled());
        iam.enableServiceAccount(com.google.iam.admin.v1.EnableServiceAccountRequest.newBuilder()
                .setName(sa.getName())
                .build());
        assertFalse(iam.getServiceAccount(sa.getName()).getDisabled());
        assertThrows(UnimplementedException.class, () -> iam.deleteServiceAccount(sa.getName()));
        assertThrows(
                NotFoundException.class,
                () -> iam.getServiceAccount(
                        "projects/cust-proj/serviceAccounts/none-such@cust-proj.iam.gserviceaccount.com"));
    }

    @Test
    void newServiceAccount_isInvisibleForTheWindow_thenVisible() throws Exception {
        emulator.serviceAccountPropagation(Duration.ofMillis(400));
        CryptoKeyName k = key();
        ServiceAccount sa =
                iam.createServiceAccount("projects/cust-proj", "new-account", ServiceAccount.getDefaultInstance());
        assertThrows(NotFoundException.class, () -> iam.getServiceAccount(sa.getName()));
        assertThrows(NotFoundException.class, () -> iam.getIamPolicy(sa.getName()));
        assertTrue(iam.listServiceAccounts("projects/cust-proj")
                .getPage()
                .getResponse()
                .getAccountsList()
                .isEmpty());
        Policy naming = kms.getIamPolicy(k).toBuilder()
                .addBindings(Binding.newBuilder()
                        .setRole("roles/cloudkms.cryptoKeyEncrypterDecrypter")
                        .addMembers("serviceAccount:" + sa.getEmail()))
                .build();
        InvalidArgumentException e = assertThrows(InvalidArgumentException.class, () -> kms.setIamPolicy(k, naming));
        assertTrue(e.getMessage().contains("Service account " + sa.getEmail() + " does not exist"), e.getMessage());
        assertThrows(
                AlreadyExistsException.class,
                () -> iam.createServiceAccount(
                        "projects/cust-proj", "new-account", ServiceAccount.getDefaultInstance()));
        Thread.sleep(450);
        assertEquals(sa.getEmail(), iam.getServiceAccount(sa.getName()).getEmail());
        assertEquals(
                1,
                iam.listServiceAccounts("projects/cust-proj")
                        .getPage()
                        .getResponse()
                        .getAccountsCount());
        kms.setIamPolicy(
                k, naming.toBuilder().setEtag(kms.getIamPolicy(k).getEtag()).build());
    }

    @Test
    void policyVersions_hideConditionsFromVersion1Readers_andRefuseThemInVersion1() {
        CryptoKeyName k = key();
        Binding conditional = Binding.newBuilder()
                .setRole("roles/cloudkms.viewer")
                .addMembers("user:a@example.com")
                .setCondition(com.google.type.Expr.newBuilder()
                        .setExpression("request.time < timestamp('2030-01-01T00:00:00Z')"))
                .build();
        Policy read = kms.getIamPolicy(k);
        assertThrows(
                InvalidArgumentException.class,
                () -> kms.setIamPolicy(
                        k,
                        read.toBuilder().setVersion(1).addBindings(conditional).build()));
        kms.setIamPolicy(
                k, read.toBuilder().setVersion(3).addBindings(conditional).build());
        Policy v1 = kms.getIamPolicy(com.google.iam.v1.GetIamPolicyRequest.newBuilder()
                .setResource(k.toString())
                .build());
        assertEquals(1, v1.getVersion());
        assertTrue(v1.getBindings(0).getRole().startsWith("roles/cloudkms.viewer_withcond_"), v1.toString());
        assertFalse(v1.getBindings(0).hasCondition());
        Policy v3 = kms.getIamPolicy(com.google.iam.v1.GetIamPolicyRequest.newBuilder()
                .setResource(k.toString())
                .setOptions(com.google.iam.v1.GetPolicyOptions.newBuilder().setRequestedPolicyVersion(3))
                .build());
        assertEquals(3, v3.getVersion());
        assertTrue(v3.getBindings(0).hasCondition());
        assertThrows(InvalidArgumentException.class, () -> kms.setIamPolicy(k, v1));
    }

    @Test
    void unknownRoles_andRolesThatDoNotApplyToTheResource_areRefused() {
        CryptoKeyName k = key();
        Policy p = kms.getIamPolicy(k);
        InvalidArgumentException unknown = assertThrows(
                InvalidArgumentException.class,
                () -> kms.setIamPolicy(
                        k,
                        p.toBuilder()
                                .addBindings(Binding.newBuilder()
                                        .setRole("roles/cloudkms.superUser")
                                        .addMembers("user:a@example.com"))
                                .build()));
        assertTrue(unknown.getMessage().contains("does not exist"), unknown.getMessage());
        InvalidArgumentException misplaced = assertThrows(
                InvalidArgumentException.class,
                () -> kms.setIamPolicy(
                        k,
                        p.toBuilder()
                                .addBindings(Binding.newBuilder()
                                        .setRole("roles/iam.serviceAccountTokenCreator")
                                        .addMembers("user:a@example.com"))
                                .build()));
        assertTrue(misplaced.getMessage().contains("is not supported for this resource"), misplaced.getMessage());
    }

    @Test
    void locations_carryHsmAvailability_andHsmKeysStartPending() throws Exception {
        emulator.kmsLocation("us-west4", false);
        var meta = kms.getLocation(com.google.cloud.location.GetLocationRequest.newBuilder()
                        .setName("projects/cust-proj/locations/us-west4")
                        .build())
                .getMetadata()
                .unpack(com.google.cloud.kms.v1.LocationMetadata.class);
        assertFalse(meta.getHsmAvailable());
        assertThrows(
                NotFoundException.class,
                () -> kms.getLocation(com.google.cloud.location.GetLocationRequest.newBuilder()
                        .setName("projects/cust-proj/locations/moon-base1")
                        .build()));
        kms.createKeyRing(LocationName.of("cust-proj", "us-east1"), "ring", KeyRing.getDefaultInstance());
        CryptoKey hsm = kms.createCryptoKey(
                KeyRingName.of("cust-proj", "us-east1", "ring"),
                "hsm",
                CryptoKey.newBuilder()
                        .setPurpose(CryptoKey.CryptoKeyPurpose.ENCRYPT_DECRYPT)
                        .setVersionTemplate(com.google.cloud.kms.v1.CryptoKeyVersionTemplate.newBuilder()
                                .setProtectionLevel(com.google.cloud.kms.v1.ProtectionLevel.HSM))
                        .build());
        assertEquals(
                com.google.cloud.kms.v1.CryptoKeyVersion.CryptoKeyVersionState.PENDING_GENERATION,
                hsm.getPrimary().getState());
    }

    @Test
    void injectedRefusals_carryGooglesErrorDetails() {
        emulator.denyPermission(EmulatedMethod.CREATE_KEY_RING, "cloudkms.keyRings.create");
        var denied = assertThrows(
                com.google.api.gax.rpc.PermissionDeniedException.class,
                () -> kms.createKeyRing(LocationName.of("cust-proj", "us-east1"), "r", KeyRing.getDefaultInstance()));
        assertEquals("IAM_PERMISSION_DENIED", denied.getReason());
        assertEquals("cloudkms.keyRings.create", denied.getMetadata().get("permission"));
        emulator.clearFailures().disableApi("iam.googleapis.com");
        var disabled = assertThrows(
                com.google.api.gax.rpc.PermissionDeniedException.class,
                () -> iam.getServiceAccount(
                        "projects/cust-proj/serviceAccounts/x-account@cust-proj.iam.gserviceaccount.com"));
        assertEquals("SERVICE_DISABLED", disabled.getReason());
        assertEquals("iam.googleapis.com", disabled.getMetadata().get("service"));
        emulator.clearFailures().allowPolicyMembersOnlyFrom("example.com");
        CryptoKeyName k = key();
        var refused = assertThrows(
                com.google.api.gax.rpc.FailedPreconditionException.class,
                () -> kms.setIamPolicy(
                        k,
                        kms.getIamPolicy(k).toBuilder()
                                .addBindings(Binding.newBuilder()
                                        .setRole("roles/cloudkms.viewer")
                                        .addMembers("user:mallory@elsewhere.org"))
                                .build()));
        assertEquals(
                "constraints/iam.allowedPolicyMemberDomains",
                refused.getErrorDetails()
                        .getPreconditionFailure()
                        .getViolations(0)
                        .getType());
    }

    /** Polls GetServiceAccount as the adapter does, until the new account is visible (the default window is short). */
    private void awaitVisible(String name) {
        long deadline = System.nanoTime() + 3_000_000_000L;
        while (true) {
            try {
                iam.getServiceAccount(name);
                return;
            } catch (NotFoundException e) {
                assertTrue(System.nanoTime() < deadline, "account never became visible");
                sleep(20);
            }
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void reset_forgetsEverything() {
        key();
        iam.createServiceAccount("projects/cust-proj", "my-account", ServiceAccount.getDefaultInstance());
        emulator.reset();
        assertEquals(0, emulator.cryptoKeyCount());
        assertEquals(0, emulator.serviceAccountCount());
        assertEquals(0, emulator.totalCalls());
        key();
    }

    @Test
    void knobs_latencyAndCounts() {
        emulator.latency(Duration.ofMillis(50));
        long t0 = System.nanoTime();
        assertThrows(NotFoundException.class, () -> kms.getKeyRing(KeyRingName.of("cust-proj", "us-east1", "ring")));
        assertTrue(System.nanoTime() - t0 >= 50_000_000L);
        assertEquals(1, emulator.callCount(EmulatedMethod.GET_KEY_RING));
        assertEquals(1, emulator.totalCalls());
    }

    @Test
    void networkEmulator_servesOnLoopback() throws Exception {
        try (GcpEmulator net = GcpEmulator.start(0)) {
            String endpoint = net.endpoint().orElseThrow();
            assertTrue(endpoint.startsWith("127.0.0.1:"));
            var channel = FixedTransportChannelProvider.create(GrpcTransportChannel.create(net.channel()));
            try (var c = KeyManagementServiceClient.create(KeyManagementServiceSettings.newBuilder()
                    .setTransportChannelProvider(channel)
                    .setCredentialsProvider(NoCredentialsProvider.create())
                    .build())) {
                c.createKeyRing(LocationName.of("cust-proj", "global"), "ring", KeyRing.getDefaultInstance());
                assertEquals(1, net.callCount(EmulatedMethod.CREATE_KEY_RING));
            }
        }
    }
}
