package dev.cmek.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cmek.aws.testing.MotoServer;
import dev.cmek.aws.testing.StrictAws;
import dev.cmek.core.Fate;
import dev.cmek.core.Outcome;
import dev.cmek.core.RevocationJournal;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;

/**
 * The breach path as a responder meets it: the master switch written first and alone, a dry run that reads and never
 * writes, a revocation without the Cloud API that finds the cluster's Regions from the role itself, and a dead
 * endpoint that fails at once, saying so.
 */
class BreachPathMotoTest extends MotoClusterTest {
    @RegisterExtension
    static MotoServer moto = MotoServer.create();

    static final ClusterId CLUSTER = ClusterId.of("3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f");
    static final List<Region> REGIONS = List.of(Region.US_EAST_1, Region.EU_WEST_1, Region.AP_SOUTHEAST_2);
    static final ResourceNames NAMES = new ResourceNames(CLUSTER);

    @Override
    MotoServer moto() {
        return moto;
    }

    static AwsCmekRequest request() {
        return request(CLUSTER, REGIONS);
    }

    @Test
    void revoke_writesTheTrustFirstAndAlone_noKeyPolicyIsWrittenBeforeTheTrustIsAnswered() {
        cmek.provision(request());
        List<Object> journal = Collections.synchronizedList(new ArrayList<>());
        moto.strict().slow("UpdateAssumeRolePolicy", Duration.ofMillis(400)).record();

        RevocationRecord record = cmek.revoke(RevocationRequest.of(request(), false), keeping(journal));

        assertTrue(record.outcomes().stream().noneMatch(o -> o.fate() == Fate.LEFT), record.outcomes()::toString);
        List<StrictAws.Event> calls = moto.strict().timeline();
        long trustAnswered = calls.stream()
                .filter(e -> e.operation().equals("UpdateAssumeRolePolicy"))
                .mapToLong(StrictAws.Event::answered)
                .min()
                .orElseThrow();
        List<StrictAws.Event> keyWrites =
                calls.stream().filter(e -> e.operation().equals("PutKeyPolicy")).toList();
        assertEquals(REGIONS.size(), keyWrites.size(), calls::toString);
        keyWrites.forEach(
                w -> assertTrue(w.arrived() > trustAnswered, "a key policy was written before the trust: " + w));
        // The evidence says the same: the trust's intent is kept first, every key's after it.
        assertEquals(
                0,
                indexOf(
                        journal,
                        o -> o instanceof RevocationRecord.Intent i && i.document() == RevocationRecord.Document.TRUST),
                journal::toString);
        assertEquals(
                REGIONS.size(),
                journal.stream()
                        .filter(o -> o instanceof RevocationRecord.Intent i
                                && i.document() == RevocationRecord.Document.KEY_POLICY)
                        .count());
    }

    @Test
    void revoke_dryRun_readsEverything_writesNothing_andSaysWhatEachWriteWouldRemove() {
        cmek.provision(request());
        moto.strict().record();

        RevocationRecord record =
                cmek.revoke(RevocationRequest.of(request(), true).asDryRun(), RevocationJournal.none());

        assertTrue(record.intents().isEmpty(), "a dry run keeps no intent");
        List<String> writes = moto.strict().timeline().stream()
                .map(StrictAws.Event::operation)
                .filter(op -> op.startsWith("Put") || op.startsWith("Update") || op.startsWith("Tag"))
                .toList();
        assertEquals(List.of(), writes, "nothing written");
        assertEquals(
                1,
                record.outcomes().stream()
                        .filter(o -> o.document() == RevocationRecord.Document.TRUST && o.fate() == Fate.WOULD_REMOVE)
                        .count(),
                record.outcomes()::toString);
        assertEquals(
                REGIONS.size(),
                record.outcomes().stream()
                        .filter(o -> o.document() == RevocationRecord.Document.KEY_POLICY
                                && o.fate() == Fate.WOULD_REMOVE
                                && o.detail().contains(NAMES.grantSid()))
                        .count(),
                record.outcomes()::toString);
        assertTrue(
                record.outcomes().stream()
                        .anyMatch(o -> o.document() == RevocationRecord.Document.SESSION_DENY
                                && o.fate() == Fate.WOULD_REMOVE),
                "--immediate's deny is planned too: " + record.outcomes());
        assertTrue(cmek.verify(request()).ok(), "every grant still in place");
    }

    @Test
    void provision_recordsTheClustersRegionsInTheRolesTags_andALaterRunAddsItsOwn() {
        cmek.provision(request(CLUSTER, List.of(Region.US_EAST_1)));
        assertEquals(
                List.of("us-east-1"), List.copyOf(ResourceNames.regionsIn(role().tags())), role().tags()::toString);

        List<dev.cmek.core.Change> changes = cmek.provision(request()).changes();

        assertEquals(
                List.of("ap-southeast-2", "eu-west-1", "us-east-1"),
                List.copyOf(ResourceNames.regionsIn(role().tags())));
        assertTrue(
                changes.stream()
                        .anyMatch(c -> c.type() == AwsResource.ROLE
                                && c.action() == dev.cmek.core.Change.Action.UPDATED
                                && c.detail().contains(ResourceNames.REGIONS_TAG)),
                changes::toString);
        assertTrue(
                cmek.provision(request()).changes().stream()
                        .filter(c -> c.type() == AwsResource.ROLE)
                        .allMatch(c -> c.action() == dev.cmek.core.Change.Action.UNCHANGED),
                "a third run changes nothing");
    }

    @Test
    void revoke_withoutTheCloudApi_findsTheRegionsInTheRolesTags_andRevokesEveryKey() {
        cmek.provision(request());

        RevocationRecord record = cmek.revoke(
                new RevocationRequest(
                        CLUSTER,
                        Optional.empty(),
                        Optional.empty(),
                        List.of(),
                        List.of(),
                        false,
                        Duration.ofSeconds(10),
                        false),
                RevocationJournal.none());

        assertEquals(
                REGIONS.size(),
                record.outcomes().stream()
                        .filter(o -> o.document() == RevocationRecord.Document.KEY_POLICY && o.fate() == Fate.REMOVED)
                        .count(),
                record.outcomes()::toString);
        assertTrue(record.notes().stream().anyMatch(n -> n.contains(ResourceNames.REGIONS_TAG)), record::toString);
        VerifyReport after = cmek.verify(request());
        after.regions().values().forEach(r -> assertFalse(r.ok(), r::toString));
    }

    @Test
    void revoke_withoutTheCloudApi_andARoleThatRecordsNoRegion_leavesTheKeysWithTheCommandThatFinishes() {
        cmek.provision(request());
        raw.iam().untagRole(b -> b.roleName(NAMES.roleName()).tagKeys(ResourceNames.REGIONS_TAG));

        RevocationRecord record = cmek.revoke(
                new RevocationRequest(
                        CLUSTER,
                        Optional.empty(),
                        Optional.empty(),
                        List.of(),
                        List.of(),
                        false,
                        Duration.ofSeconds(10),
                        false),
                RevocationJournal.none());

        Outcome left = record.outcomes().stream()
                .filter(o -> o.fate() == Fate.LEFT)
                .findFirst()
                .orElseThrow(() -> new AssertionError(record.outcomes().toString()));
        assertTrue(left.detail().contains("--regions"), left::detail);
        assertTrue(
                record.outcomes().stream()
                        .anyMatch(o -> o.document() == RevocationRecord.Document.TRUST && o.fate() == Fate.REMOVED),
                "the master switch still went: " + record.outcomes());
    }

    @Test
    void anEndpointThatRefusesConnections_failsAtOnce_namingIt_notAsAPermission() throws Exception {
        int dead;
        try (ServerSocket s = new ServerSocket(0)) {
            dead = s.getLocalPort();
        }
        long start = System.nanoTime();
        try (SdkClients down = SdkClients.builder()
                        .endpoint(URI.create("http://127.0.0.1:" + dead))
                        .credentials(StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing")))
                        .build();
                AwsCmek c = new AwsCmek(down)) {
            RevocationRecord record = c.revoke(RevocationRequest.of(request(), false), RevocationJournal.none());
            long took = (System.nanoTime() - start) / 1_000_000;

            assertTrue(took < 5_000, "a refused connection is not retried like a throttle: " + took + " ms");
            List<Outcome> left = record.outcomes().stream()
                    .filter(o -> o.fate() == Fate.LEFT)
                    .toList();
            assertFalse(left.isEmpty(), record.outcomes()::toString);
            left.forEach(o -> {
                assertTrue(o.detail().contains("unreachable: http://127.0.0.1:" + dead), o::detail);
                assertTrue(o.detail().contains("AWS did not answer"), o::detail);
                assertFalse(o.detail().contains("grant "), "not a permission: " + o.detail());
            });
        }
    }

    private CrossAccountRole.Live role() {
        return new CrossAccountRole(raw.iam(), NAMES, Duration.ofSeconds(1))
                .find()
                .orElseThrow();
    }

    private static int indexOf(List<Object> journal, java.util.function.Predicate<Object> p) {
        synchronized (journal) {
            for (int i = 0; i < journal.size(); i++) {
                if (p.test(journal.get(i))) {
                    return i;
                }
            }
        }
        return Integer.MAX_VALUE;
    }

    private static RevocationJournal<RevocationRecord.Intent> keeping(List<Object> journal) {
        return new RevocationJournal<>() {
            @Override
            public void intent(RevocationRecord.Intent intent) {
                journal.add(intent);
            }

            @Override
            public void outcome(Outcome outcome) {
                journal.add(outcome);
            }
        };
    }
}
