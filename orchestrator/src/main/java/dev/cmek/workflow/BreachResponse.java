package dev.cmek.workflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cmek.CmekException;
import dev.cmek.ExitCode;
import dev.cmek.api.CloudApi;
import dev.cmek.api.Cluster;
import dev.cmek.api.CmekClusterInfo;
import dev.cmek.api.CmekStatus;
import dev.cmek.api.CmekWaiter;
import dev.cmek.core.Fate;
import dev.cmek.core.Outcome;
import dev.cmek.core.Parallel;
import dev.cmek.core.RevocationJournal;
import dev.cmek.model.CloudProvider;
import dev.cmek.model.KeySpec;
import dev.cmek.model.KeySpecRules;
import dev.cmek.model.KeyType;
import dev.cmek.model.Manifest;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Revocation and restore, for responders, failing toward revocation. A revocation removes CockroachDB's way in and its
 * grants in the cloud first (the master switch first and on its own, then every region independently), each
 * document's intent kept in the evidence before its first write; then it sends REVOKE even when some grants could not
 * be removed, and names what is left (exit 8). A re-run with the same evidence finishes what is left, and its summary
 * covers every run. Restore puts back exactly what the intents say was removed. No path deletes or disables a key.
 */
public final class BreachResponse {

    /** Which of the two steps to run; both by default. */
    public enum Steps {
        BOTH,
        CLOUD_ONLY,
        API_ONLY
    }

    // Region names as each cloud spells them: AWS us-east-1, GCP us-central1, Azure eastus or germanywestcentral.
    private static final Map<CloudProvider, java.util.regex.Pattern> REGION_SHAPES = Map.of(
            CloudProvider.AWS, java.util.regex.Pattern.compile("[a-z]{2}(-[a-z]+)+-\\d"),
            CloudProvider.GCP, java.util.regex.Pattern.compile("[a-z]+-[a-z]+\\d+"),
            CloudProvider.AZURE, java.util.regex.Pattern.compile("[a-z][a-z0-9]{2,39}"));
    private static final Map<CloudProvider, String> REGION_EXAMPLES = Map.of(
            CloudProvider.AWS, "an AWS Region (like us-east-1)",
            CloudProvider.GCP, "a GCP region (like us-central1)",
            CloudProvider.AZURE, "an Azure region (like eastus)");

    /**
     * What to revoke without the Cloud API ({@code --cloud-only} with {@code --manifest} or {@code --regions}, or the
     * Cloud API unreachable): the cloud, the regions and keys from the manifest or the command line; everything else
     * follows from the cluster id. No regions and no keys: the adapter finds them from the cloud's own records.
     *
     * @param customerProject GCP: the project holding our service account, when no key spec names it
     */
    public record Offline(
            CloudProvider cloud,
            List<String> regions,
            Map<String, KeySpec> keysInUse,
            Optional<String> customerProject) {
        public Offline {
            regions = List.copyOf(regions);
            keysInUse = Map.copyOf(keysInUse);
        }

        /**
         * The cluster as a manifest (its key specs, all of one cloud) or the command line (regions and the cloud) says;
         * every inconsistency is bad input, a region that is not of the cloud included.
         *
         * @param manifestName how the user named the manifest, for messages
         * @param named the cloud the user named, if any
         * @param customerProject GCP: the project given, when no key spec names it
         */
        public static Offline of(
                Optional<Manifest> manifest,
                String manifestName,
                List<String> regions,
                Optional<CloudProvider> named,
                Optional<String> customerProject) {
            CloudProvider cloud = named.orElse(null);
            Map<String, KeySpec> keys = new LinkedHashMap<>();
            List<String> inRegions = new ArrayList<>(regions);
            if (manifest.isPresent()) {
                keys.putAll(manifest.get().byRegion());
                inRegions.addAll(manifest.get().regions());
                List<KeyType> types =
                        keys.values().stream().map(KeySpec::type).distinct().toList();
                if (types.size() != 1
                        || !CloudProvider.SERVED.contains(types.get(0).cloud())) {
                    throw new CmekException.InvalidInput("--manifest " + manifestName + " must hold AWS_KMS,"
                            + " GCP_CLOUD_KMS or AZURE_KEY_VAULT keys, all of one cloud (found " + types + ")");
                }
                CloudProvider fromKeys = types.get(0).cloud();
                if (cloud != null && cloud != fromKeys) {
                    throw new CmekException.InvalidInput(
                            "--cloud " + cloud.name().toLowerCase(java.util.Locale.ROOT)
                                    + " does not match the manifest's " + fromKeys + " keys");
                }
                cloud = fromKeys;
            }
            for (String r : inRegions) {
                KeySpecRules.checkRegion(r).ifPresent(problem -> {
                    throw new CmekException.InvalidInput("--regions " + r + ": " + problem);
                });
                if (cloud != null && !REGION_SHAPES.get(cloud).matcher(r).matches()) {
                    throw new CmekException.InvalidInput("--regions " + r + " is not " + REGION_EXAMPLES.get(cloud)
                            + ", and the cluster is on " + cloud);
                }
            }
            if (cloud == CloudProvider.GCP && keys.isEmpty() && customerProject.isEmpty()) {
                throw new CmekException.InvalidInput("GCP without the Cloud API and without a manifest: give"
                        + " --gcp-project (your project that holds the service account and the keys), or set "
                        + GcpKeys.PROJECT_ENV);
            }
            return new Offline(cloud, inRegions, keys, customerProject);
        }

        /** Only the cloud: the regions and keys come from the cloud's own records (a revocation without the API). */
        static Offline fromTheCloud(CloudProvider cloud, Optional<String> customerProject) {
            return new Offline(cloud, List.of(), Map.of(), customerProject);
        }
    }

    /**
     * What a revocation would do, read from the Cloud API (unless offline) and from the cloud itself, without writing.
     *
     * @param status null when the Cloud API was not read
     * @param outcomes every document found, each {@code WOULD_REMOVE}, already absent, or left (could not be read);
     *     empty with {@code --api-only}
     * @param revokeWouldBeSent false when the cluster is already REVOKED (or REVOKING), or the step is not asked
     */
    public record Preview(
            CloudProvider cloud,
            CmekClusterInfo status,
            Map<String, KeySpec> live,
            List<Outcome> outcomes,
            List<String> notes,
            boolean revokeWouldBeSent) {
        public Preview {
            outcomes = List.copyOf(outcomes);
            notes = List.copyOf(notes);
        }
    }

    /** A dry run: reads the cluster, its CMEK status and, in the cloud, every document the revocation would change. */
    public Preview preview(String clusterId, Steps steps, boolean immediate) {
        Read read = read(clusterId);
        return preview(read, steps, immediate);
    }

    /** A dry run of a cluster already read from the Cloud API (each cluster of {@code --all-using}). */
    public Preview preview(Read read, Steps steps, boolean immediate) {
        ClusterTarget target = ClusterTarget.of(read.cluster(), read.organizationId());
        Map<String, KeySpec> live = CmekLifecycle.currentSpecs(read.status());
        boolean revoked = alreadyRevoked(read.status());
        CloudKeys.Revocation found = steps == Steps.API_ONLY
                ? new CloudKeys.Revocation(List.of(), List.of(), null)
                : dryRun(target.cloud(), scope(target, live, immediate));
        return new Preview(
                target.cloud(),
                read.status(),
                live,
                found.outcomes(),
                found.notes(),
                steps != Steps.CLOUD_ONLY && !revoked);
    }

    /** A dry run without the Cloud API: reads the cloud only. */
    public Preview preview(String clusterId, Steps steps, Offline offline, boolean immediate) {
        CloudKeys.Revocation found = steps == Steps.API_ONLY
                ? new CloudKeys.Revocation(List.of(), List.of(), null)
                : dryRun(offline.cloud(), scope(clusterId, offline, immediate));
        return new Preview(offline.cloud(), null, offline.keysInUse(), found.outcomes(), found.notes(), false);
    }

    private CloudKeys.Revocation dryRun(CloudProvider cloud, CloudKeys.RevokeScope scope) {
        return keysFor.apply(cloud).revoke(scope.asDryRun(), RevocationJournal.none());
    }

    /**
     * One revocation as asked.
     *
     * @param offline present for {@code --cloud-only} without the Cloud API
     * @param waitFor how long to wait for REVOKED; empty with {@code --no-wait}
     */
    public record RevokeRequest(
            String clusterId,
            Path evidenceDir,
            Steps steps,
            boolean immediate,
            Optional<Duration> waitFor,
            Optional<Offline> offline) {
        RevokeRequest withOffline(Offline o) {
            return new RevokeRequest(clusterId, evidenceDir, steps, immediate, waitFor, Optional.of(o));
        }
    }

    /**
     * How a revocation ended, over every run its evidence records.
     *
     * @param status the CMEK status last seen, or null when the Cloud API was not read
     * @param revokeSent whether a run of this evidence sent REVOKE
     * @param alreadyRevoked whether CockroachDB was REVOKED (or REVOKING) before this evidence sent anything
     * @param apiUnreadable why the Cloud API could not be read, when a revocation asked to read it went on without it;
     *     else null
     * @param finishedBefore the evidence held a finished revocation already: this run did nothing
     */
    public record RevokeOutcome(
            String clusterId,
            CloudProvider cloud,
            Path evidence,
            RevocationSummary summary,
            List<String> notes,
            CmekClusterInfo status,
            boolean apiRead,
            boolean revokeSent,
            boolean alreadyRevoked,
            String apiUnreadable,
            boolean finishedBefore,
            Steps steps) {

        /** Whether CockroachDB has been told to stop using the keys (by this evidence, or before it). */
        public boolean revoked() {
            return revokeSent || alreadyRevoked;
        }

        /** REVOKE was asked for (both steps) and could not be sent: the Cloud API could not be read. */
        public boolean revokePending() {
            return steps == Steps.BOTH && !revoked();
        }

        /** 8 (partial) when grants are left or REVOKE could not be sent; 0 otherwise. */
        public ExitCode exitCode() {
            if (finishedBefore) {
                return ExitCode.OK;
            }
            return summary.complete() && !revokePending() ? ExitCode.OK : ExitCode.PARTIAL;
        }
    }

    public record RestoreOutcome(
            String clusterId,
            String organizationId,
            String revokedAt,
            List<String> restored,
            List<String> warnings,
            List<String> couldNot,
            CloudKeys.VerifyReport verify,
            String supportNote) {

        /** 0 when everything was put back and checks out; 7 when a grant is missing or broader than intended. */
        public ExitCode exitCode() {
            return couldNot.isEmpty() && (verify == null || verify.ok()) ? ExitCode.OK : ExitCode.VERIFY_FAILED;
        }
    }

    /** A record of a revocation that removed nothing: bad input for one restore, nothing to do in an index. */
    public static final class NothingToRestore extends CmekException {
        NothingToRestore(String message) {
            super(ExitCode.BAD_INPUT, message);
        }
    }

    private final CloudApi api;
    private final CmekWaiter waiter;
    private final Function<CloudProvider, CloudKeys> keysFor;
    private final Clock clock;
    private final Consumer<String> progress;

    public BreachResponse(
            CloudApi api,
            CmekWaiter waiter,
            Function<CloudProvider, CloudKeys> keysFor,
            Clock clock,
            Consumer<String> progress) {
        this.api = api;
        this.waiter = waiter;
        this.keysFor = keysFor;
        this.clock = clock;
        this.progress = progress;
    }

    /**
     * Revokes one cluster: reads the Cloud API (unless offline), then {@link #revoke(RevokeRequest, Read)}. When the
     * Cloud API cannot be read (down, failing, or refusing the API key), the cloud step still runs, from what the cloud
     * itself records (the cloud of an earlier run of this evidence, else the one where the cluster's role or service
     * account is found), and REVOKE is left for later. A record this evidence already finished is answered as such.
     */
    public RevokeOutcome revoke(RevokeRequest request) {
        Optional<EvidenceFile> finished = EvidenceFile.finished(request.evidenceDir(), request.clusterId(), clock);
        if (finished.isPresent()) {
            return finishedBefore(finished.get(), request);
        }
        if (request.offline().isPresent()) {
            return revoke(request, null);
        }
        Read read;
        try {
            read = read(request.clusterId());
        } catch (CmekException e) {
            if (request.steps() == Steps.API_ONLY || !unreadable(e)) {
                throw e;
            }
            CloudProvider cloud = cloudWithoutTheApi(request, e);
            progress.accept("the Cloud API cannot be read (" + e.getMessage() + "): removing the grants in "
                    + cloud.title() + " without it; REVOKE is sent later");
            return revoke(request.withOffline(Offline.fromTheCloud(cloud, Optional.empty())), null, e.getMessage());
        }
        return revoke(request, read);
    }

    /** What the Cloud API said about a cluster before its revocation. */
    public record Read(Cluster cluster, String organizationId, CmekClusterInfo status) {}

    /** The cluster, the organization and the CMEK status, read at once: every round trip before the grants counts. */
    private Read read(String clusterId) {
        Parallel.Call<Cluster> clusterRead = Parallel.start(() -> api.cluster(clusterId));
        Parallel.Call<String> organizationRead =
                Parallel.start(() -> api.organization().id());
        Parallel.Call<CmekClusterInfo> statusRead =
                Parallel.start(() -> CmekLifecycle.statusOrDisabled(api, clusterId));
        Cluster cluster = clusterRead.join(); // first: an unknown cluster must be reported as such, not as "no CMEK"
        return new Read(cluster, organizationRead.join(), statusRead.join());
    }

    /** The API is down, failing, or no longer takes the API key: not a cluster id that does not exist (404). */
    static boolean unreadable(CmekException e) {
        if (e instanceof dev.cmek.api.ApiException a) {
            return a.httpStatus() == 0 || a.httpStatus() >= 500 || a.httpStatus() == 401 || a.httpStatus() == 403;
        }
        return e.exitCode() == ExitCode.UNAVAILABLE || e.exitCode() == ExitCode.TIMEOUT;
    }

    /**
     * The cluster's cloud without the Cloud API: the one an earlier run of this evidence worked in, else the one where
     * these credentials find the cluster's principal (AWS role, GCP service account, Azure vaults tagged for it). None,
     * or several: the responder is told what to give.
     */
    private CloudProvider cloudWithoutTheApi(RevokeRequest request, CmekException apiFailure) {
        Optional<String> earlier = EvidenceFile.cloudOf(request.evidenceDir(), request.clusterId(), clock);
        if (earlier.isPresent()) {
            return CloudProvider.valueOf(earlier.get());
        }
        Map<CloudProvider, String> found = new LinkedHashMap<>();
        List<String> looked = new ArrayList<>();
        List<CloudProvider> clouds = List.of(CloudProvider.AWS, CloudProvider.GCP, CloudProvider.AZURE);
        // All at once: a cloud these credentials cannot reach must not delay the one they can.
        List<Parallel.Call<Optional<String>>> probes = clouds.stream()
                .map(cloud -> Parallel.start(() -> keysFor.apply(cloud).principalOf(request.clusterId())))
                .toList();
        for (int i = 0; i < clouds.size(); i++) {
            CloudProvider cloud = clouds.get(i);
            try {
                Optional<String> principal = probes.get(i).join();
                principal.ifPresent(p -> found.put(cloud, p));
                looked.add(cloud + ": " + principal.map(p -> "found " + p).orElse("none found"));
            } catch (CmekException e) {
                looked.add(cloud + ": " + e.getMessage());
            }
        }
        String give = "cmek revoke --cluster " + request.clusterId()
                + " --cloud-only --cloud aws|gcp|azure --regions R,..." + " --yes --evidence " + request.evidenceDir();
        if (found.size() == 1) {
            return found.keySet().iterator().next();
        }
        if (found.isEmpty()) {
            throw new CmekException(
                    ExitCode.UNAVAILABLE,
                    "the Cloud API cannot be read (" + apiFailure.getMessage() + "), and these credentials find"
                            + " the cluster's principal on no cloud ("
                            + String.join("; ", looked)
                            + "): nothing was changed; name the cloud: " + give);
        }
        throw new CmekException.InvalidInput("the Cloud API cannot be read, and the cluster's principal was found on"
                + " several clouds (" + String.join(", ", found.values()) + "): name the cloud: " + give);
    }

    /** Revokes one cluster already read from the Cloud API ({@code read}), or offline when {@code read} is null. */
    public RevokeOutcome revoke(RevokeRequest request, Read read) {
        return revoke(request, read, null);
    }

    /** @param apiUnreadable why the Cloud API could not be read, when the revocation goes on without it; else null */
    private RevokeOutcome revoke(RevokeRequest request, Read read, String apiUnreadable) {
        String clusterId = request.clusterId();
        Map<String, KeySpec> live;
        EvidenceFile.Header header;
        CloudKeys.RevokeScope scope;
        CmekClusterInfo before = null;
        if (read == null) {
            Offline offline = request.offline().orElseThrow();
            live = offline.keysInUse();
            header = new EvidenceFile.Header(
                    clusterId, offline.cloud(), null, null, union(offline.regions(), live.keySet()), false);
            scope = scope(clusterId, offline, request.immediate());
        } else {
            ClusterTarget target = ClusterTarget.of(read.cluster(), read.organizationId());
            before = read.status();
            live = CmekLifecycle.currentSpecs(before);
            if (before.status() == CmekStatus.DISABLED || live.isEmpty()) {
                throw new CmekException.InvalidInput("cluster " + clusterId + " does not use CMEK (status "
                        + before.status() + "); nothing to revoke");
            }
            header = EvidenceFile.Header.of(target);
            scope = scope(target, live, request.immediate());
        }
        // The cloud side is made (and its input checked: options for the other cloud, an emulator endpoint that is not
        // a URL) before the record is begun, so that bad input stops here with nothing written; it builds no client
        // and sends nothing.
        CloudKeys keys = request.steps() != Steps.API_ONLY ? keysFor.apply(header.cloud()) : null;
        EvidenceFile evidence = EvidenceFile.begin(request.evidenceDir(), header, clock);
        ObjectNode intent = EvidenceFile.details();
        intent.put("steps_planned", request.steps().name());
        intent.put("immediate", request.immediate());
        intent.put("api_read", read != null);
        if (apiUnreadable != null) {
            intent.put("api_unreadable", apiUnreadable);
        }
        intent.set("live_key_specs", EvidenceFile.JSON.valueToTree(live));
        if (before != null) {
            intent.set("cmek_status_before", EvidenceFile.JSON.valueToTree(before));
        }
        evidence.step(EvidenceFile.RUN_STEP, intent);
        progress.accept("evidence: " + evidence.path());

        List<String> notes = new ArrayList<>();
        if (request.steps() != Steps.API_ONLY) {
            notes.addAll(cloudStep(header.cloud(), keys, scope, evidence));
        }
        CmekClusterInfo status = before;
        boolean alreadyRevoked = before != null
                && alreadyRevoked(before)
                && evidence.steps(API_REVOKE_SENT).isEmpty();
        if (request.steps() != Steps.CLOUD_ONLY && read != null) {
            // Even when grants are left: once the responder asked, CockroachDB must stop using the keys.
            if (!alreadyRevoked(before)) {
                progress.accept("sending REVOKE to the Cloud API...");
                status = api.revokeCmek(clusterId);
                ObjectNode sent = EvidenceFile.details();
                sent.set("answer", EvidenceFile.JSON.valueToTree(status));
                evidence.step(API_REVOKE_SENT, sent);
            }
            if (request.waitFor().isPresent()) {
                status = waiter.await(
                        clusterId, CmekStatus.REVOKED, request.waitFor().get());
                ObjectNode settled = EvidenceFile.details();
                settled.set("status", EvidenceFile.JSON.valueToTree(status));
                evidence.step("api_revoked", settled);
            }
        }
        boolean revokeSent = !evidence.steps(API_REVOKE_SENT).isEmpty();
        RevocationSummary summary =
                RevocationSummary.of(evidence.steps(EvidenceFile.DOCUMENT_INTENT, EvidenceFile.DOCUMENT_OUTCOME));
        ObjectNode done = EvidenceFile.details();
        done.set("removed", EvidenceFile.JSON.valueToTree(summary.removedWords()));
        done.set(
                "left",
                EvidenceFile.JSON.valueToTree(summary.left().stream()
                        .map(RevocationSummary.Entry::describe)
                        .toList()));
        done.put("revoke_sent", revokeSent);
        evidence.step("summary", done);
        // Finished: every grant gone and CockroachDB told; a cloud-only run leaves its record open for --api-only.
        if (summary.complete() && (revokeSent || alreadyRevoked)) {
            evidence.set(
                    "completed_at",
                    EvidenceFile.JSON.getNodeFactory().textNode(clock.instant().toString()));
        }
        return new RevokeOutcome(
                clusterId,
                header.cloud(),
                evidence.path(),
                summary,
                notes,
                status,
                read != null,
                revokeSent,
                alreadyRevoked,
                apiUnreadable,
                false,
                request.steps());
    }

    public static final String API_REVOKE_SENT = "api_revoke_sent";

    private static boolean alreadyRevoked(CmekClusterInfo status) {
        return status.status() == CmekStatus.REVOKED || status.status() == CmekStatus.REVOKING;
    }

    /** A record this evidence already finished: nothing is read, sent or changed. */
    private RevokeOutcome finishedBefore(EvidenceFile evidence, RevokeRequest request) {
        progress.accept(evidence.path() + " holds a finished revocation of cluster " + request.clusterId()
                + ": nothing left to do");
        return new RevokeOutcome(
                request.clusterId(),
                CloudProvider.valueOf(evidence.text("cloud")),
                evidence.path(),
                RevocationSummary.of(evidence.steps(EvidenceFile.DOCUMENT_INTENT, EvidenceFile.DOCUMENT_OUTCOME)),
                List.of(),
                null,
                false,
                !evidence.steps(API_REVOKE_SENT).isEmpty(),
                evidence.steps(API_REVOKE_SENT).isEmpty(),
                null,
                true,
                request.steps());
    }

    private static CloudKeys.RevokeScope scope(ClusterTarget target, Map<String, KeySpec> live, boolean immediate) {
        return new CloudKeys.RevokeScope(
                target.clusterId(),
                Optional.ofNullable(target.accountId()),
                Optional.ofNullable(target.organizationId()),
                union(target.regions(), live.keySet()),
                live,
                Optional.empty(),
                immediate,
                false);
    }

    private static CloudKeys.RevokeScope scope(String clusterId, Offline offline, boolean immediate) {
        return new CloudKeys.RevokeScope(
                clusterId,
                Optional.empty(),
                Optional.empty(),
                union(offline.regions(), offline.keysInUse().keySet()),
                offline.keysInUse(),
                offline.customerProject(),
                immediate,
                false);
    }

    /**
     * The cloud step: every intent and outcome goes into the evidence as it happens; the responder sees where it goes
     * and, at the end, the result once (on stdout). A failure of the step as a whole (a bug, the evidence unwritable)
     * is recorded as left, so that REVOKE is still sent; only bad input stops here (the cloud side's own options and
     * environment were checked before the record was begun).
     */
    private List<String> cloudStep(
            CloudProvider cloud, CloudKeys keys, CloudKeys.RevokeScope scope, EvidenceFile evidence) {
        progress.accept("removing CockroachDB's access in " + cloud.title()
                + (scope.regions().isEmpty()
                        ? " (the regions as the cloud records them)"
                        : " (" + String.join(", ", scope.regions()) + ")")
                + "...");
        RevocationJournal<CloudKeys.DocumentIntent> log = new RevocationJournal<>() {
            @Override
            public void intent(CloudKeys.DocumentIntent intent) {
                ObjectNode step = EvidenceFile.details();
                step.put("type", intent.type());
                step.put("resource", intent.resource());
                step.put("region", intent.region());
                step.set("removing", EvidenceFile.JSON.valueToTree(intent.removing()));
                step.set("record", intent.record());
                evidence.step(EvidenceFile.DOCUMENT_INTENT, step);
            }

            @Override
            public void outcome(Outcome outcome) {
                ObjectNode step = EvidenceFile.details();
                step.put("type", outcome.document().words());
                step.put("resource", outcome.resource());
                step.put("region", outcome.region());
                step.put("fate", outcome.fate().name());
                step.put("detail", outcome.detail());
                evidence.step(EvidenceFile.DOCUMENT_OUTCOME, step);
            }
        };
        ObjectNode done = EvidenceFile.details();
        List<String> notes = new ArrayList<>();
        try {
            CloudKeys.Revocation revocation = keys.revoke(scope, log);
            notes.addAll(revocation.notes());
            done.put("revoked_by", revocation.revokedBy());
        } catch (CmekException.InvalidInput e) {
            throw e;
        } catch (RuntimeException e) {
            String message = e instanceof CmekException ? e.getMessage() : "internal error: " + e;
            ObjectNode failed = EvidenceFile.details();
            failed.put("type", "cloud step");
            failed.put("resource", cloud.name());
            failed.putNull("region");
            failed.put("fate", Fate.LEFT.name());
            failed.put("detail", message + "; fix that and re-run with the same --evidence");
            evidence.step(EvidenceFile.DOCUMENT_OUTCOME, failed);
        }
        done.set("notes", EvidenceFile.JSON.valueToTree(notes));
        evidence.step("cloud_step_done", done);
        return notes;
    }

    private static List<String> union(List<String> first, java.util.Collection<String> second) {
        LinkedHashSet<String> all = new LinkedHashSet<>(first);
        all.addAll(second);
        return List.copyOf(all);
    }

    /**
     * Restores what one evidence record says was removed. Before anything is written: the record must be unedited
     * (its digest), for the cluster named (when named), and every intent for that cluster and the customer's account and
     * of the shape cmek writes (the adapters check that).
     */
    public RestoreOutcome restore(Path evidenceDir, Optional<String> cluster, Optional<String> customerAccount) {
        EvidenceFile evidence = EvidenceFile.read(evidenceDir, clock);
        String clusterId = evidence.text("cluster_id");
        if (cluster.isPresent() && !cluster.get().equals(clusterId)) {
            throw new CmekException.InvalidInput(evidence.path() + " is the record of cluster " + clusterId
                    + ", not of " + cluster.get() + " named with --cluster; nothing was written");
        }
        CloudProvider cloud = cloudOf(evidence);
        List<JsonNode> intents = new ArrayList<>();
        for (JsonNode step : evidence.steps(EvidenceFile.DOCUMENT_INTENT)) {
            intents.add(step.path("record"));
        }
        if (intents.isEmpty()) {
            throw new NothingToRestore(evidence.path() + ": nothing to put back, no grant was removed (the"
                    + " revocation was --api-only, found every grant already gone, or was cut short before its first"
                    + " change: run the same revoke again to finish it)");
        }
        Optional<String> clusterAccount = evidence.optionalText("account_id");
        Optional<String> organization = evidence.optionalText("organization_id");
        CloudKeys keys = keysFor.apply(cloud);
        Map<String, KeySpec> live = liveSpecs(evidence);
        CloudKeys.RestoreReport restored = keys.restore(new CloudKeys.RestoreScope(
                clusterId,
                clusterAccount,
                organization,
                customerAccount,
                intents,
                live.isEmpty() ? keySpecs(evidence, false) : live));
        CloudKeys.VerifyReport verify = null;
        List<String> warnings = new ArrayList<>(restored.warnings());
        if (clusterAccount.isPresent() && organization.isPresent() && !live.isEmpty()) {
            verify = keys.verify(
                    new ClusterTarget(clusterId, cloud, clusterAccount.get(), organization.get(), regions(evidence)),
                    live);
        } else {
            warnings.add("not verified: the revocation did not read the Cloud API, so the cluster's account and key"
                    + " specs are not known here; run `cmek verify --cluster " + clusterId + "`");
        }
        Optional<String> sentAt =
                evidence.findStep(API_REVOKE_SENT).map(s -> s.path("at").asText());
        String revokedAt = sentAt.orElse(null);
        String note = sentAt.isPresent()
                ? "Tell CockroachDB support: CMEK access for cluster " + clusterId
                        + organization.map(o -> " (organization " + o + ")").orElse("") + " was revoked at "
                        + sentAt.get() + " and the key grants were restored at " + clock.instant()
                        + "; please restore the cluster's access to its keys."
                : "This revocation never sent REVOKE, so CockroachDB was not told to stop: the key grants of cluster "
                        + clusterId + " are back as of " + clock.instant() + ". Check it with `cmek status --cluster "
                        + clusterId + "`; only if it shows REVOKED, ask CockroachDB support to restore its access.";
        ObjectNode step = EvidenceFile.details();
        step.set("restored", EvidenceFile.JSON.valueToTree(restored.restored()));
        step.set("could_not", EvidenceFile.JSON.valueToTree(restored.couldNot()));
        step.set("warnings", EvidenceFile.JSON.valueToTree(warnings));
        if (verify != null) {
            step.put("verified", verify.ok());
        }
        evidence.step("restored", step);
        return new RestoreOutcome(
                clusterId,
                organization.orElse(null),
                revokedAt,
                restored.restored(),
                warnings,
                restored.couldNot(),
                verify,
                note);
    }

    private static CloudProvider cloudOf(EvidenceFile evidence) {
        try {
            return CloudProvider.valueOf(evidence.text("cloud"));
        } catch (IllegalArgumentException e) {
            throw new CmekException.InvalidInput(
                    evidence.path() + ": unknown cloud \"" + evidence.text("cloud") + "\"");
        }
    }

    private static List<String> regions(EvidenceFile evidence) {
        List<String> regions = new ArrayList<>();
        evidence.document().path("regions").forEach(r -> regions.add(r.asText()));
        return regions;
    }

    /** The key specs the first run saw in use (from the Cloud API), for verify. */
    private static Map<String, KeySpec> liveSpecs(EvidenceFile evidence) {
        return keySpecs(evidence, true);
    }

    /**
     * The key specs in use as the first run that knew them recorded them: from the Cloud API, or (not {@code
     * apiReadOnly}) from the {@code --manifest} of a revocation without it.
     */
    private static Map<String, KeySpec> keySpecs(EvidenceFile evidence, boolean apiReadOnly) {
        Map<String, KeySpec> live = new LinkedHashMap<>();
        for (JsonNode run : evidence.steps(EvidenceFile.RUN_STEP)) {
            if (apiReadOnly && !run.path("api_read").asBoolean(false)) {
                continue;
            }
            run.path("live_key_specs").fields().forEachRemaining(e -> {
                try {
                    live.putIfAbsent(e.getKey(), EvidenceFile.JSON.treeToValue(e.getValue(), KeySpec.class));
                } catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
                    throw new CmekException.InvalidInput(
                            evidence.path() + ": unreadable key spec for region " + e.getKey());
                }
            });
            if (!live.isEmpty()) {
                break;
            }
        }
        return live;
    }
}
