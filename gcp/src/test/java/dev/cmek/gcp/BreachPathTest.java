package dev.cmek.gcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cmek.core.Fate;
import dev.cmek.core.Outcome;
import dev.cmek.core.RevocationJournal;
import dev.cmek.gcp.emulator.EmulatedMethod;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The breach path as a responder meets it on GCP: the token-creator binding written first and alone, a dry run that
 * reads and never writes, a revocation that finds the key rings without knowing the regions, and a dead endpoint that
 * fails at once, saying so.
 */
class BreachPathTest extends EmulatorBacked {
    private static final List<String> REGIONS = List.of("us-east1", "us-west1", "europe-west1");

    @Test
    void revoke_writesTheTokenCreatorBindingFirst_noKeyPolicyIsWrittenBeforeItsAnswer() {
        GcpCmekRequest req = request(REGIONS.toArray(String[]::new)).build();
        cmek.provision(req);
        emulator.resetCallCounts();
        AtomicInteger keyWritesWhileTheSwitchWasWritten = new AtomicInteger(-1);
        emulator.beforeReplyTo(EmulatedMethod.SET_SERVICE_ACCOUNT_IAM_POLICY, 1, () -> {
            sleep(300); // the keys' threads have read their policies by now, and wait
            keyWritesWhileTheSwitchWasWritten.set(emulator.callCount(EmulatedMethod.SET_KEY_IAM_POLICY));
        });

        RevocationRecord record = cmek.revoke(RevocationRequest.of(req, false), RevocationJournal.none());

        assertEquals(0, keyWritesWhileTheSwitchWasWritten.get(), "no key was written before the binding's answer");
        assertEquals(REGIONS.size(), emulator.callCount(EmulatedMethod.SET_KEY_IAM_POLICY));
        assertEquals(
                RevocationRecord.Document.SERVICE_ACCOUNT_POLICY,
                record.intents().get(0).document());
        assertTrue(record.outcomes().stream().noneMatch(o -> o.fate() == Fate.LEFT), record.outcomes()::toString);
    }

    @Test
    void revoke_dryRun_readsEverything_writesNothing_andSaysWhatEachWriteWouldRemove() {
        GcpCmekRequest req = request(REGIONS.toArray(String[]::new)).build();
        cmek.provision(req);
        emulator.resetCallCounts();

        RevocationRecord record = cmek.revoke(RevocationRequest.of(req, true).asDryRun(), RevocationJournal.none());

        assertTrue(record.intents().isEmpty(), "a dry run keeps no intent");
        assertEquals(0, emulator.callCount(EmulatedMethod.SET_KEY_IAM_POLICY));
        assertEquals(0, emulator.callCount(EmulatedMethod.SET_SERVICE_ACCOUNT_IAM_POLICY));
        assertEquals(0, emulator.callCount(EmulatedMethod.DISABLE_SERVICE_ACCOUNT));
        List<Outcome> would = record.outcomes().stream()
                .filter(o -> o.fate() == Fate.WOULD_REMOVE)
                .toList();
        assertEquals(
                1 + REGIONS.size() + 1,
                would.size(),
                "the binding, each key's grant and, with --immediate, disabling: " + record.outcomes());
        assertTrue(cmek.verify(req).ok(), "every grant still in place");
    }

    @Test
    void revoke_withoutRegions_findsTheClustersKeyRingsInTheProjectsLocations_andRevokesEveryKey() {
        GcpCmekRequest req = request(REGIONS.toArray(String[]::new)).build();
        cmek.provision(req);

        RevocationRecord record = cmek.revoke(
                new RevocationRequest(
                        ClusterId.of(CLUSTER), PROJECT, Optional.empty(), List.of(), Map.of(), false, 5, false),
                RevocationJournal.none());

        assertEquals(
                REGIONS.size(),
                record.outcomes().stream()
                        .filter(o ->
                                o.document() == RevocationRecord.Document.CRYPTO_KEY_POLICY && o.fate() == Fate.REMOVED)
                        .count(),
                record.outcomes()::toString);
        assertTrue(
                record.notes().stream()
                        .anyMatch(n ->
                                n.contains("was found in") && REGIONS.stream().allMatch(n::contains)),
                record::toString);
        assertFalse(cmek.verify(req).ok());
    }

    @Test
    void anEndpointThatRefusesConnections_failsAtOnce_namingIt() throws Exception {
        int dead;
        try (ServerSocket s = new ServerSocket(0)) {
            dead = s.getLocalPort();
        }
        String endpoint = "127.0.0.1:" + dead;
        long start = System.nanoTime();
        try (GcpClients down = GcpClients.resolve(Optional.of(endpoint), Optional.of(endpoint))) {
            RevocationRecord record = new GcpCmek(down)
                    .revoke(
                            RevocationRequest.of(
                                    request(REGIONS.toArray(String[]::new)).build(), false),
                            RevocationJournal.none());
            long took = (System.nanoTime() - start) / 1_000_000;

            assertTrue(took < 5_000, "a refused connection is not retried like UNAVAILABLE: " + took + " ms");
            List<Outcome> left = record.outcomes().stream()
                    .filter(o -> o.fate() == Fate.LEFT)
                    .toList();
            assertFalse(left.isEmpty(), record.outcomes()::toString);
            left.forEach(o -> assertTrue(o.detail().contains("unreachable: " + endpoint), o::detail));
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
