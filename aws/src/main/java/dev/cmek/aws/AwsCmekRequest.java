package dev.cmek.aws;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import software.amazon.awssdk.regions.Region;

/**
 * Everything the AWS side needs, in plain values: the cluster (for names and tags), the account to trust with its
 * external id, the regions, and options.
 *
 * @param generation key generation: 1 for the first key; a higher number provisions a new key (alias suffix
 *     {@code -g<n>}) for key rotation while earlier keys keep their grants
 * @param repairDrift rewrite our role's trust policy or our grant statement when they drifted (otherwise only reported)
 * @param principalPropagationBound how long KMS may reject the role as an invalid principal before giving up
 * @param rotation automatic rotation of the keys this request creates (brought keys are never changed)
 */
public record AwsCmekRequest(
        ClusterId clusterId,
        AccountId trustedAccount,
        ExternalId externalId,
        List<Region> regions,
        KeyPlacement placement,
        boolean repairDrift,
        Duration principalPropagationBound,
        int generation,
        RotationPolicy rotation) {

    /** Terraform's AWS provider waits this long for IAM to propagate a new principal to KMS. */
    public static final Duration DEFAULT_PROPAGATION_BOUND = Duration.ofMinutes(2);

    public AwsCmekRequest {
        regions = List.copyOf(regions);
        if (regions.isEmpty() || new LinkedHashSet<>(regions).size() != regions.size()) {
            throw new InvalidInputException("regions", regions.toString(), "at least one region, none repeated");
        }
        if (placement instanceof KeyPlacement.Existing existing) {
            for (Region r : regions) {
                KeyArn arn = existing.keysByRegion().get(r.id());
                // Any region's key may serve r: CockroachDB allows any mapping of keys to regions
                // (https://www.cockroachlabs.com/docs/cockroachcloud/cmek-ops-aws); whether to is the caller's rule.
                if (arn == null) {
                    throw new InvalidInputException("existing key for " + r, "none", "a key ARN for every region");
                }
            }
        }
        if (principalPropagationBound == null || principalPropagationBound.isNegative()) {
            throw new InvalidInputException(
                    "principal propagation bound",
                    String.valueOf(principalPropagationBound),
                    "a duration of zero or more");
        }
        if (generation < 1) {
            throw new InvalidInputException("generation", Integer.toString(generation), "1 or more");
        }
        if (rotation == null) {
            throw new InvalidInputException("rotation", "null", "a rotation policy");
        }
    }

    /** Per-region keys, no drift repair, the default 2-minute propagation bound, generation 1, rotation on (365 days). */
    public static AwsCmekRequest of(
            ClusterId clusterId, AccountId trustedAccount, ExternalId externalId, List<Region> regions) {
        return new AwsCmekRequest(
                clusterId,
                trustedAccount,
                externalId,
                regions,
                KeyPlacement.perRegion(),
                false,
                DEFAULT_PROPAGATION_BOUND,
                1,
                RotationPolicy.defaults());
    }

    public AwsCmekRequest withPlacement(KeyPlacement p) {
        return changed(c -> c.placement = p);
    }

    public AwsCmekRequest withRepairDrift(boolean r) {
        return changed(c -> c.repairDrift = r);
    }

    public AwsCmekRequest withPrincipalPropagationBound(Duration d) {
        return changed(c -> c.principalPropagationBound = d);
    }

    public AwsCmekRequest withGeneration(int g) {
        return changed(c -> c.generation = g);
    }

    public AwsCmekRequest withRegions(List<Region> r) {
        return changed(c -> c.regions = r);
    }

    /** Automatic rotation for the keys this request creates. */
    public AwsCmekRequest withRotation(RotationPolicy r) {
        return changed(c -> c.rotation = r);
    }

    /** This request with one value changed: one place lists every field, so a new field cannot be dropped by a wither. */
    private AwsCmekRequest changed(java.util.function.Consumer<Copy> change) {
        Copy copy = new Copy(this);
        change.accept(copy);
        return new AwsCmekRequest(
                copy.clusterId,
                copy.trustedAccount,
                copy.externalId,
                copy.regions,
                copy.placement,
                copy.repairDrift,
                copy.principalPropagationBound,
                copy.generation,
                copy.rotation);
    }

    /** The fields of a request while a wither changes one; the record's constructor checks them again. */
    private static final class Copy {
        final ClusterId clusterId;
        final AccountId trustedAccount;
        final ExternalId externalId;
        List<Region> regions;
        KeyPlacement placement;
        boolean repairDrift;
        Duration principalPropagationBound;
        int generation;
        RotationPolicy rotation;

        Copy(AwsCmekRequest r) {
            clusterId = r.clusterId;
            trustedAccount = r.trustedAccount;
            externalId = r.externalId;
            regions = r.regions;
            placement = r.placement;
            repairDrift = r.repairDrift;
            principalPropagationBound = r.principalPropagationBound;
            generation = r.generation;
            rotation = r.rotation;
        }
    }

    public ResourceNames names() {
        return new ResourceNames(clusterId);
    }

    /** The role's trust policy in {@code partition} (the caller's, or the live role's). */
    public TrustPolicy trustPolicy(String partition) {
        return new TrustPolicy(trustedAccount, externalId, partition);
    }
}
