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

    @Test
    void provision_amongAThousandUnrelatedKeys_asksOnlyUnaliasedKeys_aFewAtATime_andSkipsKeysThatDenyUs() {
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
        moto.strict().denyAccess("ListResourceTags", "us-east-1", unaliased.get(0));
        moto.strict().resetCounts();
        var threads = ManagementFactory.getThreadMXBean();
        int before = threads.getThreadCount();
        threads.resetPeakThreadCount();
        CmekRequest one = CmekRequest.of(
                        ClusterId.of("5b2d4c1e-0000-4000-8000-00000000f00d"),
                        AccountId.of("999988887777"),
                        ExternalId.of("org-large-account"),
                        List.of(Region.US_EAST_1))
                .withPrincipalPropagationBound(Duration.ofSeconds(10));

        ProvisionResult made;
        try (SdkClients clients = moto.clients();
                AwsCmek cmek = new AwsCmek(clients)) {
            made = cmek.provision(one);
        }

        assertEquals(1, made.keys().size());
        int asked = moto.strict().calls("ListResourceTags");
        assertEquals(unaliased.size(), asked, "one tag read per key without an alias, none for aliased keys");
        assertEquals(1, moto.strict().calls("ListKeys"), "a thousand keys are one page");
        assertTrue(
                moto.strict().peakInFlight() <= RegionalKeys.SCAN_PARALLELISM + 4,
                "requests in flight: " + moto.strict().peakInFlight());
        int added = threads.getPeakThreadCount() - before;
        assertTrue(added <= RegionalKeys.SCAN_PARALLELISM + 32, "threads added at the peak: " + added);
    }
}
