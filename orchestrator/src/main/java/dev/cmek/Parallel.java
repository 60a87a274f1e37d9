package dev.cmek;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The orchestrator's one way to run independent calls at once and join them: a failure surfaces as the exception the
 * call threw (never wrapped in an {@link ExecutionException}), and every thread is a daemon, so a call still blocked on
 * the network never keeps the process alive after the command is done. Not the common fork-join pool: these calls
 * block on I/O, and on a two-core machine that pool has a single thread.
 */
public final class Parallel {
    private static final ExecutorService CALLS = Executors.newCachedThreadPool(daemons("cmek-call"));

    private Parallel() {}

    /** A call running on its own thread. */
    public static final class Call<T> {
        private final Future<T> future;

        private Call(Future<T> future) {
            this.future = future;
        }

        /** Waits for the call; its exception, if it threw one, is rethrown as it was. */
        public T join() {
            try {
                return future.get();
            } catch (ExecutionException e) {
                throw unwrapped(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                future.cancel(true);
                throw new CmekException(ExitCode.INTERNAL, "interrupted while waiting for a parallel call");
            }
        }
    }

    /** Starts {@code call} at once on a thread of its own. */
    public static <T> Call<T> start(Supplier<T> call) {
        return new Call<>(CALLS.submit(call::get));
    }

    /**
     * Applies {@code task} to every item, at most {@code parallelism} at a time, and answers the results in item order
     * once all are done. When some fail, the others still run to their end, and the first failure in item order is
     * rethrown as it was.
     *
     * @param threadName prefix of the worker threads' names, numbered from 1
     */
    public static <T, R> List<R> map(List<T> items, int parallelism, String threadName, Function<T, R> task) {
        if (items.isEmpty()) {
            return List.of();
        }
        ExecutorService pool =
                Executors.newFixedThreadPool(Math.max(1, Math.min(parallelism, items.size())), daemons(threadName));
        try {
            List<Call<R>> calls = new ArrayList<>();
            for (T item : items) {
                calls.add(new Call<>(pool.submit(() -> task.apply(item))));
            }
            List<R> results = new ArrayList<>();
            RuntimeException first = null;
            for (Call<R> call : calls) {
                try {
                    results.add(call.join());
                } catch (RuntimeException e) {
                    first = first == null ? e : first;
                    results.add(null);
                }
            }
            if (first != null) {
                throw first;
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    /** {@link #map} for tasks without a result. */
    public static <T> void forEach(List<T> items, int parallelism, String threadName, Consumer<T> task) {
        map(items, parallelism, threadName, item -> {
            task.accept(item);
            return null;
        });
    }

    private static RuntimeException unwrapped(ExecutionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof RuntimeException runtime) {
            return runtime;
        }
        if (cause instanceof Error error) {
            throw error;
        }
        return new CmekException(ExitCode.INTERNAL, "parallel call failed: " + cause, cause);
    }

    private static ThreadFactory daemons(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
