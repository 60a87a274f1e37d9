package dev.cmek.core;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The toolkit's one way to run calls at once and join them. Every thread is a daemon, so a call still blocked on the
 * network never keeps the process alive after the command is done. A join waits for every task (nothing keeps writing
 * after it returns), then answers the results in task order or rethrows the first failure in task order as it was
 * thrown, the others attached as suppressed. Not the common fork-join pool: these calls block on I/O, and on a two-core
 * machine that pool has one thread.
 *
 * <p>When the operation (a provision, a revocation) a thread works for began travels into every task it starts here,
 * including the stages chained on them: a pacer can serve an older operation's calls first ({@link #began()}).
 */
public final class Parallel implements AutoCloseable {
    private static final ExecutorService CALLS = Executors.newCachedThreadPool(daemons("cmek-call"));
    private static final ThreadLocal<Long> BEGAN = new ThreadLocal<>();

    private final ExecutorService pool;

    /** A pool that grows with the tasks given to it (they may wait for each other). */
    public Parallel(String name) {
        this(name, 0);
    }

    /** At most {@code threads} threads; 0: as many as the tasks need. */
    public Parallel(String name, int threads) {
        pool = threads <= 0
                ? Executors.newCachedThreadPool(daemons(name))
                : Executors.newFixedThreadPool(threads, daemons(name));
    }

    /** Starts {@code task} on this pool, within the current thread's operation. */
    public <T> CompletableFuture<T> async(Supplier<T> task) {
        Long began = BEGAN.get();
        CompletableFuture<T> result = new CompletableFuture<>();
        // Completed inside the operation's scope, so that stages chained on it (thenCompose, thenApply, ...) that run
        // on this thread still know the operation; supplyAsync would complete it after the scope ended.
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

    public CompletableFuture<Void> run(Runnable task) {
        return async(() -> {
            task.run();
            return null;
        });
    }

    /** Runs {@code next} on this pool once {@code first} has completed. */
    public <T, U> CompletableFuture<U> then(CompletableFuture<T> first, Function<T, U> next) {
        return first.thenCompose(value -> async(() -> next.apply(value)));
    }

    /** A call running on a shared daemon thread of its own. */
    public static final class Call<T> {
        private final CompletableFuture<T> future;

        private Call(CompletableFuture<T> future) {
            this.future = future;
        }

        /** Waits for the call; its exception, if it threw one, is rethrown as it was. */
        public T join() {
            return get(future);
        }
    }

    /** Starts {@code call} at once on a thread of its own, within the current thread's operation. */
    public static <T> Call<T> start(Supplier<T> call) {
        Long began = BEGAN.get();
        return new Call<>(CompletableFuture.supplyAsync(() -> within(began, call), CALLS));
    }

    /** Runs every task at once and answers their results in task order (see {@link #joinAll}). */
    public static <T> List<T> all(List<Supplier<T>> tasks) {
        try (Parallel p = new Parallel("cmek-all", tasks.size())) {
            return joinAll(tasks.stream().map(p::async).toList());
        }
    }

    /**
     * Applies {@code task} to every item, at most {@code parallelism} at a time, and answers the results in item order
     * once all are done (see {@link #joinAll}).
     *
     * @param threadName prefix of the worker threads' names, numbered from 1
     */
    public static <T, R> List<R> map(List<T> items, int parallelism, String threadName, Function<T, R> task) {
        if (items.isEmpty()) {
            return List.of();
        }
        try (Parallel p = new Parallel(threadName, Math.max(1, Math.min(parallelism, items.size())))) {
            return joinAll(items.stream().map(i -> p.async(() -> task.apply(i))).toList());
        }
    }

    /** {@link #map} for tasks without a result. */
    public static <T> void forEach(List<T> items, int parallelism, String threadName, Consumer<T> task) {
        map(items, parallelism, threadName, item -> {
            task.accept(item);
            return null;
        });
    }

    /**
     * Waits for every task, then answers the results in task order, or rethrows the first failure in task order with
     * the others suppressed.
     */
    public static <T> List<T> joinAll(List<? extends CompletableFuture<? extends T>> tasks) {
        List<Throwable> failures = new ArrayList<>();
        List<T> out = new ArrayList<>();
        for (CompletableFuture<? extends T> f : tasks) {
            try {
                out.add(await(f));
            } catch (ExecutionException e) {
                Throwable cause = unwrapped(e);
                if (failures.stream().noneMatch(x -> x == cause)) {
                    failures.add(cause);
                }
                out.add(null);
            }
        }
        if (failures.isEmpty()) {
            return out;
        }
        Throwable first = failures.get(0);
        failures.subList(1, failures.size()).forEach(first::addSuppressed);
        throw rethrown(first);
    }

    /** {@link #joinAll} of {@code first} and {@code others}, answering {@code first}'s result. */
    public static <T> T join(CompletableFuture<T> first, List<? extends CompletableFuture<?>> others) {
        List<CompletableFuture<?>> all = new ArrayList<>();
        all.add(first);
        all.addAll(others);
        joinAll(all);
        return get(first);
    }

    /** Waits for one task; its failure is rethrown as it was thrown. */
    public static <T> T get(CompletableFuture<T> task) {
        try {
            return await(task);
        } catch (ExecutionException e) {
            throw rethrown(e.getCause());
        }
    }

    private static <T> T await(CompletableFuture<T> f) throws ExecutionException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            f.cancel(true);
            throw new CancellationException("interrupted while waiting for a parallel call");
        }
    }

    /** The exception a task threw, without the layers the futures wrapped it in. */
    private static Throwable unwrapped(Throwable t) {
        while ((t instanceof ExecutionException || t instanceof CompletionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private static RuntimeException rethrown(Throwable thrown) {
        Throwable t = unwrapped(thrown);
        if (t instanceof RuntimeException re) {
            return re;
        }
        if (t instanceof Error err) {
            throw err;
        }
        return new IllegalStateException("a parallel call failed: " + t, t);
    }

    /**
     * When the operation the current thread works for began ({@link System#nanoTime()}), carried into every task it
     * starts here; null outside one.
     */
    public static Long began() {
        return BEGAN.get();
    }

    /** Runs {@code body} as an operation beginning now, unless the thread already works for one (then it keeps that). */
    public static <T> T operation(Supplier<T> body) {
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

    private static ThreadFactory daemons(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
