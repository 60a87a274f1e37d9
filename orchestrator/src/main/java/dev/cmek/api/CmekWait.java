package dev.cmek.api;

import dev.cmek.CmekException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * One cluster's wait for its CMEK status to settle as expected: when to poll next (first after
 * {@link CmekWaiter.Schedule#first()}, then half as long again each time up to {@link CmekWaiter.Schedule#max()}), the
 * verdict on each status read (done; failed at once on any {@code *_FAILED}; failed when settled as something else
 * after the start grace; timed out), and a progress line whenever the status changes and every 10 s. It never polls
 * itself: {@link CmekWaiter} drives one from its own thread, the fleet's poller drives many from one thread.
 */
public final class CmekWait {
    private static final Duration HEARTBEAT = Duration.ofSeconds(10);

    private final String clusterId;
    private final CmekStatus expected;
    private final CmekWaiter.Schedule schedule;
    private final Duration timeout;
    private final Consumer<String> progress;
    private final long start;
    private Duration pause;
    private long due;
    private String lastLine = "";
    private long lastPrint;

    /** Starts the wait now: the request that started the operation has just been answered. */
    public CmekWait(
            String clusterId,
            CmekStatus expected,
            CmekWaiter.Schedule schedule,
            Duration timeout,
            Consumer<String> progress) {
        this.clusterId = Objects.requireNonNull(clusterId);
        this.expected = Objects.requireNonNull(expected);
        this.schedule = Objects.requireNonNull(schedule);
        this.timeout = Objects.requireNonNull(timeout);
        this.progress = Objects.requireNonNull(progress);
        this.start = System.nanoTime();
        this.lastPrint = start;
        this.pause = schedule.first();
        this.due = start + pause.toNanos();
    }

    public String clusterId() {
        return clusterId;
    }

    /** When the next poll is due, on {@link System#nanoTime()}'s clock. */
    public long dueNanos() {
        return due;
    }

    /**
     * Judges one status read: the answer when the cluster and every region are {@code expected}; empty to poll again
     * at {@link #dueNanos()}.
     *
     * @throws CmekException.OperationFailed when any region or the cluster reports {@code *_FAILED}, or everything
     *     settled as something else after the start grace
     * @throws CmekException.Timeout when the timeout has passed
     */
    public Optional<CmekClusterInfo> judge(CmekClusterInfo info) {
        long now = System.nanoTime();
        Duration elapsed = Duration.ofNanos(now - start);
        String line = describe(info);
        if (!line.equals(lastLine) || now - lastPrint > HEARTBEAT.toNanos()) {
            progress.accept(String.format("[%5.1fs] %s", elapsed.toMillis() / 1000.0, line));
            lastLine = line;
            lastPrint = now;
        }
        Optional<String> failure = failure(clusterId, info);
        if (failure.isPresent()) {
            throw new CmekException.OperationFailed(failure.get());
        }
        if (done(info)) {
            return Optional.of(info);
        }
        boolean settledElsewhere = info.status().isSettled()
                && info.status() != expected
                && info.regionInfos().stream().allMatch(r -> r.status().isSettled());
        if (settledElsewhere && elapsed.compareTo(schedule.startGrace()) > 0) {
            throw new CmekException.OperationFailed(
                    "cluster " + clusterId + " settled as " + info.status() + ", expected " + expected);
        }
        if (elapsed.compareTo(timeout) >= 0) {
            throw new CmekException.Timeout("cluster " + clusterId + " did not reach " + expected + " within "
                    + dev.cmek.Durations.format(timeout) + " (now: " + line
                    + "); the operation may still complete: check with `cmek status --cluster " + clusterId + "`");
        }
        pause = schedule.polls().next(pause);
        due = System.nanoTime() + pause.toNanos();
        return Optional.empty();
    }

    /** {@code ENABLING: us-east-1 ENABLED, us-west-2 ENABLING}. */
    public static String describe(CmekClusterInfo info) {
        return info.status() + ": "
                + info.regionInfos().stream()
                        .map(r -> r.region() + " " + r.status())
                        .collect(Collectors.joining(", "));
    }

    private boolean done(CmekClusterInfo info) {
        return info.status() == expected && info.regionInfos().stream().allMatch(r -> r.status() == expected);
    }

    /** The first {@code *_FAILED} region (with CockroachDB's message) or cluster status, if any. */
    private static Optional<String> failure(String clusterId, CmekClusterInfo info) {
        for (CmekClusterInfo.RegionInfo region : info.regionInfos()) {
            if (region.status().isFailed()) {
                String why = region.latestKey()
                        .map(CmekClusterInfo.KeyInfo::userMessage)
                        .filter(m -> m != null && !m.isBlank())
                        .orElse("no message from CockroachDB");
                return Optional.of("region " + region.region() + " is " + region.status() + ": " + why);
            }
        }
        if (info.status().isFailed()) {
            return Optional.of("cluster " + clusterId + " CMEK status is " + info.status());
        }
        return Optional.empty();
    }
}
