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
                AWS, "c1", CloudProvider.AWS, List.of("us-west-2", "us-east-1"), ClusterFit.Purpose.ENABLE));
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
                        ClusterFit.Purpose.ENABLE));
        assertEquals("enable must cover every cluster region; missing: eu-west-1", e.getMessage());
    }

    @Test
    void enable_regionClusterLacks_namesIt() {
        var e = assertThrows(
                CmekException.InvalidInput.class,
                () -> ClusterFit.check(AWS, "c1", CloudProvider.AWS, List.of("us-east-1"), ClusterFit.Purpose.ENABLE));
        assertTrue(e.getMessage().startsWith("cluster c1 has no region us-west-2"), e.getMessage());
    }

    @Test
    void keyTypeOfOtherCloud_isRefused() {
        var e = assertThrows(
                CmekException.InvalidInput.class,
                () -> ClusterFit.check(
                        GCP, "c1", CloudProvider.AWS, List.of("us-central1"), ClusterFit.Purpose.ENABLE));
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
                ClusterFit.Purpose.ROTATE));
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
                        ClusterFit.Purpose.ADD_REGION));
        assertTrue(e.getMessage().contains("already has region us-east-1"), e.getMessage());
    }
}
