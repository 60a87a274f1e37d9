package dev.cmek.workflow;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cmek.core.Change;
import dev.cmek.core.Control;
import dev.cmek.core.ControlResult;
import dev.cmek.core.Fate;
import dev.cmek.core.Outcome;
import dev.cmek.core.RevocationJournal;
import dev.cmek.model.KeySpec;
import dev.cmek.model.Manifest;
import dev.cmek.model.RegionSpec;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The customer-cloud side of CMEK for one cluster: keys, the principal CockroachDB uses, and the grant between
 * them. The workflows see only this port; the AWS and GCP adapters are bridged to it.
 */
public interface CloudKeys {

    /** Read-only: what {@link #provision} would create or change, and the manifest it would produce. */
    ProvisionReport plan(ClusterTarget cluster);

    /** Ensures key, principal and grant for every region of {@code cluster}; idempotent. */
    ProvisionReport provision(ClusterTarget cluster);

    /** Makes new keys (generation {@code generation}) with their grant for the given regions; old keys keep theirs. */
    ProvisionReport provisionNewKeys(ClusterTarget cluster, List<String> regions, int generation);

    /** The generation of one of the toolkit's keys (1 = first key; each key rotation adds one), or 0 for a key it did not make. */
    int generationOf(ClusterTarget cluster, KeySpec spec);

    /**
     * New key material inside the KMS. Answers the spec to submit for CockroachDB to wrap with it: the same spec where
     * the URI names the key (AWS, GCP), the new version's URI where it names a version (Azure).
     */
    KeySpec rotateKeyMaterial(KeySpec spec);

    /**
     * The spec that makes CockroachDB wrap with the key's newest version: {@code spec} itself where the URI names the
     * key (AWS, GCP); the newest version's URI where it names a version (Azure).
     */
    default KeySpec newestSpec(KeySpec spec) {
        return spec;
    }

    /**
     * Breach response, failing toward revocation: removes CockroachDB's way into the principal first and on its own
     * (AWS: the cluster account's trust on our role; GCP: the token-creator binding on our service account), then its
     * grant on every key tagged or labelled for the cluster and every key in use, each region independently. Each
     * document's intent goes to {@code journal} before that document's first write; what could not be changed is an
     * outcome {@link Fate#LEFT} with what to do, never an exception. Never deletes, disables or schedules deletion of
     * a key.
     */
    Revocation revoke(RevokeScope scope, RevocationJournal<DocumentIntent> journal);

    /**
     * The principal provisioning made for the cluster in this cloud, if these credentials find it (AWS: the role with
     * our tag; GCP: the marked service account in the configured project): how a revocation that cannot read the Cloud
     * API tells the cluster's cloud. Reads only.
     */
    Optional<String> principalOf(String clusterId);

    /**
     * Which keys live in {@code account} as this cloud sees it, where a key spec alone does not say: on Azure, the keys
     * in the vaults of a subscription (a spec names only its vault and tenant). For {@code revoke --all-using}. Reads
     * only; none by default (an AWS key's ARN names its account, a GCP key's name its project).
     */
    default Predicate<KeySpec> heldIn(String account) {
        return spec -> false;
    }

    /**
     * Puts back exactly what the intents say was removed, once every one of them is found to be for the cluster and
     * account named and of the canonical shape this toolkit writes (bad input, exit 2, before anything is written,
     * otherwise); says what it could not put back.
     */
    RestoreReport restore(RestoreScope scope);

    /**
     * Each region's controls ({@link Control}) as read in the cloud: the key usable and rotating, nothing public, the
     * grant exact, the principal reachable only by the cluster. Orphan keys are not looked for.
     */
    VerifyReport verify(ClusterTarget cluster, Map<String, KeySpec> liveSpecs);

    /**
     * As {@link #verify(ClusterTarget, Map)}, and also looks for keys of the cluster that still grant its principal
     * although CockroachDB does not use them: those among {@code formerUris} (keys CockroachDB used before, from the
     * CMEK status) are listed, others fail {@link Control#NO_ORPHAN_GRANTS}.
     */
    VerifyReport verify(ClusterTarget cluster, Map<String, KeySpec> liveSpecs, Set<String> formerUris);

    /**
     * When the key's newest version was made in the KMS (AWS: the newest rotation, else the key's creation; GCP: the
     * primary version's creation): what CockroachDB wraps with once the spec is submitted again. Empty when the key
     * does not exist.
     */
    Optional<Instant> newestKeyVersion(KeySpec spec);

    /**
     * Why these credentials cannot read the keys in use (AWS: keys of another account; GCP: keys not visible), or
     * empty when they can: an audit then reports the cluster as not reachable instead of its keys as missing.
     */
    Optional<String> unreachable(Map<String, KeySpec> liveSpecs);

    /**
     * What provisioning did or would do, and each region's key spec. A plan cannot know the ARN of an AWS key it
     * has yet to create: such a spec has an empty {@code uri}, and {@link #manifest()} is then empty.
     */
    record ProvisionReport(List<RegionSpec> specs, List<Change> changes) {
        /** Regions sorted by name, as the Cloud API sorts a cluster's CMEK regions, and changes likewise (principal first). */
        public ProvisionReport {
            specs = specs.stream()
                    .sorted(java.util.Comparator.comparing(RegionSpec::region))
                    .toList();
            changes = changes.stream()
                    .sorted(java.util.Comparator.comparing(
                            Change::region, java.util.Comparator.nullsFirst(java.util.Comparator.naturalOrder())))
                    .toList();
        }

        public Optional<Manifest> manifest() {
            return specs.stream().allMatch(s -> !s.keySpec().uri().isEmpty())
                    ? Optional.of(new Manifest(specs))
                    : Optional.empty();
        }

        public boolean blocked() {
            return changes.stream().anyMatch(c -> c.action() == Change.Action.BLOCKED);
        }

        public boolean changedAnything() {
            return changes.stream().anyMatch(c -> c.action().wrote());
        }
    }

    /**
     * What a revocation works on. Without the Cloud API ({@code --cloud-only} with a manifest or regions) the cluster
     * account and organization are unknown: AWS then removes every Allow statement of our (tagged) role's trust, GCP
     * every {@code crl-kms-user-<last 12>@...} member's token creator.
     *
     * @param keysInUse the key spec each region uses (from the Cloud API or a manifest); may be empty
     * @param customerProject GCP: the project holding our service account, when no key spec names it
     * @param immediate also cut access already in use (AWS: deny role sessions issued before the trust was cut; GCP:
     *     disable the service account, reversibly)
     * @param dryRun read everything, write nothing: every document's outcome says what the write would remove
     */
    record RevokeScope(
            String clusterId,
            Optional<String> clusterAccount,
            Optional<String> organizationId,
            List<String> regions,
            Map<String, KeySpec> keysInUse,
            Optional<String> customerProject,
            boolean immediate,
            boolean dryRun) {
        public RevokeScope {
            regions = List.copyOf(regions);
            keysInUse = Map.copyOf(keysInUse);
        }

        /** The same revocation, reading only. */
        public RevokeScope asDryRun() {
            return new RevokeScope(
                    clusterId, clusterAccount, organizationId, regions, keysInUse, customerProject, immediate, true);
        }
    }

    /**
     * One document a revocation is about to change, before its first write.
     *
     * @param type in words: {@code role trust}, {@code key policy}, {@code session deny}, {@code service account
     *     policy}, {@code crypto key policy}, {@code service account}
     * @param region the region of a key, or null
     * @param removing what the write removes (or, for a deny, adds), in words
     * @param record the adapter's own intent, which restore reads back
     */
    record DocumentIntent(String type, String resource, String region, List<String> removing, JsonNode record) {
        public DocumentIntent {
            removing = List.copyOf(removing);
        }
    }

    /** What one run did, outcome by outcome; and what it left alone on purpose. */
    record Revocation(List<Outcome> outcomes, List<String> notes, String revokedBy) {
        public Revocation {
            outcomes = List.copyOf(outcomes);
            notes = List.copyOf(notes);
        }
    }

    /**
     * What restore puts back.
     *
     * @param clusterAccount the cluster's account the record must name (empty when the revocation did not read the
     *     Cloud API)
     * @param customerAccount the AWS account, GCP project or Azure subscription the user named for the restore, if any
     * @param intents every intent the revocation's runs kept, in order
     * @param liveSpecs the key specs in use by region, as the revocation read them from the Cloud API, else as its
     *     {@code --manifest} gave them: a grant on a key the customer brought is put back only when it is one of them
     */
    record RestoreScope(
            String clusterId,
            Optional<String> clusterAccount,
            Optional<String> organizationId,
            Optional<String> customerAccount,
            List<JsonNode> intents,
            Map<String, KeySpec> liveSpecs) {
        public RestoreScope {
            intents = List.copyOf(intents);
            liveSpecs = Map.copyOf(liveSpecs);
        }
    }

    record RestoreReport(List<String> restored, List<String> warnings, List<String> couldNot) {
        public RestoreReport {
            restored = List.copyOf(restored);
            warnings = List.copyOf(warnings);
            couldNot = List.copyOf(couldNot);
        }
    }

    /**
     * Each region's controls with their evidence.
     *
     * @param principal the role ARN or service account email the cluster's keys are used through
     * @param notChecked what could grant access but could not be read (GCP: folder and organization policies)
     */
    record VerifyReport(String principal, Map<String, RegionControls> regions, List<String> notChecked) {
        /** Regions sorted by name, as the Cloud API sorts a cluster's CMEK regions. */
        public VerifyReport {
            regions = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(regions));
            notChecked = List.copyOf(notChecked);
        }

        /** True when no control failed in any region. */
        public boolean ok() {
            return regions.values().stream().allMatch(RegionControls::ok);
        }

        /** The failures of the controls about the principal (the same in every region), for short summaries. */
        public List<String> principalFindings() {
            java.util.LinkedHashSet<String> out = new java.util.LinkedHashSet<>();
            regions.values()
                    .forEach(r -> r.controls().stream()
                            .filter(c -> c.failed()
                                    && (c.control() == Control.PRINCIPAL_TRUST || c.control() == Control.EXTERNAL_ID))
                            .forEach(c -> out.addAll(c.evidence())));
            return List.copyOf(out);
        }

        /** This report with one more control in each region (CockroachDB's own status is known only to the caller). */
        public VerifyReport with(Map<String, ControlResult> perRegion) {
            Map<String, RegionControls> out = new java.util.LinkedHashMap<>();
            regions.forEach(
                    (region, r) -> out.put(region, perRegion.containsKey(region) ? r.with(perRegion.get(region)) : r));
            return new VerifyReport(principal, out, notChecked);
        }

        /**
         * One region: the key, its controls in {@link Control} order, and when its newest key version was made.
         *
         * @param newestKeyVersion null when the key could not be read
         */
        public record RegionControls(String key, List<ControlResult> controls, Instant newestKeyVersion) {
            public RegionControls {
                controls = controls.stream()
                        .sorted(java.util.Comparator.comparing(ControlResult::control))
                        .toList();
            }

            public boolean ok() {
                return controls.stream().noneMatch(ControlResult::failed);
            }

            /** The evidence of each failed control. */
            public List<String> findings() {
                return controls.stream()
                        .filter(ControlResult::failed)
                        .flatMap(c -> c.evidence().stream())
                        .distinct()
                        .toList();
            }

            public Optional<ControlResult> control(Control c) {
                return controls.stream().filter(x -> x.control() == c).findFirst();
            }

            RegionControls with(ControlResult check) {
                List<ControlResult> out = new java.util.ArrayList<>(controls);
                out.removeIf(c -> c.control() == check.control());
                out.add(check);
                return new RegionControls(key, out, newestKeyVersion);
            }
        }
    }

    /** An export adopts only what provision would: a resource with our name that is not ours or not fit stops it. */
    static void refuseBlocked(String clusterId, List<dev.cmek.core.Change> blocked) {
        if (!blocked.isEmpty()) {
            throw new dev.cmek.CmekException(
                    dev.cmek.ExitCode.REJECTED,
                    "cluster " + clusterId + ": a resource with our name is not ours or not fit, so it is neither made"
                            + " nor adopted: "
                            + blocked.stream()
                                    .map(c -> c.resource() + " (" + c.detail() + ")")
                                    .toList());
        }
    }
}
