package dev.cmek.workflow;

import dev.cmek.CmekException;
import dev.cmek.ExitCode;
import dev.cmek.api.CloudApi;
import dev.cmek.api.Cluster;
import dev.cmek.api.ClusterState;
import dev.cmek.api.CmekClusterInfo;
import dev.cmek.api.CmekStatus;
import dev.cmek.core.Parallel;
import dev.cmek.model.CloudProvider;
import dev.cmek.model.KeySpec;
import dev.cmek.model.Manifest;
import dev.cmek.model.RegionSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Re-wrap that follows the KMS: CockroachDB re-encrypts a region's store key with the key's newest version only when
 * the region's unchanged spec is submitted again (docs/cmek-rotation-types.md), so a KMS that rotates on schedule is
 * not enough. With {@code ifRotated}, a region is submitted only when its key's newest version in the KMS is newer
 * than when CockroachDB last took the key (the region's current key info: {@code updated_at}, else
 * {@code created_at}); nothing rotated means no request at all. {@link #all} does it for every CMEK-enabled cluster of
 * the organization, one status read per cluster, under the process's shared pacer: the daily cron job next to
 * automatic rotation.
 */
public final class Rewrap {

    /** What happened to one cluster. */
    public enum Action {
        /** Submitted and ENABLED again: CockroachDB took the newest versions. */
        REWRAPPED,
        /** Submitted; not waited for ({@code --no-wait}). */
        SUBMITTED,
        /** A dry run: would be submitted. */
        WOULD_REWRAP,
        /** No region's key rotated since CockroachDB took it: no request sent. */
        NOTHING_ROTATED,
        /** Not a cluster CMEK re-wraps now (no CMEK, not ADVANCED, not CREATED, or a status other than ENABLED). */
        SKIPPED,
        FAILED
    }

    /**
     * One region: its key, when the KMS's newest version was made and when CockroachDB last took the key (either null
     * when not read), and whether it is submitted.
     */
    public record RegionDecision(
            String region, KeySpec spec, Instant kmsNewest, Instant cockroachTook, boolean submit, String reason) {}

    /** One cluster's outcome; {@code exitCode} is 0 unless FAILED. */
    public record Result(
            String clusterId,
            Action action,
            ExitCode exitCode,
            String message,
            List<RegionDecision> regions,
            CmekClusterInfo status) {
        public Result {
            regions = List.copyOf(regions);
        }
    }

    /** Counts of each outcome. */
    public record Summary(
            int total, int rewrapped, int submitted, int wouldRewrap, int nothingRotated, int skipped, int failed) {}

    /** Every cluster's outcome, in the cluster list's order. */
    public record AllResult(List<Result> clusters, Summary summary, Duration elapsed) {
        /** 0 when none failed; otherwise the exit code of the first failed cluster. */
        public ExitCode exitCode() {
            return clusters.stream()
                    .filter(c -> c.action() == Action.FAILED)
                    .map(Result::exitCode)
                    .findFirst()
                    .orElse(ExitCode.OK);
        }
    }

    private final CloudApi api;
    private final Provisioning provisioning;
    private final CmekLifecycle lifecycle;
    private final Consumer<String> progress;

    public Rewrap(CloudApi api, Provisioning provisioning, CmekLifecycle lifecycle, Consumer<String> progress) {
        this.api = api;
        this.provisioning = provisioning;
        this.lifecycle = lifecycle;
        this.progress = progress;
    }

    /**
     * Re-wraps the given regions (all when empty) of one cluster.
     *
     * @throws CmekException.InvalidInput when CMEK is not ENABLED or a region has no CMEK
     */
    public Result one(String clusterId, List<String> regions, boolean ifRotated, Optional<Duration> waitFor) {
        ClusterTarget target = provisioning.existingTarget(clusterId);
        CmekClusterInfo status = CmekLifecycle.statusOrDisabled(api, clusterId);
        if (status.status() != CmekStatus.ENABLED) {
            throw new CmekException.InvalidInput(
                    "cluster " + clusterId + " CMEK status is " + status.status() + "; a re-wrap needs ENABLED");
        }
        List<RegionDecision> decisions = decide(target, status, regions, ifRotated);
        return submit(clusterId, decisions, status, waitFor);
    }

    /** What each region would get; reads the KMS when {@code ifRotated}, sends nothing. */
    public List<RegionDecision> decide(
            ClusterTarget target, CmekClusterInfo status, List<String> regions, boolean ifRotated) {
        Map<String, KeySpec> live = CmekLifecycle.currentSpecs(status);
        List<String> chosen = regions.isEmpty() ? List.copyOf(live.keySet()) : regions;
        List<String> unknown = chosen.stream().filter(r -> !live.containsKey(r)).toList();
        if (!unknown.isEmpty()) {
            throw new CmekException.InvalidInput("cluster " + target.clusterId() + " has no CMEK region "
                    + String.join(", ", unknown) + " (its regions: " + String.join(", ", live.keySet()) + ")");
        }
        Map<String, Optional<Instant>> newest = new LinkedHashMap<>();
        CloudKeys keys = provisioning.keys(target.cloud());
        if (ifRotated) {
            // Regions sharing a key (a GCP multi-region location) ask the KMS once; keys are read at once.
            List<KeySpec> distinct = new ArrayList<>(
                    new LinkedHashSet<>(chosen.stream().map(live::get).toList()));
            List<Optional<Instant>> read =
                    Parallel.map(distinct, distinct.size(), "cmek-kms-read", keys::newestKeyVersion);
            for (int i = 0; i < distinct.size(); i++) {
                newest.put(distinct.get(i).uri(), read.get(i));
            }
        }
        List<RegionDecision> out = new ArrayList<>();
        for (String region : chosen) {
            KeySpec spec = live.get(region);
            Instant took = tookAt(status, region, spec);
            if (!ifRotated) {
                out.add(new RegionDecision(region, keys.newestSpec(spec), null, took, true, "re-wrap asked"));
                continue;
            }
            Instant kms = newest.get(spec.uri())
                    .orElseThrow(() -> new CmekException(
                            ExitCode.REJECTED,
                            "key " + spec.uri() + " of region " + region + " of cluster " + target.clusterId()
                                    + " is not in the KMS (deleted, or not visible to these credentials); `cmek verify"
                                    + " --cluster " + target.clusterId() + "` tells more"));
            KeySpec newer = keys.newestSpec(spec);
            if (!newer.equals(spec)) {
                // Azure: the URI names a version, and Key Vault's times are whole seconds: the version decides.
                out.add(new RegionDecision(
                        region, newer, kms, took, true, "a newer key version than the one CockroachDB uses"));
            } else if (took == null) {
                out.add(new RegionDecision(
                        region,
                        newer,
                        kms,
                        null,
                        true,
                        "the CMEK status has no time for the key: re-wrapped to be safe"));
            } else if (kms.isAfter(took)) {
                out.add(new RegionDecision(region, newer, kms, took, true, "rotated since CockroachDB took the key"));
            } else {
                out.add(new RegionDecision(
                        region, spec, kms, took, false, "not rotated since CockroachDB took the key"));
            }
        }
        return out;
    }

    /**
     * When CockroachDB last took the region's key: its key info's {@code updated_at} (a re-wrap moves it), else
     * {@code created_at}; null when the status has neither.
     */
    static Instant tookAt(CmekClusterInfo status, String region, KeySpec spec) {
        return status.region(region)
                .flatMap(r -> r.keyInfos().stream()
                        .filter(k -> spec.equals(k.spec()))
                        .map(k -> parse(k.updatedAt()).or(() -> parse(k.createdAt())))
                        .flatMap(Optional::stream)
                        .max(Instant::compareTo))
                .orElse(null);
    }

    private static Optional<Instant> parse(String timestamp) {
        if (timestamp == null || timestamp.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.parse(timestamp));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    private Result submit(
            String clusterId, List<RegionDecision> decisions, CmekClusterInfo status, Optional<Duration> waitFor) {
        List<RegionSpec> specs = decisions.stream()
                .filter(RegionDecision::submit)
                .map(d -> new RegionSpec(d.region(), d.spec()))
                .toList();
        if (specs.isEmpty()) {
            return new Result(
                    clusterId,
                    Action.NOTHING_ROTATED,
                    ExitCode.OK,
                    "no key rotated since CockroachDB took it; no request sent",
                    decisions,
                    status);
        }
        progress.accept("re-wrapping " + clusterId + ": "
                + String.join(", ", specs.stream().map(RegionSpec::region).toList()));
        CmekLifecycle.Outcome outcome = lifecycle.resubmit(clusterId, new Manifest(specs), waitFor);
        return new Result(
                clusterId,
                waitFor.isPresent() ? Action.REWRAPPED : Action.SUBMITTED,
                ExitCode.OK,
                waitFor.isPresent()
                        ? "CockroachDB re-wrapped " + specs.size() + " region(s) with the newest key versions"
                        : "submitted; CockroachDB re-wraps as it goes ROTATING -> ENABLED",
                decisions,
                outcome.status());
    }

    /**
     * Every CMEK-enabled cluster of the organization (the cluster list, all pages): one status read each, the KMS read
     * per region when {@code ifRotated}, and a submission where needed; clusters without CMEK (or not ADVANCED and
     * CREATED, which CMEK needs) are listed as skipped. One failing cluster does not stop the others. Submitted
     * clusters are waited for by one poller (about one poll each), unless {@code options.timeout()} is zero.
     *
     * @param wait whether to wait until each submitted cluster is ENABLED again
     * @param dryRun read and decide, submit nothing
     * @param finished called once per cluster as soon as it is done (one call at a time)
     */
    public AllResult all(
            boolean ifRotated, boolean wait, boolean dryRun, Fleet.Options options, Consumer<Result> finished) {
        long start = System.nanoTime();
        List<Cluster> clusters = api.listClusters();
        Map<String, Result> results = new LinkedHashMap<>();
        Map<String, List<RegionDecision>> submitted = new LinkedHashMap<>();
        Consumer<Result> record = r -> {
            synchronized (results) {
                results.put(r.clusterId(), r);
                finished.accept(r);
            }
        };
        List<Cluster> candidates = new ArrayList<>();
        for (Cluster c : clusters) {
            String why = skipReason(c);
            if (why != null) {
                record.accept(new Result(c.id(), Action.SKIPPED, ExitCode.OK, why, List.of(), null));
            } else {
                candidates.add(c);
            }
        }
        FleetPoller poller = new FleetPoller(api, options, r -> {
            List<RegionDecision> decisions;
            synchronized (submitted) {
                decisions = submitted.get(r.clusterId());
            }
            record.accept(
                    r.outcome() == Fleet.Outcome.FAILED
                            ? new Result(r.clusterId(), Action.FAILED, r.exitCode(), r.message(), decisions, null)
                            : new Result(r.clusterId(), Action.REWRAPPED, ExitCode.OK, r.message(), decisions, null));
        });
        poller.expect(candidates.size());
        Parallel.Call<Void> polling = Parallel.start(() -> {
            poller.loop();
            return null;
        });
        Parallel.forEach(candidates, options.parallel(), "cmek-rewrap", c -> {
            long t0 = System.nanoTime();
            try {
                CmekClusterInfo status = CmekLifecycle.statusOrDisabled(api, c.id());
                if (status.status() != CmekStatus.ENABLED) {
                    record.accept(new Result(
                            c.id(),
                            Action.SKIPPED,
                            ExitCode.OK,
                            status.status() == CmekStatus.DISABLED
                                    ? "no CMEK"
                                    : "CMEK status " + status.status() + " (a re-wrap needs ENABLED)",
                            List.of(),
                            status));
                    return;
                }
                List<RegionDecision> decisions = decide(provisioning.listedTarget(c), status, List.of(), ifRotated);
                List<RegionSpec> specs = decisions.stream()
                        .filter(RegionDecision::submit)
                        .map(d -> new RegionSpec(d.region(), d.spec()))
                        .toList();
                if (specs.isEmpty()) {
                    record.accept(new Result(
                            c.id(),
                            Action.NOTHING_ROTATED,
                            ExitCode.OK,
                            "no key rotated since CockroachDB took it; no request sent",
                            decisions,
                            status));
                    return;
                }
                CmekClusterInfo accepted = lifecycle
                        .resubmit(c.id(), new Manifest(specs), Optional.empty())
                        .status();
                if (wait) {
                    synchronized (submitted) {
                        submitted.put(c.id(), decisions);
                    }
                    poller.watch(c.id(), t0);
                } else {
                    record.accept(new Result(
                            c.id(),
                            Action.SUBMITTED,
                            ExitCode.OK,
                            "submitted " + specs.size() + " region(s)",
                            decisions,
                            accepted));
                }
            } catch (CmekException e) {
                record.accept(new Result(c.id(), Action.FAILED, e.exitCode(), e.getMessage(), List.of(), null));
            } catch (RuntimeException e) {
                record.accept(
                        new Result(c.id(), Action.FAILED, ExitCode.INTERNAL, "internal error: " + e, List.of(), null));
            } finally {
                poller.submitted();
            }
        });
        polling.join();
        List<Result> ordered = new ArrayList<>();
        synchronized (results) {
            clusters.forEach(c -> ordered.add(results.get(c.id())));
        }
        int[] counts = new int[Action.values().length];
        ordered.forEach(r -> counts[r.action().ordinal()]++);
        return new AllResult(
                ordered,
                new Summary(
                        ordered.size(),
                        counts[Action.REWRAPPED.ordinal()],
                        counts[Action.SUBMITTED.ordinal()],
                        counts[Action.WOULD_REWRAP.ordinal()],
                        counts[Action.NOTHING_ROTATED.ordinal()],
                        counts[Action.SKIPPED.ordinal()],
                        counts[Action.FAILED.ordinal()]),
                Duration.ofNanos(System.nanoTime() - start));
    }

    /** Why a listed cluster cannot have CMEK to re-wrap, without asking: null when it may. */
    static String skipReason(Cluster c) {
        if (!CloudProvider.SERVED.contains(c.cloudProvider())) {
            return "on " + c.cloudProvider() + " (this toolkit handles AWS, GCP and Azure)";
        }
        if (c.plan() != null && !c.plan().equals("ADVANCED")) {
            return "plan " + c.plan() + " (CMEK needs ADVANCED)";
        }
        if (c.state() != ClusterState.CREATED) {
            return "state " + c.state();
        }
        return null;
    }
}
