package dev.cmek.api;

import dev.cmek.CmekException;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Polls {@code GET .../cmek} until the cluster and every region have settled on the expected status. Stops at
 * once on any {@code *_FAILED}, naming the region and CockroachDB's {@code user_message}. Polls start quick and
 * back off to {@link Schedule#max()}, so a change is noticed fast without spending the rate limit.
 */
public final class CmekWaiter {

    /**
     * @param first the first pause after the request that started the operation
     * @param max the longest pause between polls
     * @param startGrace how long a settled status other than the expected one may still mean "not started yet"
     */
    public record Schedule(Duration first, Duration max, Duration startGrace) {
        /** 200 ms, growing by half each poll up to 1.5 s: changes are seen within about a second. */
        public static Schedule standard() {
            return new Schedule(Duration.ofMillis(200), Duration.ofMillis(1500), Duration.ofSeconds(10));
        }
    }

    private final CloudApi api;
    private final Schedule schedule;
    private final Consumer<String> progress;

    /** @param progress receives one line whenever a status changes, and a heartbeat every 10 s */
    public CmekWaiter(CloudApi api, Schedule schedule, Consumer<String> progress) {
        this.api = Objects.requireNonNull(api);
        this.schedule = Objects.requireNonNull(schedule);
        this.progress = Objects.requireNonNull(progress);
    }

    /**
     * Waits until the cluster's CMEK status and every region's are {@code expected}.
     *
     * @throws CmekException.OperationFailed when any region or the cluster reports {@code *_FAILED}
     * @throws CmekException.Timeout when {@code timeout} passes first
     */
    public CmekClusterInfo await(String clusterId, CmekStatus expected, Duration timeout) {
        long start = System.nanoTime();
        Duration pause = schedule.first();
        String lastLine = "";
        long lastPrint = start;
        while (true) {
            sleep(pause);
            CmekClusterInfo info = api.cmekStatus(clusterId);
            Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
            String line = describe(info);
            if (!line.equals(lastLine)
                    || System.nanoTime() - lastPrint > Duration.ofSeconds(10).toNanos()) {
                progress.accept(String.format("[%5.1fs] %s", elapsed.toMillis() / 1000.0, line));
                lastLine = line;
                lastPrint = System.nanoTime();
            }
            failure(clusterId, info).ifPresent(message -> {
                throw new CmekException.OperationFailed(message);
            });
            if (done(info, expected)) {
                return info;
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
                        + "); the operation may still complete: check with `cmek status`");
            }
            Duration grown = pause.plus(pause.dividedBy(2));
            pause = grown.compareTo(schedule.max()) > 0 ? schedule.max() : grown;
        }
    }

    /** Whether the cluster and every region are {@code expected}. */
    public static boolean done(CmekClusterInfo info, CmekStatus expected) {
        return info.status() == expected && info.regionInfos().stream().allMatch(r -> r.status() == expected);
    }

    /** The first {@code *_FAILED} region (with CockroachDB's message) or cluster status, if any. */
    public static java.util.Optional<String> failure(String clusterId, CmekClusterInfo info) {
        for (CmekClusterInfo.RegionInfo region : info.regionInfos()) {
            if (region.status().isFailed()) {
                String why = region.latestKey()
                        .map(CmekClusterInfo.KeyInfo::userMessage)
                        .filter(m -> m != null && !m.isBlank())
                        .orElse("no message from CockroachDB");
                return java.util.Optional.of("region " + region.region() + " is " + region.status() + ": " + why);
            }
        }
        if (info.status().isFailed()) {
            return java.util.Optional.of("cluster " + clusterId + " CMEK status is " + info.status());
        }
        return java.util.Optional.empty();
    }

    /** {@code ENABLING: us-east-1 ENABLED, us-west-2 ENABLING}. */
    public static String describe(CmekClusterInfo info) {
        return info.status() + ": "
                + info.regionInfos().stream()
                        .map(r -> r.region() + " " + r.status())
                        .collect(Collectors.joining(", "));
    }

    private static void sleep(Duration pause) {
        try {
            Thread.sleep(pause.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CmekException(dev.cmek.ExitCode.INTERNAL, "interrupted while waiting");
        }
    }
}
