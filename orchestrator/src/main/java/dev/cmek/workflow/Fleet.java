package dev.cmek.workflow;

import dev.cmek.CmekException;
import dev.cmek.ExitCode;
import dev.cmek.api.CloudApi;
import dev.cmek.api.CmekClusterInfo;
import dev.cmek.api.CmekStatus;
import dev.cmek.api.CmekWaiter;
import dev.cmek.model.Manifest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Enables CMEK on many clusters at once through one {@link CloudApi} (so one rate limit). Workers submit (read the
 * cluster and its CMEK status, then POST enable, or nothing when already enabled with these keys); a single poller
 * then watches every submitted cluster, soonest-due first, so N clusters waiting cost about one poll each rather
 * than N waiters racing for the same ten requests a second. A failure is recorded for its cluster; the others go on.
 */
public final class Fleet {

    /** What happened to one cluster. */
    public enum Outcome {
        ENABLED,
        ALREADY_ENABLED,
        SKIPPED,
        FAILED;

        public boolean succeeded() {
            return this != FAILED;
        }
    }

    /** One cluster's result; {@code exitCode} is 0 unless {@code outcome} is FAILED. */
    public record ClusterResult(
            String clusterId, Outcome outcome, ExitCode exitCode, String message, Duration elapsed) {}

    /** Counts of each outcome. */
    public record Summary(int total, int enabled, int alreadyEnabled, int skipped, int failed) {}

    /** Every cluster's result in fleet-file order, and the counts. */
    public record Result(List<ClusterResult> clusters, Summary summary, Duration elapsed) {
        /** 0 when every cluster succeeded; otherwise the exit code of the first failed cluster in fleet-file order. */
        public ExitCode exitCode() {
            return clusters.stream()
                    .filter(c -> c.outcome() == Outcome.FAILED)
                    .map(ClusterResult::exitCode)
                    .findFirst()
                    .orElse(ExitCode.OK);
        }
    }

    /**
     * @param parallel workers submitting at once (each holds at most one request in flight)
     * @param timeout how long one cluster may take to reach ENABLED after its submission
     * @param firstPoll pause between a cluster's submission and its first status poll
     * @param maxPoll the longest pause between two polls of one cluster
     * @param pollGap while workers are still submitting, the least time between two polls, so that polls take at most
     *     about {@code 1 / pollGap} of the rate limit and submissions keep going
     */
    public record Options(int parallel, Duration timeout, Duration firstPoll, Duration maxPoll, Duration pollGap) {
        public Options {
            if (parallel < 1) {
                throw new CmekException.InvalidInput("--parallel must be at least 1 (got " + parallel + ")");
            }
        }

        public static Options standard(int parallel, Duration timeout) {
            return new Options(parallel, timeout, Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofMillis(250));
        }
    }

    private final CloudApi api;
    private final Function<FleetFile.Entry, Manifest> manifests;
    private final Options options;
    private final Consumer<ClusterResult> finished;

    /**
     * @param manifests the manifest for an entry: read from its file, or provisioned; runs on a worker thread
     * @param finished called once per cluster as soon as it is done (from any thread, one call at a time)
     */
    public Fleet(
            CloudApi api,
            Function<FleetFile.Entry, Manifest> manifests,
            Options options,
            Consumer<ClusterResult> finished) {
        this.api = Objects.requireNonNull(api);
        this.manifests = Objects.requireNonNull(manifests);
        this.options = Objects.requireNonNull(options);
        this.finished = Objects.requireNonNull(finished);
    }

    /**
     * The usual manifest source: the entry's manifest file, or keys provisioned through {@code provisioning} (one
     * instance for the whole fleet, so the organization is read once) with the manifest written to
     * {@code cmek_config-ID.json} in {@code provisionedDir}. Provisioning that is blocked fails that cluster (exit 3, from
     * {@link Provisioning#provision}).
     */
    public static Function<FleetFile.Entry, Manifest> manifests(
            Optional<Provisioning> provisioning, java.nio.file.Path provisionedDir) {
        return entry -> {
            if (entry.manifest().isPresent()) {
                return dev.cmek.model.ManifestCodec.read(entry.manifest().get());
            }
            Provisioning p = provisioning.orElseThrow(
                    () -> new IllegalStateException("no provisioning for " + entry.clusterId()));
            ClusterTarget target = p.target(entry.clusterId());
            CloudKeys.ProvisionReport done = p.provision(target, Optional.empty());
            Manifest manifest = done.manifest()
                    .orElseThrow(() -> new IllegalStateException("provisioning returned a region without a key"));
            dev.cmek.model.ManifestCodec.write(
                    provisionedDir.resolve("cmek_config-" + entry.clusterId() + ".json"), manifest);
            return manifest;
        };
    }

    /** Runs every entry, except those in {@code skip} (reported SKIPPED without a request); returns once all are done. */
    public Result run(List<FleetFile.Entry> entries, Set<String> skip) {
        long start = System.nanoTime();
        Map<String, ClusterResult> results = new LinkedHashMap<>();
        Poller poller = new Poller(results);
        // The waiter is never used: workers submit without waiting and the poller does the waiting.
        CmekLifecycle lifecycle =
                new CmekLifecycle(api, new CmekWaiter(api, CmekWaiter.Schedule.standard(), line -> {}));
        ExecutorService workers = Executors.newFixedThreadPool(
                Math.min(options.parallel(), Math.max(1, entries.size())), daemonThreads());
        try {
            for (FleetFile.Entry entry : entries) {
                if (skip.contains(entry.clusterId())) {
                    poller.finish(new ClusterResult(
                            entry.clusterId(),
                            Outcome.SKIPPED,
                            ExitCode.OK,
                            "recorded as enabled by an earlier run",
                            Duration.ZERO));
                    continue;
                }
                poller.submitting.incrementAndGet();
                workers.execute(() -> submit(lifecycle, poller, entry));
            }
            poller.loop();
        } finally {
            workers.shutdownNow();
        }
        List<ClusterResult> ordered = new ArrayList<>();
        synchronized (poller) {
            entries.forEach(e -> ordered.add(results.get(e.clusterId())));
        }
        return new Result(ordered, summarize(ordered), Duration.ofNanos(System.nanoTime() - start));
    }

    private void submit(CmekLifecycle lifecycle, Poller poller, FleetFile.Entry entry) {
        long start = System.nanoTime();
        try {
            Manifest manifest = manifests.apply(entry);
            CmekLifecycle.Outcome outcome = lifecycle.enable(entry.clusterId(), manifest, Optional.empty());
            if (outcome.action() == CmekLifecycle.Action.ALREADY_ENABLED) {
                poller.finish(new ClusterResult(
                        entry.clusterId(),
                        Outcome.ALREADY_ENABLED,
                        ExitCode.OK,
                        CmekWaiter.describe(outcome.status()),
                        since(start)));
            } else {
                poller.watch(new Watch(entry.clusterId(), start, System.nanoTime()));
            }
        } catch (CmekException e) {
            poller.finish(failed(entry.clusterId(), e.exitCode(), e.getMessage(), start));
        } catch (RuntimeException e) {
            // A bug in one cluster's path must not take the fleet down; it is reported as an internal error.
            poller.finish(failed(entry.clusterId(), ExitCode.INTERNAL, "internal error: " + e, start));
        } finally {
            poller.submitted();
        }
    }

    private static ClusterResult failed(String clusterId, ExitCode code, String message, long start) {
        return new ClusterResult(clusterId, Outcome.FAILED, code, message, since(start));
    }

    private static Duration since(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }

    private static Summary summarize(List<ClusterResult> results) {
        int[] counts = new int[Outcome.values().length];
        results.forEach(r -> counts[r.outcome().ordinal()]++);
        return new Summary(
                results.size(),
                counts[Outcome.ENABLED.ordinal()],
                counts[Outcome.ALREADY_ENABLED.ordinal()],
                counts[Outcome.SKIPPED.ordinal()],
                counts[Outcome.FAILED.ordinal()]);
    }

    private static ThreadFactory daemonThreads() {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "cmek-fleet-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** A submitted cluster waiting for ENABLED. */
    private static final class Watch {
        final String clusterId;
        final long start;
        final long submitted;
        long pause;
        long due;

        Watch(String clusterId, long start, long submitted) {
            this.clusterId = clusterId;
            this.start = start;
            this.submitted = submitted;
        }
    }

    /** The one thread that polls every submitted cluster, soonest-due first, and collects results. */
    private final class Poller {
        private final Map<String, ClusterResult> results;
        private final PriorityQueue<Watch> due = new PriorityQueue<>(Comparator.comparingLong(w -> w.due));
        final AtomicInteger submitting = new AtomicInteger();

        Poller(Map<String, ClusterResult> results) {
            this.results = results;
        }

        synchronized void watch(Watch w) {
            w.pause = options.firstPoll().toNanos();
            w.due = w.submitted + w.pause;
            due.add(w);
            notifyAll();
        }

        synchronized void submitted() {
            submitting.decrementAndGet();
            notifyAll();
        }

        synchronized void finish(ClusterResult result) {
            results.put(result.clusterId(), result);
            finished.accept(result);
        }

        /** Polls until nothing is being submitted and nothing is pending. */
        void loop() {
            while (true) {
                Watch next = takeDue();
                if (next == null) {
                    return;
                }
                poll(next);
                if (submitting.get() > 0) {
                    sleep(options.pollGap());
                }
            }
        }

        private synchronized Watch takeDue() {
            try {
                while (true) {
                    if (due.isEmpty()) {
                        if (submitting.get() == 0) {
                            return null;
                        }
                        wait(1000);
                        continue;
                    }
                    long wait = due.peek().due - System.nanoTime();
                    if (wait <= 0) {
                        return due.poll();
                    }
                    wait(Math.max(1, wait / 1_000_000));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CmekException(ExitCode.INTERNAL, "interrupted while waiting for the fleet");
            }
        }

        private void poll(Watch w) {
            CmekClusterInfo info;
            try {
                info = api.cmekStatus(w.clusterId);
            } catch (CmekException e) {
                finish(failed(w.clusterId, e.exitCode(), e.getMessage(), w.start));
                return;
            } catch (RuntimeException e) {
                finish(failed(w.clusterId, ExitCode.INTERNAL, "internal error: " + e, w.start));
                return;
            }
            Optional<String> failure = CmekWaiter.failure(w.clusterId, info);
            if (failure.isPresent()) {
                finish(failed(w.clusterId, ExitCode.OPERATION_FAILED, failure.get(), w.start));
                return;
            }
            if (CmekWaiter.done(info, CmekStatus.ENABLED)) {
                finish(new ClusterResult(
                        w.clusterId, Outcome.ENABLED, ExitCode.OK, CmekWaiter.describe(info), since(w.start)));
                return;
            }
            long waited = System.nanoTime() - w.submitted;
            boolean settledElsewhere = info.status().isSettled()
                    && info.status() != CmekStatus.ENABLED
                    && info.regionInfos().stream().allMatch(r -> r.status().isSettled());
            if (settledElsewhere
                    && waited > CmekWaiter.Schedule.standard().startGrace().toNanos()) {
                finish(failed(
                        w.clusterId,
                        ExitCode.OPERATION_FAILED,
                        "cluster " + w.clusterId + " settled as " + info.status() + ", expected ENABLED",
                        w.start));
                return;
            }
            if (waited >= options.timeout().toNanos()) {
                finish(failed(
                        w.clusterId,
                        ExitCode.TIMEOUT,
                        "cluster " + w.clusterId + " did not reach ENABLED within "
                                + dev.cmek.Durations.format(options.timeout()) + " (now: " + CmekWaiter.describe(info)
                                + "); the operation may still complete: check with `cmek status`",
                        w.start));
                return;
            }
            w.pause = Math.min(options.maxPoll().toNanos(), w.pause + w.pause / 2);
            synchronized (this) {
                w.due = System.nanoTime() + w.pause;
                due.add(w);
            }
        }
    }

    private static void sleep(Duration pause) {
        try {
            Thread.sleep(pause.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CmekException(ExitCode.INTERNAL, "interrupted while waiting for the fleet");
        }
    }
}
