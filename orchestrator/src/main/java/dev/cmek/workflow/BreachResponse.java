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

    /**
     * What to revoke without the Cloud API ({@code --cloud-only} with {@code --manifest} or {@code --regions}): the
     * cloud, the regions and keys from the manifest or the command line; everything else follows from the cluster id.
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
         * every inconsistency is bad input.
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
                if (types.size() != 1 || (types.get(0) != KeyType.AWS_KMS && types.get(0) != KeyType.GCP_CLOUD_KMS)) {
                    throw new CmekException.InvalidInput("--manifest " + manifestName
                            + " must hold AWS_KMS or GCP_CLOUD_KMS keys, all of one cloud (found " + types + ")");
                }
                CloudProvider fromKeys = types.get(0) == KeyType.AWS_KMS ? CloudProvider.AWS : CloudProvider.GCP;
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
            }
            if (cloud == CloudProvider.GCP && keys.isEmpty() && customerProject.isEmpty()) {
                throw new CmekException.InvalidInput("GCP without the Cloud API and without a manifest: give"
                        + " --gcp-project (your project that holds the service account and the keys), or set "
                        + GcpKeys.PROJECT_ENV);
            }
            return new Offline(cloud, inRegions, keys, customerProject);
        }
    }

    /**
     * What a revocation would do, read from the Cloud API (unless offline) and the names the cloud's adapter derives.
     *
     * @param status null offline
     * @param targets in words: the master switch, then the keys' grants (empty with {@code --api-only})
     */
    public record Preview(
            CloudProvider cloud, CmekClusterInfo status, Map<String, KeySpec> live, List<String> targets) {}

    /** A dry run: reads the cluster and its CMEK status, changes nothing. */
    public Preview preview(String clusterId, Steps steps) {
        Cluster cluster = api.cluster(clusterId);
        CmekClusterInfo info = CmekLifecycle.statusOrDisabled(api, cluster.id());
        return new Preview(
                cluster.cloudProvider(),
                info,
                CmekLifecycle.currentSpecs(info),
                steps == Steps.API_ONLY
                        ? List.of()
                        : keysFor.apply(cluster.cloudProvider())
                                .revocationTargets(clusterId, Optional.ofNullable(cluster.accountId())));
    }

    /** A dry run without the Cloud API: reads nothing. */
    public Preview preview(String clusterId, Steps steps, Offline offline) {
        return new Preview(
                offline.cloud(),
                null,
                offline.keysInUse(),
                steps == Steps.API_ONLY
                        ? List.of()
                        : keysFor.apply(offline.cloud()).revocationTargets(clusterId, Optional.empty()));
    }

    /** What the revocation of a cluster whose cloud and account are known would remove, in words. */
    public List<String> targets(Cluster cluster, Steps steps) {
        return steps == Steps.API_ONLY
                ? List.of()
                : keysFor.apply(cluster.cloudProvider())
                        .revocationTargets(cluster.id(), Optional.ofNullable(cluster.accountId()));
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
            Optional<Offline> offline) {}

    /**
     * How a revocation ended, over every run its evidence records.
     *
     * @param status the CMEK status last seen, or null when the Cloud API was not read
     * @param revokeSent whether REVOKE was sent (by this run or an earlier one) or the cluster was already revoked
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
            Steps steps) {

        /** 8 (partial) when grants are left; 0 otherwise. */
        public ExitCode exitCode() {
            return summary.complete() ? ExitCode.OK : ExitCode.PARTIAL;
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

    /** Revokes one cluster: reads the Cloud API (unless offline), then {@link #revoke(RevokeRequest, Read)}. */
    public RevokeOutcome revoke(RevokeRequest request) {
        if (request.offline().isPresent()) {
            return revoke(request, null);
        }
        // In a breach every round trip before the grants go counts: the three reads go out together.
        String clusterId = request.clusterId();
        Parallel.Call<Cluster> clusterRead = Parallel.start(() -> api.cluster(clusterId));
        Parallel.Call<String> organizationRead =
                Parallel.start(() -> api.organization().id());
        Parallel.Call<CmekClusterInfo> statusRead =
                Parallel.start(() -> CmekLifecycle.statusOrDisabled(api, clusterId));
        Cluster cluster = clusterRead.join(); // first: an unknown cluster must be reported as such, not as "no CMEK"
        return revoke(request, new Read(cluster, organizationRead.join(), statusRead.join()));
    }

    /** What the Cloud API said about a cluster before its revocation. */
    public record Read(Cluster cluster, String organizationId, CmekClusterInfo status) {}

    /** Revokes one cluster already read from the Cloud API ({@code read}), or offline when {@code read} is null. */
    public RevokeOutcome revoke(RevokeRequest request, Read read) {
        String clusterId = request.clusterId();
        Map<String, KeySpec> live;
        EvidenceFile.Header header;
        CloudKeys.RevokeScope scope;
        CmekClusterInfo before = null;
        if (read == null) {
            Offline offline = request.offline().orElseThrow();
            live = offline.keysInUse();
            List<String> regions = union(offline.regions(), live.keySet());
            header = new EvidenceFile.Header(clusterId, offline.cloud(), null, null, regions, false);
            scope = new CloudKeys.RevokeScope(
                    clusterId,
                    Optional.empty(),
                    Optional.empty(),
                    regions,
                    live,
                    offline.customerProject(),
                    request.immediate());
        } else {
            ClusterTarget target = ClusterTarget.of(read.cluster(), read.organizationId());
            before = read.status();
            live = CmekLifecycle.currentSpecs(before);
            if (before.status() == CmekStatus.DISABLED || live.isEmpty()) {
                throw new CmekException.InvalidInput("cluster " + clusterId + " does not use CMEK (status "
                        + before.status() + "); nothing to revoke");
            }
            header = EvidenceFile.Header.of(target);
            scope = new CloudKeys.RevokeScope(
                    clusterId,
                    Optional.ofNullable(target.accountId()),
                    Optional.ofNullable(target.organizationId()),
                    union(target.regions(), live.keySet()),
                    live,
                    Optional.empty(),
                    request.immediate());
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
        boolean revokeSent =
                (before != null && (before.status() == CmekStatus.REVOKED || before.status() == CmekStatus.REVOKING))
                        || !evidence.steps("api_revoke_sent").isEmpty();
        if (request.steps() != Steps.CLOUD_ONLY && read != null) {
            // Even when grants are left: once the responder asked, CockroachDB must stop using the keys.
            if (before.status() != CmekStatus.REVOKED && before.status() != CmekStatus.REVOKING) {
                status = api.revokeCmek(clusterId);
                ObjectNode sent = EvidenceFile.details();
                sent.set("answer", EvidenceFile.JSON.valueToTree(status));
                evidence.step("api_revoke_sent", sent);
            }
            revokeSent = true;
            if (request.waitFor().isPresent()) {
                status = waiter.await(
                        clusterId, CmekStatus.REVOKED, request.waitFor().get());
                ObjectNode settled = EvidenceFile.details();
                settled.set("status", EvidenceFile.JSON.valueToTree(status));
                evidence.step("api_revoked", settled);
            }
        }
        RevocationSummary summary =
                RevocationSummary.of(evidence.steps(EvidenceFile.DOCUMENT_INTENT, EvidenceFile.DOCUMENT_OUTCOME));
        ObjectNode done = EvidenceFile.details();
        done.set("removed", EvidenceFile.JSON.valueToTree(summary.removedWords()));
        done.set(
                "left",
                EvidenceFile.JSON.valueToTree(summary.left().stream()
                        .map(RevocationSummary.Entry::describe)
                        .toList()));
        evidence.step("summary", done);
        if (summary.complete()) {
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
                request.steps());
    }

    /**
     * The cloud step: every intent and outcome goes into the evidence as it happens. A failure of the step as a whole
     * (a bug, the evidence unwritable) is recorded as left, so that REVOKE is still sent; only bad input stops here (the
     * cloud side's own options and environment were checked before the record was begun).
     */
    private List<String> cloudStep(
            CloudProvider cloud, CloudKeys keys, CloudKeys.RevokeScope scope, EvidenceFile evidence) {
        progress.accept(
                "removing CockroachDB's access in " + cloud + " (" + String.join(", ", scope.regions()) + ")...");
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
                if (outcome.fate() == Fate.REMOVED) {
                    progress.accept("  removed: " + outcome.document().words() + " " + outcome.resource()
                            + (outcome.region() == null ? "" : " (" + outcome.region() + ")"));
                } else if (outcome.fate() == Fate.LEFT) {
                    progress.accept("  LEFT: " + outcome.document().words() + " " + outcome.resource()
                            + (outcome.region() == null ? "" : " (" + outcome.region() + ")") + ": "
                            + outcome.detail());
                }
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
            progress.accept("  LEFT: the cloud step failed: " + message);
        }
        done.set("notes", EvidenceFile.JSON.valueToTree(notes));
        evidence.step("cloud_step_done", done);
        notes.forEach(n -> progress.accept("  note: " + n));
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
        CloudKeys.RestoreReport restored = keys.restore(
                new CloudKeys.RestoreScope(clusterId, clusterAccount, organization, customerAccount, intents));
        Map<String, KeySpec> live = liveSpecs(evidence);
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
        String revokedAt = evidence.findStep("api_revoke_sent")
                .map(s -> s.path("at").asText())
                .orElse("(REVOKE was not sent by this revocation)");
        String note = "Tell CockroachDB support: CMEK access for cluster " + clusterId + " (organization "
                + organization.orElse("(not read)") + ") was revoked at " + revokedAt
                + " and the key grants were restored at " + clock.instant()
                + "; please restore the cluster's access to its keys.";
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
        Map<String, KeySpec> live = new LinkedHashMap<>();
        for (JsonNode run : evidence.steps(EvidenceFile.RUN_STEP)) {
            if (!run.path("api_read").asBoolean(false)) {
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
