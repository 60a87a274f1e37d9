package dev.cmek.workflow;

import dev.cmek.CmekException;
import dev.cmek.ExitCode;
import dev.cmek.api.CloudApi;
import dev.cmek.api.Cluster;
import dev.cmek.api.CmekClusterInfo;
import dev.cmek.api.CmekStatus;
import dev.cmek.core.Control;
import dev.cmek.core.ControlResult;
import dev.cmek.core.Parallel;
import dev.cmek.core.Verdict;
import dev.cmek.model.CloudProvider;
import dev.cmek.model.KeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The organization-wide audit: every cluster of the cluster list (all pages), its CMEK status and regions, and, where
 * the cloud credentials reach its keys, every control of every region and the age of each key's newest version.
 * Clusters without CMEK are listed as such. One status read per cluster that can have CMEK, under the process's shared
 * pacer; the cloud reads of different clusters run in parallel.
 */
public final class Audit {

    /**
     * One region of a CMEK cluster.
     *
     * @param newestKeyVersion when the key's newest version was made (null when not read)
     */
    public record RegionRow(
            String region, CmekStatus status, String key, Instant newestKeyVersion, List<ControlResult> controls) {
        public RegionRow {
            controls = List.copyOf(controls);
        }

        public boolean ok() {
            return controls.stream().noneMatch(ControlResult::failed);
        }
    }

    /**
     * One cluster.
     *
     * @param cmekStatus CockroachDB's CMEK status, or null when CMEK is not possible (then {@code note} says why)
     * @param notReachable why the cloud was not read (null when it was, or when there is no CMEK)
     */
    public record ClusterRow(
            String id,
            String name,
            CloudProvider cloud,
            String plan,
            String state,
            CmekStatus cmekStatus,
            String note,
            String notReachable,
            List<RegionRow> regions,
            List<String> notChecked) {
        public ClusterRow {
            regions = List.copyOf(regions);
            notChecked = List.copyOf(notChecked);
        }

        /** A cluster whose keys were not looked at, with why in {@code note}. */
        static ClusterRow withoutRegions(Cluster c, CmekStatus cmekStatus, String note) {
            return of(c, cmekStatus, note, null, List.of(), List.of());
        }

        /** The row of cluster {@code c}: its id, name, cloud, plan and state as the cluster list gave them. */
        static ClusterRow of(
                Cluster c,
                CmekStatus cmekStatus,
                String note,
                String notReachable,
                List<RegionRow> regions,
                List<String> notChecked) {
            return new ClusterRow(
                    c.id(),
                    c.name(),
                    c.cloudProvider(),
                    c.plan(),
                    c.state().name(),
                    cmekStatus,
                    note,
                    notReachable,
                    regions,
                    notChecked);
        }

        public boolean cmek() {
            return cmekStatus != null && cmekStatus != CmekStatus.DISABLED;
        }

        public boolean ok() {
            return regions.stream().allMatch(RegionRow::ok);
        }
    }

    /** The whole organization, in the cluster list's order. */
    public record Result(String organizationId, Instant at, List<ClusterRow> clusters, Duration elapsed) {
        /** Counts: clusters, with CMEK, not reachable, failing; and controls PASS / FAIL / N/A. */
        public Map<String, Integer> summary() {
            int cmek = 0;
            int unreachable = 0;
            int failing = 0;
            int[] verdicts = new int[Verdict.values().length];
            for (ClusterRow c : clusters) {
                if (c.cmek()) {
                    cmek++;
                }
                if (c.notReachable() != null) {
                    unreachable++;
                }
                if (!c.ok()) {
                    failing++;
                }
                c.regions()
                        .forEach(r ->
                                r.controls().forEach(x -> verdicts[x.verdict().ordinal()]++));
            }
            Map<String, Integer> out = new java.util.LinkedHashMap<>();
            out.put("clusters", clusters.size());
            out.put("with_cmek", cmek);
            out.put("without_cmek", clusters.size() - cmek);
            out.put("cloud_not_reachable", unreachable);
            out.put("clusters_failing", failing);
            out.put("controls_pass", verdicts[Verdict.PASS.ordinal()]);
            out.put("controls_fail", verdicts[Verdict.FAIL.ordinal()]);
            out.put("controls_not_applicable", verdicts[Verdict.NOT_APPLICABLE.ordinal()]);
            return out;
        }

        /** 7 when any control failed anywhere, else 0. */
        public ExitCode exitCode() {
            return clusters.stream().allMatch(ClusterRow::ok) ? ExitCode.OK : ExitCode.VERIFY_FAILED;
        }
    }

    private final CloudApi api;
    private final Provisioning provisioning;
    /** At most as many clusters' cloud reads at once as status reads: more only queue in the cloud's endpoints. */
    private java.util.concurrent.Semaphore cloudReads;

    public Audit(CloudApi api, Provisioning provisioning) {
        this.api = api;
        this.provisioning = provisioning;
    }

    /** @param finished called once per cluster, in the cluster list's order, as soon as it and those before it are done */
    public Result run(int parallel, Consumer<ClusterRow> finished) {
        cloudReads = new java.util.concurrent.Semaphore(parallel);
        long start = System.nanoTime();
        Instant at = Instant.now();
        List<Cluster> clusters = api.listClusters();
        String organization = provisioning
                .listedTarget(clusters.isEmpty() ? placeholder() : clusters.get(0))
                .organizationId();
        // The status reads (paced by the API's limit) never wait for a cluster's cloud reads: each cluster's cloud
        // reads
        // start on their own thread as soon as its status is in, so the API's requests go out back to back.
        List<Parallel.Call<ClusterRow>> calls = Parallel.map(clusters, parallel, "cmek-audit", this::statusRead);
        List<ClusterRow> rows = new ArrayList<>();
        for (Parallel.Call<ClusterRow> call : calls) {
            ClusterRow row = call.join();
            finished.accept(row);
            rows.add(row);
        }
        return new Result(organization, at, rows, Duration.ofNanos(System.nanoTime() - start));
    }

    /** The cluster's CMEK status; the rest (the cloud) continues on a thread of its own. */
    private Parallel.Call<ClusterRow> statusRead(Cluster c) {
        String skip = Rewrap.skipReason(c);
        if (skip != null) {
            ClusterRow row = ClusterRow.withoutRegions(c, null, "no CMEK: " + skip);
            return Parallel.start(() -> row);
        }
        CmekClusterInfo status;
        try {
            status = CmekLifecycle.statusOrDisabled(api, c.id());
        } catch (CmekException e) {
            ClusterRow row =
                    ClusterRow.withoutRegions(c, CmekStatus.UNRECOGNIZED, "CMEK status not read: " + e.getMessage());
            return Parallel.start(() -> row);
        }
        return Parallel.start(() -> {
            cloudReads.acquireUninterruptibly();
            try {
                return row(c, status);
            } finally {
                cloudReads.release();
            }
        });
    }

    private static Cluster placeholder() {
        return new Cluster("", "", CloudProvider.AWS, "", "", null, null, null, List.of(), null);
    }

    private ClusterRow row(Cluster c, CmekClusterInfo status) {
        if (status.status() == CmekStatus.DISABLED) {
            return ClusterRow.withoutRegions(c, CmekStatus.DISABLED, "no CMEK");
        }
        Map<String, KeySpec> live = CmekLifecycle.currentSpecs(status);
        Map<String, ControlResult> crdb = CockroachControls.status(c.id(), status);
        String unreachable = null;
        CloudKeys.VerifyReport report = null;
        try {
            ClusterTarget target = provisioning.listedTarget(c);
            CloudKeys keys = provisioning.keys(c.cloudProvider());
            Optional<String> why = keys.unreachable(live);
            if (why.isPresent()) {
                unreachable = why.get();
            } else {
                report = ReadyToRun.forCluster(
                        keys.verify(target, live, CockroachControls.formerUris(status))
                                .with(crdb),
                        c.id());
            }
        } catch (CmekException e) {
            unreachable = e.getMessage();
        }
        List<RegionRow> regions = new ArrayList<>();
        for (CmekClusterInfo.RegionInfo r : status.regionInfos()) {
            KeySpec spec = live.get(r.region());
            if (report != null && report.regions().containsKey(r.region())) {
                CloudKeys.VerifyReport.RegionControls rc = report.regions().get(r.region());
                regions.add(new RegionRow(r.region(), r.status(), rc.key(), rc.newestKeyVersion(), rc.controls()));
            } else {
                List<ControlResult> controls = new ArrayList<>();
                for (Control control : Control.values()) {
                    if (control == Control.CRDB_STATUS) {
                        if (crdb.containsKey(r.region())) {
                            controls.add(crdb.get(r.region()));
                        }
                    } else {
                        controls.add(new ControlResult(
                                control,
                                Verdict.NOT_APPLICABLE,
                                List.of(
                                        unreachable != null
                                                ? "not read: " + unreachable
                                                : "no key spec for the region"),
                                null));
                    }
                }
                regions.add(new RegionRow(r.region(), r.status(), spec == null ? "" : spec.uri(), null, controls));
            }
        }
        return ClusterRow.of(
                c, status.status(), null, unreachable, regions, report == null ? List.of() : report.notChecked());
    }
}
