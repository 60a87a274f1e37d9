package dev.cmek.aws;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.regions.Region;

/**
 * What a revocation works on, in plain values: the cluster (whose id names our role and tags our keys), the account
 * CockroachDB assumes the role from and the external id when they are known, the regions whose keys tagged for the
 * cluster lose the grant, and the keys in use (also revoked when not tagged: keys the customer brought). No region and
 * no key (a revocation without the Cloud API nor a manifest): the Regions come from the role's own tags.
 *
 * @param trustedAccount the cluster's account; empty when the Cloud API was not read, and then every Allow statement
 *     of our (tagged) role's trust is removed
 * @param externalId the organization id; empty when the Cloud API was not read
 * @param denyOlderSessions also deny role sessions issued before the trust was cut ({@code --immediate})
 * @param propagationBound how long a key just written may read back stale
 * @param dryRun read everything, write nothing: each document ends {@code WOULD_REMOVE} (or absent, or left)
 */
public record RevocationRequest(
        ClusterId clusterId,
        Optional<AccountId> trustedAccount,
        Optional<ExternalId> externalId,
        List<Region> regions,
        List<KeyArn> keysInUse,
        boolean denyOlderSessions,
        Duration propagationBound,
        boolean dryRun) {

    public RevocationRequest {
        regions = List.copyOf(new LinkedHashSet<>(regions));
        keysInUse = List.copyOf(new LinkedHashSet<>(keysInUse));
        if (propagationBound == null || propagationBound.isNegative()) {
            throw new InvalidInputException(
                    "propagation bound", String.valueOf(propagationBound), "a duration of zero or more");
        }
    }

    /**
     * A revocation of what {@code request} provisions: its regions, its brought keys, the cluster account and external
     * id it trusts.
     */
    public static RevocationRequest of(AwsCmekRequest request, boolean denyOlderSessions) {
        return new RevocationRequest(
                request.clusterId(),
                Optional.of(request.trustedAccount()),
                Optional.of(request.externalId()),
                request.regions(),
                request.placement() instanceof KeyPlacement.Existing e
                        ? List.copyOf(e.keysByRegion().values())
                        : List.of(),
                denyOlderSessions,
                request.principalPropagationBound(),
                false);
    }

    /** The same revocation, reading only. */
    public RevocationRequest asDryRun() {
        return new RevocationRequest(
                clusterId, trustedAccount, externalId, regions, keysInUse, denyOlderSessions, propagationBound, true);
    }

    public ResourceNames names() {
        return new ResourceNames(clusterId);
    }

    /** Every region to work in: the regions given and the regions of the keys in use, in that order. */
    public List<Region> allRegions() {
        LinkedHashSet<Region> all = new LinkedHashSet<>(regions);
        keysInUse.forEach(k -> all.add(k.region()));
        return List.copyOf(all);
    }
}
