package dev.cmek.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The one parallel-join helper: calls really overlap, failures come back unwrapped with the others suppressed, nothing is
 * left running, and when an operation began travels with its work.
 */
class ParallelTest {

    @Test
    void start_runsCallsAtOnce_andJoinAnswersEachResult() {
        CountDownLatch bothStarted = new CountDownLatch(2);
        Parallel.Call<String> a = Parallel.start(() -> awaitOther(bothStarted, "a"));
        Parallel.Call<String> b = Parallel.start(() -> awaitOther(bothStarted, "b"));

        assertEquals("a", a.join());
        assertEquals("b", b.join());
    }

    @Test
    void join_rethrowsTheCallsOwnException_notAWrapper() {
        IllegalStateException thrown = new IllegalStateException("cluster x does not use CMEK");

        Parallel.Call<String> call = Parallel.start(() -> {
            throw thrown;
        });

        assertSame(thrown, assertThrows(IllegalStateException.class, call::join));
    }

    @Test
    void map_keepsItemOrder_andRunsAtMostParallelismAtOnce() {
        AtomicInteger running = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        Set<String> threads = ConcurrentHashMap.newKeySet();

        List<Integer> squares = Parallel.map(List.of(1, 2, 3, 4, 5, 6, 7, 8), 3, "test-pool", i -> {
            most.accumulateAndGet(running.incrementAndGet(), Math::max);
            threads.add(Thread.currentThread().getName());
            sleep(30);
            running.decrementAndGet();
            return i * i;
        });

        assertEquals(List.of(1, 4, 9, 16, 25, 36, 49, 64), squares);
        assertEquals(3, most.get(), "three at once, never more");
        assertTrue(threads.stream().allMatch(t -> t.startsWith("test-pool-")), threads.toString());
    }

    @Test
    void map_whenSomeFail_finishesTheOthers_andThrowsTheFirstFailureInItemOrder() {
        AtomicInteger finished = new AtomicInteger();
        IllegalStateException second = new IllegalStateException("item 2");

        IllegalStateException e = assertThrows(
                IllegalStateException.class,
                () -> Parallel.forEach(List.of(1, 2, 3, 4), 4, "test-pool", i -> {
                    if (i == 4) {
                        throw new IllegalStateException("item 4");
                    }
                    if (i == 2) {
                        sleep(50); // fails later in time than item 4, but earlier in order
                        throw second;
                    }
                    finished.incrementAndGet();
                }));

        assertSame(second, e);
        assertEquals(2, finished.get(), "items 1 and 3 ran to their end");
        assertEquals(1, e.getSuppressed().length, "item 4's failure is kept as suppressed");
        assertEquals("item 4", e.getSuppressed()[0].getMessage());
    }

    @Test
    void joinAll_waitsForEveryTask_evenWhenTheFirstFails() {
        AtomicInteger finished = new AtomicInteger();
        try (Parallel parallel = new Parallel("test-pool")) {
            CompletableFuture<Object> failing = parallel.async(() -> {
                throw new IllegalStateException("first");
            });
            CompletableFuture<Object> slow = parallel.async(() -> {
                sleep(100);
                finished.incrementAndGet();
                return null;
            });

            assertThrows(IllegalStateException.class, () -> Parallel.joinAll(List.of(failing, slow)));
            assertEquals(1, finished.get(), "the join returned only once the slow task had finished");
        }
    }

    @Test
    void aFailureInAChainedStage_isRethrownAsItWasThrown() {
        IllegalArgumentException thrown = new IllegalArgumentException("in a later stage");
        try (Parallel parallel = new Parallel("test-pool")) {
            CompletableFuture<String> chained = parallel.async(() -> "x")
                    .thenCompose(x -> parallel.async(() -> {
                        throw thrown;
                    }));

            assertSame(thrown, assertThrows(IllegalArgumentException.class, () -> Parallel.get(chained)));
        }
    }

    @Test
    void anOperationsStart_reachesItsTasks_andTheStagesChainedOnThem() {
        try (Parallel parallel = new Parallel("test-pool")) {
            Long[] seen = Parallel.operation(() -> {
                Long began = Parallel.began();
                CompletableFuture<String> slow = parallel.async(() -> {
                    sleep(50);
                    return "done";
                });
                // Chained before the task ends: it runs on the task's thread when the task completes.
                CompletableFuture<Long> composed = slow.thenCompose(x -> parallel.async(Parallel::began));
                CompletableFuture<Long> applied = slow.thenApply(x -> Parallel.began());
                Long started = Parallel.start(Parallel::began).join();
                return new Long[] {began, within10s(composed), within10s(applied), started};
            });
            assertNotNull(seen[0]);
            assertEquals(seen[0], seen[1], "thenCompose(async)");
            assertEquals(seen[0], seen[2], "thenApply");
            assertEquals(seen[0], seen[3], "start");
            // Outside any operation, the pool's threads carry none.
            assertNull(within10s(parallel.async(Parallel::began)));
            assertNull(Parallel.began());
        }
    }

    private static <T> T within10s(CompletableFuture<T> f) {
        return f.orTimeout(10, TimeUnit.SECONDS).join();
    }

    @Test
    void threads_areDaemons_soAStuckCallCannotKeepTheProcessAlive() {
        assertTrue(Parallel.start(() -> Thread.currentThread().isDaemon()).join());
        assertEquals(
                List.of(true),
                Parallel.map(
                        List.of(1), 1, "test-pool", i -> Thread.currentThread().isDaemon()));
    }

    private static String awaitOther(CountDownLatch bothStarted, String result) {
        bothStarted.countDown();
        try {
            if (!bothStarted.await(5, TimeUnit.SECONDS)) {
                throw new AssertionError("the other call never started: the calls ran one after the other");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        return result;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
