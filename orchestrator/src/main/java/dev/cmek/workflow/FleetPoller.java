package dev.cmek.workflow;

import dev.cmek.CmekException;
import dev.cmek.ExitCode;
import dev.cmek.api.CloudApi;
import dev.cmek.api.CmekClusterInfo;
import dev.cmek.api.CmekStatus;
import dev.cmek.api.CmekWait;
import java.time.Duration;
import java.util.Comparator;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.function.Consumer;

/**
 * The one thread that waits for every submitted cluster of a fleet: one {@link CmekWait} per cluster (the same
 * schedule and verdicts as a single {@code cmek enable}), polled soonest-due first with one {@code GET .../cmek} each,
 * and at most one poll per {@link Fleet.Options#pollGap()} while workers are still submitting. Collects every
 * cluster's result, one at a time.
 */
final class FleetPoller {
    private record Watch(CmekWait cmek, long start) {}

    private final CloudApi api;
    private final Fleet.Options options;
    private final Consumer<Fleet.ClusterResult> results;
    private final PriorityQueue<Watch> due =
            new PriorityQueue<>(Comparator.comparingLong(w -> w.cmek().dueNanos()));
    private int submitting;

    /** @param results receives each cluster's result once, one call at a time */
    FleetPoller(CloudApi api, Fleet.Options options, Consumer<Fleet.ClusterResult> results) {
        this.api = api;
        this.options = options;
        this.results = results;
    }

    /** How many submissions are coming; {@link #loop()} returns only after each has been {@link #submitted()}. */
    synchronized void expect(int submissions) {
        submitting += submissions;
    }

    /** A cluster whose enable was accepted just now, to be polled until ENABLED. */
    synchronized void watch(String clusterId, long startNanos) {
        due.add(new Watch(
                new CmekWait(clusterId, CmekStatus.ENABLED, options.schedule(), options.timeout(), line -> {}),
                startNanos));
        notifyAll();
    }

    synchronized void submitted() {
        submitting--;
        notifyAll();
    }

    synchronized void finish(Fleet.ClusterResult result) {
        results.accept(result);
    }

    /** Polls until nothing is being submitted and nothing is pending. */
    void loop() {
        while (true) {
            Watch next = takeDue();
            if (next == null) {
                return;
            }
            poll(next);
            if (stillSubmitting()) {
                sleep(options.pollGap());
            }
        }
    }

    private synchronized boolean stillSubmitting() {
        return submitting > 0;
    }

    private synchronized Watch takeDue() {
        try {
            while (true) {
                if (due.isEmpty()) {
                    if (submitting == 0) {
                        return null;
                    }
                    wait(1000);
                    continue;
                }
                long wait = due.peek().cmek().dueNanos() - System.nanoTime();
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
        String clusterId = w.cmek().clusterId();
        Optional<CmekClusterInfo> enabled;
        try {
            enabled = w.cmek().judge(api.cmekStatus(clusterId));
        } catch (CmekException e) {
            finish(Fleet.ClusterResult.failed(clusterId, e.exitCode(), e.getMessage(), w.start()));
            return;
        } catch (RuntimeException e) {
            finish(Fleet.ClusterResult.failed(clusterId, ExitCode.INTERNAL, "internal error: " + e, w.start()));
            return;
        }
        if (enabled.isPresent()) {
            finish(new Fleet.ClusterResult(
                    clusterId,
                    Fleet.Outcome.ENABLED,
                    ExitCode.OK,
                    CmekWait.describe(enabled.get()),
                    Fleet.ClusterResult.since(w.start())));
            return;
        }
        synchronized (this) {
            due.add(w);
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
