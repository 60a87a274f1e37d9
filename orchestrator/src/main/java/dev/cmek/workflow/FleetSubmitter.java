package dev.cmek.workflow;

import dev.cmek.CmekException;
import dev.cmek.ExitCode;
import dev.cmek.api.CloudApi;
import dev.cmek.api.CmekWait;
import dev.cmek.api.CmekWaiter;
import java.util.Optional;

/**
 * A fleet worker's job for one cluster: its manifest, then enable without waiting (or nothing when it is already
 * enabled with these keys). A submitted cluster goes to the {@link FleetPoller}; any failure is that cluster's alone.
 */
final class FleetSubmitter {
    private final Fleet.Source source;
    private final FleetPoller poller;
    private final CmekLifecycle lifecycle;

    FleetSubmitter(CloudApi api, Fleet.Source source, FleetPoller poller, boolean allowCrossRegionKeys) {
        this.source = source;
        this.poller = poller;
        // The waiter is never used: workers submit without waiting and the poller does the waiting.
        this.lifecycle = new CmekLifecycle(
                api, new CmekWaiter(api, CmekWaiter.Schedule.standard(), line -> {}), allowCrossRegionKeys);
    }

    void submit(FleetFile.Entry entry) {
        long start = System.nanoTime();
        try {
            CmekLifecycle.Outcome outcome = lifecycle.enable(source.decide(entry, lifecycle), Optional.empty());
            if (outcome.action() == CmekLifecycle.Action.ALREADY_ENABLED) {
                poller.finish(new Fleet.ClusterResult(
                        entry.clusterId(),
                        Fleet.Outcome.ALREADY_ENABLED,
                        ExitCode.OK,
                        CmekWait.describe(outcome.status()),
                        Fleet.ClusterResult.since(start)));
            } else {
                poller.watch(entry.clusterId(), start);
            }
        } catch (CmekException e) {
            poller.finish(Fleet.ClusterResult.failed(entry.clusterId(), e.exitCode(), e.getMessage(), start));
        } catch (RuntimeException e) {
            // A bug in one cluster's path must not take the fleet down; it is reported as an internal error.
            poller.finish(
                    Fleet.ClusterResult.failed(entry.clusterId(), ExitCode.INTERNAL, "internal error: " + e, start));
        } finally {
            poller.submitted();
        }
    }
}
