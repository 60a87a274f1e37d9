package dev.cmek.model;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cmek.CmekException;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClusterFitTest {
    private static final Manifest AWS = ManifestCodec.parse(Samples.AWS_MANIFEST, "aws");
    private static final Manifest GCP = ManifestCodec.parse(Samples.GCP_MANIFEST, "gcp");

    @Test
    void enable_everyRegionCovered_fits() {
        assertDoesNotThrow(() -> ClusterFit.check(
                AWS, "c1", CloudProvider.AWS, List.of("us-west-2", "us-east-1"), ClusterFit.Purpose.ENABLE, false));
    }

    @Test
    void enable_regionLeftOut_namesIt() {
        var e = assertThrows(
                CmekException.InvalidInput.class,
                () -> ClusterFit.check(
                        AWS,
                        "c1",
                        CloudProvider.AWS,
                        List.of("us-east-1", "us-west-2", "eu-west-1"),
                        ClusterFit.Purpose.ENABLE,
                        false));
        assertEquals("enable must cover every cluster region; missing: eu-west-1", e.getMessage());
    }

    @Test
    void enable_regionClusterLacks_namesIt() {
        var e = assertThrows(
                CmekException.InvalidInput.class,
                () -> ClusterFit.check(
                        AWS, "c1", CloudProvider.AWS, List.of("us-east-1"), ClusterFit.Purpose.ENABLE, false));
        assertTrue(e.getMessage().startsWith("cluster c1 has no region us-west-2"), e.getMessage());
    }

    @Test
    void keyTypeOfOtherCloud_isRefused() {
        var e = assertThrows(
                CmekException.InvalidInput.class,
                () -> ClusterFit.check(
                        GCP, "c1", CloudProvider.AWS, List.of("us-central1"), ClusterFit.Purpose.ENABLE, false));
        assertTrue(
                e.getMessage().contains("key type GCP_CLOUD_KMS does not match cluster c1 on AWS (expected AWS_KMS)"),
                e.getMessage());
    }

    @Test
    void rotate_subsetOfRegions_fits() {
        assertDoesNotThrow(() -> ClusterFit.check(
                AWS.only(List.of("us-east-1")),
                "c1",
                CloudProvider.AWS,
                List.of("us-east-1", "us-west-2"),
                ClusterFit.Purpose.ROTATE,
                false));
    }

    @Test
    void addRegion_existingRegion_isRefused() {
        var e = assertThrows(
                CmekException.InvalidInput.class,
                () -> ClusterFit.check(
                        AWS.only(List.of("us-east-1")),
                        "c1",
                        CloudProvider.AWS,
                        List.of("us-east-1"),
                        ClusterFit.Purpose.ADD_REGION,
                        false));
        assertTrue(e.getMessage().contains("already has region us-east-1"), e.getMessage());
    }

    @Test
    void rotate_awsKeyOfAnotherRegion_isRefused_evenWhenBuiltInCode() {
        Manifest crossRegion = new Manifest(List.of(
                new RegionSpec("us-west-2", new KeySpec(KeyType.AWS_KMS, Samples.AWS_KEY_EAST, Samples.AWS_ROLE))));
        var e = assertThrows(
                CmekException.InvalidInput.class,
                () -> ClusterFit.check(
                        crossRegion,
                        "c1",
                        CloudProvider.AWS,
                        List.of("us-east-1", "us-west-2"),
                        ClusterFit.Purpose.ROTATE,
                        false));
        assertEquals(
                "region us-west-2: uri \"" + Samples.AWS_KEY_EAST + "\" is a key in us-east-1, not in us-west-2"
                        + " (use the key ARN, or the multi-region replica ARN, in us-west-2; or pass"
                        + " --aws-cross-region-keys if this region is meant to depend on us-east-1)",
                e.getMessage());
    }

    @Test
    void rotate_awsKeyOfAnotherRegion_isAccepted_whenTheUserAllowsCrossRegionKeys() {
        // CockroachDB's AWS page allows "any mapping of keys to regions": the opt-in must let it through.
        Manifest crossRegion = new Manifest(List.of(
                new RegionSpec("us-west-2", new KeySpec(KeyType.AWS_KMS, Samples.AWS_KEY_EAST, Samples.AWS_ROLE))));
        assertDoesNotThrow(() -> ClusterFit.check(
                crossRegion,
                "c1",
                CloudProvider.AWS,
                List.of("us-east-1", "us-west-2"),
                ClusterFit.Purpose.ROTATE,
                true));
    }

    @Test
    void manifestRead_awsKeyOfAnotherRegion_isReadAsWritten_theRegionRuleIsTheCommandsToApply() {
        Manifest m = ManifestCodec.parse(
                Samples.oneRegion("us-west-2", "AWS_KMS", Samples.AWS_KEY_EAST, Samples.AWS_ROLE), "m.json");
        var e = assertThrows(CmekException.InvalidInput.class, () -> KeySpecRules.checkRegionsMatch(m, false));
        assertTrue(e.getMessage().startsWith("region us-west-2: uri"), e.getMessage());
        assertTrue(
                e.getMessage()
                        .endsWith(
                                "or pass --aws-cross-region-keys if this region is meant to depend on" + " us-east-1)"),
                e.getMessage());
        assertDoesNotThrow(() -> KeySpecRules.checkRegionsMatch(m, true));
        Manifest gcp = ManifestCodec.parse(
                Samples.oneRegion("us-east1", "GCP_CLOUD_KMS", Samples.GCP_KEY, Samples.GCP_SA), "m.json");
        assertDoesNotThrow(() -> KeySpecRules.checkRegionsMatch(gcp, false), "a GCP key may live in any location");
    }

    @Test
    void eligibility_namesEveryReason_andAcceptsAnAdvancedPrivateCluster() {
        assertEquals(List.of(), CmekEligibility.problems(CloudProvider.AWS, "ADVANCED", "CREATED", "PRIVATE"));
        assertEquals(List.of(), CmekEligibility.problems(CloudProvider.GCP, "ADVANCED", "CREATED", null));
        assertEquals(List.of(), CmekEligibility.problems(CloudProvider.AZURE, "ADVANCED", "CREATED", "PRIVATE"));
        assertEquals(
                List.of(
                        "it is on the STANDARD plan (CMEK needs ADVANCED)",
                        "its state is LOCKED (CMEK needs CREATED: wait for it and run this again)",
                        "its network visibility is PUBLIC (CMEK needs a PRIVATE cluster)",
                        "it runs on UNRECOGNIZED (this toolkit makes keys on AWS, GCP and Azure)"),
                CmekEligibility.problems(CloudProvider.UNRECOGNIZED, "STANDARD", "LOCKED", "PUBLIC"));
        var e = assertThrows(
                CmekException.InvalidInput.class,
                () -> CmekEligibility.require("c1", CloudProvider.AWS, "BASIC", "CREATED", "PRIVATE"));
        assertEquals(
                "cluster c1 cannot use CMEK: it is on the BASIC plan (CMEK needs ADVANCED); nothing was created",
                e.getMessage());
    }
}
