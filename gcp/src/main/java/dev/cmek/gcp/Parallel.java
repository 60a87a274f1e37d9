package dev.cmek.gcp;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The module's one way to run work in parallel: a pool for one operation, and a join that waits for every task (so
 * nothing keeps writing after we return) before it rethrows the first failure in task order.
 */
final class Parallel implements AutoCloseable {
    private final ExecutorService pool;

    Parallel(int threads) {
        pool = Executors.newFixedThreadPool(Math.max(1, threads));
    }

    <T> CompletableFuture<T> submit(Supplier<T> task) {
        return CompletableFuture.supplyAsync(task, pool);
    }

    /** Runs {@code next} on this pool once {@code first} has completed. */
    <T, U> CompletableFuture<U> then(CompletableFuture<T> first, java.util.function.Function<T, U> next) {
        return first.thenApplyAsync(next, pool);
    }

    /** Runs every task at once and returns their results in task order. */
    static <T> List<T> all(List<Supplier<List<T>>> tasks) {
        try (Parallel p = new Parallel(tasks.size())) {
            return joinAll(tasks.stream().map(p::submit).toList());
        }
    }

    /** Waits for every future, then returns their results in order or rethrows the first failure. */
    static <T> List<T> joinAll(List<CompletableFuture<List<T>>> futures) {
        CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
                .handle((v, e) -> null)
                .join();
        List<T> out = new ArrayList<>();
        for (CompletableFuture<List<T>> f : futures) {
            try {
                out.addAll(f.join());
            } catch (CompletionException e) {
                throw unwrap(e);
            }
        }
        return out;
    }

    /** The failure a task threw, as it threw it. */
    static RuntimeException unwrap(CompletionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof CompletionException nested) {
            return unwrap(nested);
        }
        if (cause instanceof RuntimeException re) {
            return re;
        }
        if (cause instanceof Error err) {
            throw err;
        }
        return new GcpCmekException(String.valueOf(cause), cause);
    }

    @Override
    public void close() {
        pool.shutdown();
    }
}
