package dev.cmek.api;

import dev.cmek.CmekException;
import dev.cmek.core.Backoff;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Polls {@code GET .../cmek} until the cluster and every region have settled on the expected status. Stops at
 * once on any {@code *_FAILED}, naming the region and CockroachDB's {@code user_message}. Polls start quick and
 * back off to {@link Schedule#max()}, so a change is noticed fast without spending the rate limit; when to poll and
 * what each answer means is {@link CmekWait}'s, shared with the fleet's poller.
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

        /** The pauses between polls: from {@link #first()}, half as long again each time, up to {@link #max()}. */
        public Backoff polls() {
            return Backoff.growing(first, 1.5, max);
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
        CmekWait wait = new CmekWait(clusterId, expected, schedule, timeout, progress);
        while (true) {
            sleepUntil(wait.dueNanos());
            Optional<CmekClusterInfo> settled = wait.judge(api.cmekStatus(clusterId));
            if (settled.isPresent()) {
                return settled.get();
            }
        }
    }

    private static void sleepUntil(long dueNanos) {
        Backoff.sleep(Duration.ofNanos(dueNanos - System.nanoTime()));
    }
}
