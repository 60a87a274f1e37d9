package dev.cmek.workflow;

import dev.cmek.CmekException;
import dev.cmek.ExitCode;
import dev.cmek.api.CloudApi;
import dev.cmek.api.CmekWaiter;
import dev.cmek.core.Parallel;
import dev.cmek.model.Manifest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Enables CMEK on many clusters at once through one {@link CloudApi} (so one rate limit). Workers
 * ({@link FleetSubmitter}) submit each cluster without waiting; a single {@link FleetPoller} then watches every
 * submitted cluster, soonest-due first, so N clusters waiting cost about one poll each rather than N waiters racing
 * for the same ten requests a second. A failure is recorded for its cluster; the others go on.
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
            String clusterId, Outcome outcome, ExitCode exitCode, String message, Duration elapsed) {

        static ClusterResult failed(String clusterId, ExitCode code, String message, long startNanos) {
            return new ClusterResult(clusterId, Outcome.FAILED, code, message, since(startNanos));
        }

        static Duration since(long startNanos) {
            return Duration.ofNanos(System.nanoTime() - startNanos);
        }
    }

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
     * @param schedule when each cluster is polled after its submission, and its start grace
     * @param pollGap while workers are still submitting, the least time between two polls, so that polls take at most
     *     about {@code 1 / pollGap} of the rate limit and submissions keep going
     */
    public record Options(
            int parallel,
            Duration timeout,
            CmekWaiter.Schedule schedule,
            Duration pollGap,
            boolean allowCrossRegionKeys) {
        public Options {
            if (parallel < 1) {
                throw new CmekException.InvalidInput("--parallel must be at least 1 (got " + parallel + ")");
            }
        }

        public Options(int parallel, Duration timeout, CmekWaiter.Schedule schedule, Duration pollGap) {
            this(parallel, timeout, schedule, pollGap, false);
        }

        /** These options, with AWS keys of another region allowed or not ({@link dev.cmek.model.ClusterFit}). */
        public Options allowingCrossRegionKeys(boolean allow) {
            return new Options(parallel, timeout, schedule, pollGap, allow);
        }

        /** First poll 1 s after a cluster's submission, growing by half up to 5 s; at most one poll per 250 ms meanwhile. */
        public static Options standard(int parallel, Duration timeout) {
            return new Options(
                    parallel,
                    timeout,
                    new CmekWaiter.Schedule(Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(10)),
                    Duration.ofMillis(250));
        }
    }

    /**
     * Where an entry's key specs come from, and what enable is to do with them ({@link CmekLifecycle#decideEnable}, or
     * {@link Provisioning#provisionForEnable}, which checks before it makes keys); runs on a worker thread.
     */
    public interface Source {
        CmekLifecycle.Decision decide(FleetFile.Entry entry, CmekLifecycle lifecycle);
    }

    private final CloudApi api;
    private final Source source;
    private final Options options;
    private final Consumer<ClusterResult> finished;

    /**
     * @param manifests the manifest for an entry; runs on a worker thread
     * @param finished called once per cluster as soon as it is done (from any thread, one call at a time)
     */
    public Fleet(
            CloudApi api,
            Function<FleetFile.Entry, Manifest> manifests,
            Options options,
            Consumer<ClusterResult> finished) {
        this(
                api,
                (entry, lifecycle) -> lifecycle.decideEnable(entry.clusterId(), manifests.apply(entry)),
                options,
                finished);
    }

    /**
     * @param source each entry's key specs and what enable is to do with them (e.g. {@link FleetManifests})
     * @param finished called once per cluster as soon as it is done (from any thread, one call at a time)
     */
    public Fleet(CloudApi api, Source source, Options options, Consumer<ClusterResult> finished) {
        this.api = Objects.requireNonNull(api);
        this.source = Objects.requireNonNull(source);
        this.options = Objects.requireNonNull(options);
        this.finished = Objects.requireNonNull(finished);
    }

    /** Runs every entry, except those in {@code skip} (reported SKIPPED without a request); returns once all are done. */
    public Result run(List<FleetFile.Entry> entries, Set<String> skip) {
        long start = System.nanoTime();
        Map<String, ClusterResult> results = new LinkedHashMap<>();
        FleetPoller poller = new FleetPoller(api, options, result -> {
            results.put(result.clusterId(), result);
            finished.accept(result);
        });
        List<FleetFile.Entry> toSubmit = new ArrayList<>();
        for (FleetFile.Entry entry : entries) {
            if (skip.contains(entry.clusterId())) {
                poller.finish(new ClusterResult(
                        entry.clusterId(),
                        Outcome.SKIPPED,
                        ExitCode.OK,
                        "recorded as enabled by an earlier run",
                        Duration.ZERO));
            } else {
                toSubmit.add(entry);
            }
        }
        poller.expect(toSubmit.size());
        Parallel.Call<Void> polling = Parallel.start(() -> {
            poller.loop();
            return null;
        });
        FleetSubmitter submitter = new FleetSubmitter(api, source, poller, options.allowCrossRegionKeys());
        Parallel.forEach(toSubmit, options.parallel(), "cmek-fleet", submitter::submit);
        polling.join();
        List<ClusterResult> ordered = new ArrayList<>();
        synchronized (poller) {
            entries.forEach(e -> ordered.add(results.get(e.clusterId())));
        }
        return new Result(ordered, summarize(ordered), ClusterResult.since(start));
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
}
