package dev.cmek.workflow;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cmek.model.KeySpec;
import dev.cmek.model.Manifest;
import dev.cmek.model.RegionSpec;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

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

    /** New key material inside the KMS with the key's URI unchanged. */
    void rotateKeyMaterial(KeySpec spec);

    /**
     * Removes CockroachDB's grants on the keys in use and its way into the principal, and returns what was removed.
     * Never deletes, disables or schedules deletion of a key.
     *
     * @param liveSpecs the key spec each region uses now, from the Cloud API
     * @param immediate also cut access already in use (AWS: deny role sessions issued before now; GCP: disable the
     *     service account, which is reversible)
     * @param beforeChanges receives the complete record before the first write, where the cloud allows it, so that a
     *     revocation cut short can still be restored
     */
    Revocation revoke(
            ClusterTarget cluster, Map<String, KeySpec> liveSpecs, boolean immediate, Consumer<JsonNode> beforeChanges);

    /** Puts back exactly what {@code record} says was removed, then reads it back. */
    RestoreReport restore(JsonNode record);

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
    record ProvisionReport(List<RegionSpec> specs, List<ResourceChange> changes) {
        public ProvisionReport {
            specs = List.copyOf(specs);
            changes = List.copyOf(changes);
        }

        public Optional<Manifest> manifest() {
            return specs.stream().allMatch(s -> !s.keySpec().uri().isEmpty())
                    ? Optional.of(new Manifest(specs))
                    : Optional.empty();
        }

        public boolean blocked() {
            return changes.stream().anyMatch(c -> c.action() == ResourceChange.Action.BLOCKED);
        }

        public boolean changedAnything() {
            return changes.stream()
                    .anyMatch(c ->
                            c.action() == ResourceChange.Action.CREATED || c.action() == ResourceChange.Action.UPDATED);
        }
    }

    /**
     * One resource and what happened (or would happen) to it; the vocabulary both adapters map to.
     *
     * @param type what kind of resource, in words: {@code role}, {@code key}, {@code key policy}, {@code service account},
     *     {@code service account policy}, {@code key ring}, {@code crypto key}, {@code crypto key policy}
     * @param region the cluster region it serves, or null for a resource every region shares (a role, a service account)
     */
    record ResourceChange(String type, String resource, String region, Action action, String detail) {
        /** BLOCKED: found without our mark (never adopted) or unfit; DRIFTED: ours but not as intended, reported only. */
        public enum Action {
            CREATED,
            UPDATED,
            UNCHANGED,
            WOULD_CREATE,
            WOULD_UPDATE,
            DRIFTED,
            BLOCKED
        }
    }

    /** The cloud record of a revocation: the adapter's own document, plus a readable list of what was removed. */
    record Revocation(JsonNode record, List<String> removed) {}

    record RestoreReport(List<String> restored, List<String> warnings) {}

    /**
     * Each region's controls with their evidence.
     *
     * @param principal the role ARN or service account email the cluster's keys are used through
     * @param notChecked what could grant access but could not be read (GCP: folder and organization policies)
     */
    record VerifyReport(String principal, Map<String, RegionControls> regions, List<String> notChecked) {
        public VerifyReport {
            regions = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(regions));
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
        public VerifyReport with(Map<String, Control.Check> perRegion) {
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
        public record RegionControls(String key, List<Control.Check> controls, Instant newestKeyVersion) {
            public RegionControls {
                controls = controls.stream()
                        .sorted(java.util.Comparator.comparing(Control.Check::control))
                        .toList();
            }

            public boolean ok() {
                return controls.stream().noneMatch(Control.Check::failed);
            }

            /** The evidence of each failed control. */
            public List<String> findings() {
                return controls.stream()
                        .filter(Control.Check::failed)
                        .flatMap(c -> c.evidence().stream())
                        .distinct()
                        .toList();
            }

            public Optional<Control.Check> control(Control c) {
                return controls.stream().filter(x -> x.control() == c).findFirst();
            }

            RegionControls with(Control.Check check) {
                List<Control.Check> out = new java.util.ArrayList<>(controls);
                out.removeIf(c -> c.control() == check.control());
                out.add(check);
                return new RegionControls(key, out, newestKeyVersion);
            }
        }
    }
}
