package dev.cmek.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * When an operation began travels with its work, including the stages chained on a task (the KMS pacer serves the
 * older operation's calls first: {@link ControlPlaneQuota}), and stays off the pool's threads afterwards.
 */
class ParallelTest {
    @Test
    void anOperationsStart_reachesItsTasks_andTheStagesChainedOnThem() {
        try (Parallel parallel = new Parallel()) {
            Long[] seen = Parallel.operation(() -> {
                Long began = Parallel.began();
                CompletableFuture<String> slow = parallel.async(() -> {
                    Pause.millis(50);
                    return "done";
                });
                // Chained before the task ends: it runs on the task's thread when the task completes.
                CompletableFuture<Long> composed = slow.thenCompose(x -> parallel.async(Parallel::began));
                CompletableFuture<Long> applied = slow.thenApply(x -> Parallel.began());
                return new Long[] {began, within10s(composed), within10s(applied)};
            });
            assertNotNull(seen[0]);
            assertEquals(seen[0], seen[1], "thenCompose(async)");
            assertEquals(seen[0], seen[2], "thenApply");
            // Outside any operation, the pool's threads carry none.
            assertNull(within10s(parallel.async(Parallel::began)));
            assertNull(Parallel.began());
        }
    }

    private static <T> T within10s(CompletableFuture<T> f) {
        return f.orTimeout(10, TimeUnit.SECONDS).join();
    }
}
