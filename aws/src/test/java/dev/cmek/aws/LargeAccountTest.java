package dev.cmek.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cmek.aws.testing.MotoServer;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.regions.Region;

/** An account with a thousand keys that are not ours, through the strict stand-in: calls counted, threads bounded. */
class LargeAccountTest {
    @RegisterExtension
    static MotoServer moto = MotoServer.create();

    static final int UNRELATED = 1000;

    static AwsCmekRequest cluster(String id) {
        return AwsCmekRequest.of(
                        ClusterId.of(id),
                        AccountId.of("999988887777"),
                        ExternalId.of("org-large-account"),
                        List.of(Region.US_EAST_1))
                .withPrincipalPropagationBound(Duration.ofSeconds(10));
    }

    @Test
    void provision_amongAThousandUnrelatedKeys_makesTheSameCallsAsAmongNone_andFallsBackToABoundedScan() {
        int baseline;
        try (SdkClients clients = moto.clients();
                AwsCmek cmek = new AwsCmek(clients)) {
            cmek.provision(cluster("5b2d4c1e-0000-4000-8000-00000000000a"));
            moto.strict().resetCounts();
            assertEquals(
                    1,
                    cmek.provision(cluster("5b2d4c1e-0000-4000-8000-00000000000b"))
                            .keys()
                            .size());
            baseline = moto.strict().totalCalls();
        }
        List<String> unaliased = new ArrayList<>();
        try (SdkClients raw = moto.rawClients()) {
            var kms = raw.kms(Region.US_EAST_1);
            for (int i = 0; i < UNRELATED; i++) {
                String id = kms.createKey(b -> b.description("unrelated"))
                        .keyMetadata()
                        .keyId();
                if (i % 2 == 0) {
                    int n = i;
                    kms.createAlias(b -> b.aliasName("alias/app-" + n).targetKeyId(id));
                } else {
                    unaliased.add(id);
                }
            }
        }
        var threads = ManagementFactory.getThreadMXBean();
        try (SdkClients clients = moto.clients();
                AwsCmek cmek = new AwsCmek(clients)) {
            cmek.provision(cluster("5b2d4c1e-0000-4000-8000-00000000000c")); // warm, as the baseline was
            moto.strict().resetCounts();
            assertEquals(
                    1,
                    cmek.provision(cluster("5b2d4c1e-0000-4000-8000-00000000000d"))
                            .keys()
                            .size());
            // No more than among none but for the retries AWS's windows cause (a CreateKey refused while the role is
            // new, a read repeated), whose number follows the machine's load; work per unrelated key would add 500.
            assertTrue(
                    moto.strict().totalCalls() <= baseline + 10,
                    "the Tagging API finds our keys whatever else the account holds: " + baseline
                            + " calls among none, " + moto.strict().counts());
            assertEquals(0, moto.strict().calls("ListKeys"));
            assertEquals(0, moto.strict().calls("ListResourceTags"));
            // The stand-in pages ListAliases as KMS does (100 at most): the 500 aliases would be 6 calls here.
            assertEquals(0, moto.strict().calls("ListAliases"), "the Region's aliases are not listed");
            assertEquals(1, moto.strict().calls("GetResources"));

            // Without tag:GetResources: the scan asks only keys without an alias, 8 at a time, and skips a key
            // that denies us.
            moto.strict().denyAccess("GetResources", null, null);
            moto.strict().denyAccess("ListResourceTags", "us-east-1", unaliased.get(0));
            moto.strict().resetCounts();
            int before = threads.getThreadCount();
            threads.resetPeakThreadCount();
            assertEquals(
                    1,
                    cmek.provision(cluster("5b2d4c1e-0000-4000-8000-00000000000e"))
                            .keys()
                            .size());
            assertEquals(
                    unaliased.size(),
                    moto.strict().calls("ListResourceTags"),
                    "one tag read per key without an alias, none for aliased keys");
            assertEquals(
                    2,
                    moto.strict().calls("ListKeys"),
                    "1,000 unrelated keys and our 4 are two pages of at most 1,000 (the stand-in pages as KMS does)");
            assertTrue(
                    moto.strict().peakInFlight() <= RegionalKeys.SCAN_PARALLELISM + 4,
                    "requests in flight: " + moto.strict().peakInFlight());
            int added = threads.getPeakThreadCount() - before;
            assertTrue(added <= RegionalKeys.SCAN_PARALLELISM + 32, "threads added at the peak: " + added);
        }
    }
}
