package dev.cmek.workflow;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cmek.model.KeySpec;
import dev.cmek.model.Manifest;
import dev.cmek.model.RegionSpec;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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

    /** Whether each region's key spec is usable by CockroachDB's principal and nothing broader is granted. */
    VerifyReport verify(ClusterTarget cluster, Map<String, KeySpec> liveSpecs);

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
     * Per region: ok when CockroachDB's principal can use the key and nothing broader is granted.
     *
     * @param notChecked what could grant access but could not be read (GCP: folder and organization policies)
     */
    record VerifyReport(List<String> principalFindings, Map<String, RegionCheck> regions, List<String> notChecked) {
        public VerifyReport(List<String> principalFindings, Map<String, RegionCheck> regions) {
            this(principalFindings, regions, List.of());
        }

        public boolean ok() {
            return principalFindings.isEmpty() && regions.values().stream().allMatch(RegionCheck::ok);
        }

        public record RegionCheck(String key, boolean ok, List<String> findings) {}
    }
}
