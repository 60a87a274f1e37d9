package dev.cmek.aws;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The module's one way to run work in parallel and join it: role and regions at once. Tasks wait for each other (a
 * region waits for the role), so the pool grows with them: a handful of threads per region, never one per key (a
 * scan over many keys gets its own bounded pool). A join waits for every task, then rethrows the first failure with
 * the others suppressed.
 */
final class Parallel implements AutoCloseable {
    private final ExecutorService pool;

    /** A pool that grows with the tasks given to it (they may wait for each other). */
    Parallel() {
        this(0, "aws-cmek");
    }

    /** At most {@code threads} threads (0: as many as tasks need). */
    Parallel(int threads, String name) {
        AtomicInteger n = new AtomicInteger();
        ThreadFactory daemons = r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        this.pool =
                threads == 0 ? Executors.newCachedThreadPool(daemons) : Executors.newFixedThreadPool(threads, daemons);
    }

    <T> CompletableFuture<T> async(Supplier<T> task) {
        Long began = BEGAN.get();
        CompletableFuture<T> result = new CompletableFuture<>();
        // Completed inside the operation's scope, so that the stages chained on it (thenCompose, thenApply, ...) that
        // run on this thread still know the operation; supplyAsync would complete it after the scope ended.
        pool.execute(() -> within(began, () -> {
            try {
                result.complete(task.get());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
            return null;
        }));
        return result;
    }

    CompletableFuture<Void> run(Runnable task) {
        return async(() -> {
            task.run();
            return null;
        });
    }

    /**
     * When the operation (a provision, a revocation) the current thread works for began, carried into every task it
     * starts here: the KMS pacer serves an older operation's calls first ({@link ControlPlaneQuota}), so that a fleet's
     * clusters finish one batch after another instead of all at the end.
     */
    private static final ThreadLocal<Long> BEGAN = new ThreadLocal<>();

    /** When the current thread's operation began; null outside one. */
    static Long began() {
        return BEGAN.get();
    }

    /** Runs {@code body} as an operation beginning now, unless the thread already works for one (then it keeps that). */
    static <T> T operation(Supplier<T> body) {
        return BEGAN.get() != null ? body.get() : within(System.nanoTime(), body);
    }

    private static <T> T within(Long began, Supplier<T> body) {
        Long outer = BEGAN.get();
        if (began == null) {
            BEGAN.remove();
        } else {
            BEGAN.set(began);
        }
        try {
            return body.get();
        } finally {
            if (outer == null) {
                BEGAN.remove();
            } else {
                BEGAN.set(outer);
            }
        }
    }

    /** Waits for every task, then returns the results in order or rethrows the first failure (others suppressed). */
    static <T> List<T> joinAll(List<? extends CompletableFuture<? extends T>> tasks) {
        List<Throwable> failures = new ArrayList<>();
        List<T> out = new ArrayList<>();
        for (CompletableFuture<? extends T> f : tasks) {
            try {
                out.add(f.join());
            } catch (CompletionException e) {
                Throwable cause = e.getCause();
                if (failures.stream().noneMatch(x -> x == cause)) {
                    failures.add(cause);
                }
            }
        }
        if (failures.isEmpty()) {
            return out;
        }
        Throwable first = failures.get(0);
        failures.subList(1, failures.size()).forEach(first::addSuppressed);
        if (first instanceof RuntimeException re) {
            throw re;
        }
        if (first instanceof Error err) {
            throw err;
        }
        throw new AwsCmekException(first.toString(), first);
    }

    /** {@link #joinAll} of {@code first} and {@code others}, answering {@code first}'s result. */
    static <T> T join(CompletableFuture<T> first, List<? extends CompletableFuture<?>> others) {
        List<CompletableFuture<?>> all = new ArrayList<>();
        all.add(first);
        all.addAll(others);
        joinAll(all);
        return first.join();
    }

    /** The result of a task already known to have finished (or that must be waited for), with its failure unwrapped. */
    static <T> T get(CompletableFuture<T> task) {
        return joinAll(List.of(task)).get(0);
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
