package dev.cmek.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cmek.aws.testing.FaultInjectingClients;
import dev.cmek.aws.testing.MotoServer;
import dev.cmek.core.Change;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.model.GetKeyRotationStatusResponse;
import software.amazon.awssdk.services.kms.model.KmsException;

/**
 * Automatic rotation of the keys the toolkit creates, read back with KMS's own GetKeyRotationStatus through the strict
 * stand-in (which answers the period and the replicas' shared status as AWS does; moto alone knows only on/off).
 */
class KeyRotationMotoTest extends MotoClusterTest {
    @RegisterExtension
    static MotoServer moto = MotoServer.create();

    static final ClusterId CLUSTER = ClusterId.of("5a7c2b9e-1a2b-4c3d-8e9f-abcdef012345");
    static final List<Region> REGIONS = List.of(Region.US_EAST_1, Region.EU_WEST_1);

    @Override
    MotoServer moto() {
        return moto;
    }

    static AwsCmekRequest request() {
        return request(CLUSTER, REGIONS);
    }

    /** As AWS answers: through the stand-in, which completes moto's answer with the period. */
    GetKeyRotationStatusResponse status(KeyArn key) {
        return clients.kms(key.region()).getKeyRotationStatus(b -> b.keyId(key.keyId()));
    }

    static List<Change> rotationChanges(ProvisionResult r) {
        return r.changes().stream()
                .filter(c -> c.type() == AwsResource.KEY_ROTATION)
                .toList();
    }

    @Test
    void provision_enablesRotationWithTheDefaultPeriod_onEveryKeyItCreates() {
        ProvisionResult made = cmek.provision(request());

        for (KeyArn key : made.keys().values()) {
            GetKeyRotationStatusResponse s = status(key);
            assertTrue(s.keyRotationEnabled(), key::toString);
            assertEquals(365, s.rotationPeriodInDays(), key::toString);
            assertTrue(
                    raw.kms(key.region())
                            .getKeyRotationStatus(b -> b.keyId(key.keyId()))
                            .keyRotationEnabled(),
                    "moto itself holds it on");
        }
        REGIONS.forEach(r -> assertEquals(
                1,
                moto.strict().counts().get("kms/" + r + " EnableKeyRotation"),
                moto.strict().counts()::toString));
        assertTrue(rotationChanges(made).stream().allMatch(c -> c.action() == Change.Action.CREATED), made::toString);
        assertTrue(cmek.provision(request()).noop(), "a re-run changes nothing");
        assertEquals(REGIONS.size(), moto.strict().calls("EnableKeyRotation"));
    }

    @Test
    void provision_withAPeriod_setsIt_andPlanShowsIt() {
        AwsCmekRequest req = request().withRotation(RotationPolicy.every(180));
        ProvisionResult plan = cmek.plan(req);
        assertTrue(
                rotationChanges(plan).stream()
                        .allMatch(c -> c.action() == Change.Action.WOULD_CREATE
                                && c.detail().contains("every 180 days")),
                plan::toString);

        ProvisionResult made = cmek.provision(req);

        made.keys().values().forEach(k -> assertEquals(180, status(k).rotationPeriodInDays()));
    }

    @Test
    void multiRegionKey_rotationIsSetOnThePrimaryOnly_andReplicasShareIt() {
        ProvisionResult made = cmek.provision(request().withPlacement(KeyPlacement.multiRegion()));

        assertEquals(1, moto.strict().calls("EnableKeyRotation"), moto.strict().counts()::toString);
        assertEquals(1, moto.strict().counts().getOrDefault("kms/us-east-1 EnableKeyRotation", 0));
        for (KeyArn key : made.keys().values()) {
            assertTrue(status(key).keyRotationEnabled(), key::toString);
            assertEquals(365, status(key).rotationPeriodInDays(), key::toString);
        }
        Change replica = rotationChanges(made).stream()
                .filter(c -> "eu-west-1".equals(c.region()))
                .findFirst()
                .orElseThrow();
        assertTrue(replica.detail().contains("follows its primary"), replica::toString);
        assertTrue(cmek.provision(request().withPlacement(KeyPlacement.multiRegion()))
                .noop());
    }

    @Test
    void broughtKey_isNeverChanged_onlyReported() {
        Region r = Region.US_EAST_1;
        KeyArn theirs = KeyArn.of(
                raw.kms(r).createKey(b -> b.description("theirs")).keyMetadata().arn());
        AwsCmekRequest req = AwsCmekRequest.of(CLUSTER, CRDB, ORG, List.of(r))
                .withPlacement(KeyPlacement.existing(Map.of(r.id(), theirs)));

        ProvisionResult done = cmek.provision(req);

        assertEquals(0, moto.strict().calls("EnableKeyRotation"));
        assertFalse(status(theirs).keyRotationEnabled());
        Change reported = rotationChanges(done).get(0);
        assertEquals(Change.Action.UNCHANGED, reported.action());
        assertTrue(
                reported.detail().contains("OFF") && reported.detail().contains("enable-key-rotation"),
                reported::toString);
    }

    @Test
    void noAutoRotation_createsKeysWithoutIt_andALaterDefaultRunConverges() {
        ProvisionResult off = cmek.provision(request().withRotation(RotationPolicy.off()));
        off.keys().values().forEach(k -> assertFalse(status(k).keyRotationEnabled()));
        assertEquals(0, moto.strict().calls("EnableKeyRotation"));
        assertTrue(cmek.provision(request().withRotation(RotationPolicy.off())).noop(), "off stays off, no change");

        ProvisionResult on = cmek.provision(request());

        assertTrue(rotationChanges(on).stream().allMatch(c -> c.action() == Change.Action.UPDATED), on::toString);
        on.keys().values().forEach(k -> assertTrue(status(k).keyRotationEnabled()));
    }

    @Test
    void driftedPeriod_isReported_andRepairedOnlyWithRepairRotation() throws InterruptedException {
        ProvisionResult made = cmek.provision(request());
        KeyArn east = made.keys().get("us-east-1");
        // Someone changed the period out of band (through AWS as it behaves: moto alone does not keep periods).
        clients.kms(Region.US_EAST_1)
                .enableKeyRotation(b -> b.keyId(east.keyId()).rotationPeriodInDays(730));
        Thread.sleep(moto.strict().settings().stalePolicyRead().toMillis() + 100); // AWS shows it after a while
        int before = moto.strict().calls("EnableKeyRotation");

        ProvisionResult drifted = cmek.provision(request());

        Change d = rotationChanges(drifted).stream()
                .filter(c -> "us-east-1".equals(c.region()))
                .findFirst()
                .orElseThrow();
        assertEquals(Change.Action.DRIFTED, d.action(), d::toString);
        assertTrue(d.detail().contains("730") && d.detail().contains("--repair-rotation"), d::toString);
        assertEquals(before, moto.strict().calls("EnableKeyRotation"), "reported, not changed");
        assertEquals(730, status(east).rotationPeriodInDays());

        cmek.provision(request().withRotation(RotationPolicy.defaults().withRepair(true)));

        assertEquals(365, status(east).rotationPeriodInDays());
    }

    @Test
    void runKilledAfterCreateKey_reRunTurnsRotationOnForTheKeyItFinds() {
        FaultInjectingClients crashing = new FaultInjectingClients(clients).crashAfter("createKey", 1);
        try (AwsCmek c = new AwsCmek(crashing)) {
            assertThrows(RuntimeException.class, () -> c.provision(request()));
        }

        ProvisionResult done = cmek.provision(request());

        done.keys().values().forEach(k -> assertTrue(status(k).keyRotationEnabled(), k::toString));
        assertEquals(
                1,
                raw.kms(Region.US_EAST_1).listKeys().keys().size()
                        + raw.kms(Region.EU_WEST_1).listKeys().keys().size()
                        - 1,
                "one key per region, none made twice");
    }

    @Test
    void rotationPeriodOutsideAwsRange_isRefusedBeforeAnythingIsSent() {
        assertThrows(InvalidInputException.class, () -> new RotationPolicy(true, 30, false));
        assertThrows(InvalidInputException.class, () -> RotationPolicy.every(2561));
        assertEquals(0, moto.strict().totalCalls());
    }

    @Test
    void strictStandIn_refusesWhatAwsRefuses_periodOutOfRange_andRotationSetOnAReplica() {
        ProvisionResult made = cmek.provision(request().withPlacement(KeyPlacement.multiRegion()));
        KeyArn primary = made.keys().get("us-east-1");
        KeyArn replica = made.keys().get("eu-west-1");
        var kms = clients.kms(Region.US_EAST_1);

        KmsException range = assertThrows(
                KmsException.class,
                () -> kms.enableKeyRotation(b -> b.keyId(primary.keyId()).rotationPeriodInDays(30)));
        assertEquals("ValidationException", range.awsErrorDetails().errorCode());
        KmsException onReplica = assertThrows(
                KmsException.class,
                () -> clients.kms(Region.EU_WEST_1).enableKeyRotation(b -> b.keyId(replica.keyId())));
        assertEquals(
                "UnsupportedOperationException", onReplica.awsErrorDetails().errorCode());
    }
}
