package dev.cmek.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cmek.aws.testing.MotoServer;
import dev.cmek.aws.testing.StrictAws;
import dev.cmek.core.Parallel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.KmsException;

/**
 * KMS's control-plane quotas are per operation: "Each request quota is calculated independently. For example, requests
 * for the CreateKey operation have no effect on the request quota for the CreateAlias operation"
 * (https://docs.aws.amazon.com/kms/latest/developerguide/requests-per-second.html). The stand-in throttles that way,
 * and the process-wide pacer spaces each operation on its own.
 */
class ControlPlaneQuotaTest {
    @RegisterExtension
    static MotoServer moto = MotoServer.create();

    @Test
    void standIn_throttlesTheSixthCreateKeyInASecond_butNotACreateAliasBesideIt() {
        moto.strict().settings(StrictAws.Settings.defaults().withWindows(Duration.ZERO, Duration.ZERO));
        try (SdkClients unpaced = SdkClients.builder()
                .endpoint(moto.endpoint())
                .credentials(MotoServer.sessionCredentials())
                .controlPlanePerSecond(0)
                .maxAttempts(1)
                .build()) {
            KmsClient kms = unpaced.kms(Region.US_EAST_1);
            String first = null;
            for (int i = 0; i < 5; i++) {
                String id =
                        kms.createKey(b -> b.description("quota")).keyMetadata().keyId();
                first = first == null ? id : first;
            }
            KmsException sixth = assertThrows(KmsException.class, () -> kms.createKey(b -> b.description("quota")));
            assertEquals("ThrottlingException", sixth.awsErrorDetails().errorCode());
            String key = first;
            kms.createAlias(b -> b.aliasName("alias/quota-test").targetKeyId(key));
            assertEquals(1, moto.strict().throttled(), moto.strict().counts().toString());
        }
    }

    @Test
    void pacer_holdsTheSixthCreateKey_butNotACreateAliasBesideIt() {
        // A Region of its own: the pacers are process-wide.
        ControlPlaneQuota quota = new ControlPlaneQuota(() -> AccountId.of("111122223333"), "quota-test-1", 5);
        for (int i = 0; i < 5; i++) {
            answered(quota, started(quota, "CreateKey"));
        }
        long t0 = System.nanoTime();
        answered(quota, started(quota, "CreateAlias"));
        long alias = (System.nanoTime() - t0) / 1_000_000;
        t0 = System.nanoTime();
        started(quota, "CreateKey");
        long sixth = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(alias < 500, "CreateAlias waited " + alias + " ms behind CreateKey's quota");
        assertTrue(sixth >= 500, "the sixth CreateKey in a second went at once (" + sixth + " ms)");
    }

    @Test
    void pacer_countsTheSecondFromEachAnswer_notFromEachStart() throws Exception {
        ControlPlaneQuota quota = new ControlPlaneQuota(() -> AccountId.of("111122223333"), "quota-test-2", 5);
        long t0 = System.nanoTime();
        List<ExecutionAttributes> first = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            first.add(started(quota, "CreateKey"));
        }
        // The five take 400 ms to be answered: where KMS counted them is anywhere in between.
        Thread.sleep(400);
        long answeredAt = System.nanoTime();
        first.forEach(a -> answered(quota, a));
        started(quota, "CreateKey");
        long sixth = (System.nanoTime() - answeredAt) / 1_000_000;
        assertTrue(
                sixth >= 990,
                "the sixth CreateKey went " + sixth + " ms after the five were answered, "
                        + (System.nanoTime() - t0) / 1_000_000 + " ms after they started");
    }

    @Test
    void pacer_releasesTheSlotOfAnAttemptThatEndedWithoutAnAnswer() {
        ControlPlaneQuota quota = new ControlPlaneQuota(() -> AccountId.of("111122223333"), "quota-test-3", 1);
        ExecutionAttributes call = started(quota, "CreateKey");
        // The SDK retries after a lost connection: the same call's next attempt goes a second after the first ended,
        // instead of waiting forever for an answer that never comes.
        long t0 = System.nanoTime();
        quota.beforeTransmission(null, call);
        long retry = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(retry >= 990 && retry < 3000, "the retry waited " + retry + " ms");
        t0 = System.nanoTime();
        quota.onExecutionFailure(null, call);
        quota.onExecutionFailure(null, call); // released once, however many hooks see the end
        answered(quota, started(quota, "CreateKey"));
        long next = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(next >= 990 && next < 3000, "the next call waited " + next + " ms");
    }

    /**
     * A fleet's clusters all want the same few slots. Served in the order asked, each cluster got its CreateKey in one
     * Region early and in another late, so every cluster finished near the end; the older operation goes first.
     */
    @Test
    void pacer_servesTheOperationThatBeganFirst_whateverTheOrderItsCallsCame() throws Exception {
        ControlPlaneQuota quota = new ControlPlaneQuota(() -> AccountId.of("111122223333"), "quota-test-4", 1);
        answered(quota, started(quota, "CreateKey")); // the one slot is free again in a second
        CountDownLatch olderBegan = new CountDownLatch(1);
        CountDownLatch newerAsked = new CountDownLatch(1);
        List<String> served = java.util.Collections.synchronizedList(new ArrayList<>());
        ExecutorService two = Executors.newFixedThreadPool(2);
        try {
            Future<?> older = two.submit(() -> Parallel.operation(() -> {
                olderBegan.countDown();
                await(newerAsked);
                Pause.millis(100); // the newer operation's call is waiting by now
                answered(quota, started(quota, "CreateKey"));
                served.add("older");
                return null;
            }));
            await(olderBegan);
            Thread.sleep(5);
            Future<?> newer = two.submit(() -> Parallel.operation(() -> {
                // Asks first, and waits for the slot the older operation will be given first.
                ExecutionAttributes a = attempt("CreateKey");
                newerAsked.countDown();
                quota.beforeTransmission(null, a);
                answered(quota, a);
                served.add("newer");
                return null;
            }));
            older.get(30, TimeUnit.SECONDS);
            newer.get(30, TimeUnit.SECONDS);
        } finally {
            two.shutdownNow();
        }
        assertEquals(List.of("older", "newer"), served);
    }

    @Test
    void anOperationsHeadStart_countsForAtMostTheHorizon_soNoCallWaitsForever() {
        long asked = System.nanoTime();
        long horizon = ControlPlaneQuota.PRIORITY_HORIZON_NANOS;
        assertEquals(asked, ControlPlaneQuota.order(null, asked), "no operation: the order asked");
        assertEquals(asked - 1_000_000_000L, ControlPlaneQuota.order(asked - 1_000_000_000L, asked));
        assertEquals(
                asked - horizon,
                ControlPlaneQuota.order(asked - 60_000_000_000L, asked),
                "an operation begun a minute ago");
        // A call that has waited the horizon is not passed by one asked later, however old that one's operation.
        long waiting = ControlPlaneQuota.order(asked, asked);
        long later = asked + horizon + 1;
        assertTrue(ControlPlaneQuota.order(asked - 600_000_000_000L, later) > waiting);
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Requests that reach KMS late (here 300 ms on the way) are counted late. A pacer that counted a second from when it
     * let each request go sent the next five 0.9 s after KMS had counted the first five, and KMS throttled them; one
     * that counts from each answer does not.
     */
    @Test
    void requestsThatReachKmsLate_areNotThrottled() throws Exception {
        moto.strict().settings(StrictAws.Settings.defaults().withWindows(Duration.ZERO, Duration.ZERO));
        try (SdkClients paced = SdkClients.builder()
                .endpoint(moto.endpoint())
                .credentials(MotoServer.sessionCredentials())
                .maxAttempts(1)
                .build()) {
            // A Region no other test of this class paces in: the pacers are process-wide.
            KmsClient kms = paced.kms(Region.CA_CENTRAL_1);
            ExecutorService five = Executors.newFixedThreadPool(5);
            try {
                moto.strict().slow("CreateKey", Duration.ofMillis(300));
                createKeys(kms, five);
                moto.strict().slow("CreateKey", Duration.ZERO);
                createKeys(kms, five);
            } finally {
                five.shutdownNow();
            }
            assertEquals(0, moto.strict().throttled(), moto.strict().counts().toString());
        }
    }

    private static void createKeys(KmsClient kms, ExecutorService pool) throws Exception {
        List<Future<?>> calls = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            calls.add(pool.submit(() -> kms.createKey(b -> b.description("late"))));
        }
        for (Future<?> f : calls) {
            f.get(30, TimeUnit.SECONDS);
        }
    }

    private static ExecutionAttributes started(ControlPlaneQuota quota, String operation) {
        ExecutionAttributes a = attempt(operation);
        quota.beforeTransmission(null, a);
        return a;
    }

    private static void answered(ControlPlaneQuota quota, ExecutionAttributes a) {
        quota.afterTransmission(null, a);
    }

    private static ExecutionAttributes attempt(String operation) {
        return ExecutionAttributes.builder()
                .put(SdkExecutionAttribute.OPERATION_NAME, operation)
                .build();
    }
}
