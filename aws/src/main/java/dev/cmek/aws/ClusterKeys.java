package dev.cmek.aws;

import dev.cmek.core.Change;
import dev.cmek.core.Parallel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.model.KeySpec;
import software.amazon.awssdk.services.kms.model.KeyState;
import software.amazon.awssdk.services.kms.model.KeyUsageType;

/**
 * The cluster's key in every region, with its grant: our key per region, one multi-region key (primary in the first
 * region, a replica in each other), or keys the customer brings. Regions run in parallel; each waits for the role only
 * where it needs its ARN.
 */
final class ClusterKeys {
    /** One region: the key serving it (null when a plan would create it) and what was done. */
    record Outcome(KeyArn key, RegionalKeys.Live live, List<Change> changes) {}

    private final AwsClients clients;
    private final Parallel parallel;
    private final AwsCmekRequest request;
    private final ResourceNames names;
    private final KeyPolicyGrants grants;
    private final KeyRotations rotations;

    ClusterKeys(AwsClients clients, Parallel parallel, AwsCmekRequest request) {
        this.clients = clients;
        this.parallel = parallel;
        this.request = request;
        this.names = request.names();
        this.grants = new KeyPolicyGrants(request);
        this.rotations = new KeyRotations(request.rotation());
    }

    RegionalKeys in(Region region) {
        return new RegionalKeys(clients, region, names, request.principalPropagationBound());
    }

    /** Starts every region; each future answers that region's outcome. */
    Map<Region, CompletableFuture<Outcome>> ensure(boolean apply, CompletableFuture<CrossAccountRole.Outcome> role) {
        Map<Region, CompletableFuture<Outcome>> regions = new LinkedHashMap<>();
        if (request.placement() instanceof KeyPlacement.MultiRegion) {
            Region primary = request.regions().get(0);
            CompletableFuture<Outcome> primaryF = parallel.async(() -> ensureOurKey(primary, apply, role, null));
            regions.put(primary, primaryF);
            for (Region r : request.regions().subList(1, request.regions().size())) {
                regions.put(r, parallel.async(() -> ensureOurKey(r, apply, role, primaryF)));
            }
        } else if (request.placement() instanceof KeyPlacement.Existing e) {
            // One key may serve several regions (CockroachDB allows any mapping of keys to regions): its grant is
            // ensured once, in the key's own region, and the other regions it serves report it as shared.
            Map<KeyArn, Region> firstServed = new LinkedHashMap<>();
            Map<KeyArn, CompletableFuture<Outcome>> byKey = new LinkedHashMap<>();
            for (Region r : request.regions()) {
                KeyArn arn = e.keysByRegion().get(r.id());
                CompletableFuture<Outcome> first = byKey.get(arn);
                if (first == null) {
                    firstServed.put(arn, r);
                    CompletableFuture<Outcome> f = parallel.async(() -> ensureExistingKey(r, arn, apply, role));
                    byKey.put(arn, f);
                    regions.put(r, f);
                } else {
                    String servedFirst = firstServed.get(arn).id();
                    regions.put(
                            r,
                            first.thenApply(o -> new Outcome(
                                    o.key(),
                                    o.live(),
                                    List.of(AwsResource.keyPolicy(
                                            arn.value(),
                                            r.id(),
                                            Change.Action.UNCHANGED,
                                            "the same key as " + servedFirst + "; its grant is listed there")))));
                }
            }
        } else {
            for (Region r : request.regions()) {
                regions.put(r, parallel.async(() -> ensureOurKey(r, apply, role, null)));
            }
        }
        return regions;
    }

    private Outcome ensureOurKey(
            Region region,
            boolean apply,
            CompletableFuture<CrossAccountRole.Outcome> roleF,
            CompletableFuture<Outcome> primaryF) {
        RegionalKeys keys = in(region);
        String alias = names.alias(request.generation());
        boolean multi = request.placement() instanceof KeyPlacement.MultiRegion;
        List<Change> changes = new ArrayList<>();
        List<CompletableFuture<?>> pending = List.of();
        boolean fresh = false;
        keys.prefetchLookups(parallel);
        Optional<RegionalKeys.Live> found = keys.findByAlias(alias);
        RegionalKeys.Live key;
        if (found.isPresent()) {
            key = found.get();
            if (Boolean.TRUE.equals(key.metadata().multiRegion()) != multi) {
                throw new AwsCmekException(alias + " in " + region + " is " + (multi ? "not " : "")
                        + "a multi-region key, but the request asks for " + request.placement()
                        + "; keep the placement the cluster was provisioned with (--aws-multi-region-key or not),"
                        + " or rotate to a new key with `cmek rotate --new-key`");
            }
            if (key.metadata().keyState() == KeyState.PENDING_DELETION) {
                throw new AwsCmekException(alias + " in " + region + " points to a key pending deletion; cancel the "
                        + "deletion (`aws kms cancel-key-deletion`) before re-running");
            }
            if (!names.isOurs(keys.tags(key.arn()))) {
                if (primaryF != null && isReplicaOf(key, Parallel.get(primaryF))) {
                    if (apply) {
                        keys.tag(key.arn(), request.generation());
                    }
                    changes.add(AwsResource.key(
                            alias, region.id(), Change.Action.updated(apply), "tagged replica " + key.arn()));
                } else if (!apply) {
                    changes.add(AwsResource.key(
                            alias,
                            region.id(),
                            Change.Action.BLOCKED,
                            "alias points to " + key.arn() + " which is not tagged as ours; if it is the cluster's: `"
                                    + names.tagKeyCommand(key.arn(), request.generation()) + "`"));
                    return new Outcome(key.arn(), key, changes);
                } else {
                    throw new NotOursException(
                            AwsResource.KEY,
                            alias + " -> " + key.arn(),
                            region.id(),
                            "no tag " + ResourceNames.CLUSTER_TAG + "=" + names.clusterId(),
                            names.tagKeyCommand(key.arn(), request.generation()));
                }
            } else {
                changes.add(AwsResource.key(
                        alias, region.id(), Change.Action.UNCHANGED, key.arn().value()));
            }
        } else {
            Optional<RegionalKeys.Live> orphan = keys.findOrphan(request.generation());
            if (orphan.isEmpty() && primaryF != null) {
                Outcome p = Parallel.get(primaryF);
                orphan = p.live() == null
                        ? Optional.empty()
                        : RegionalKeys.replicaIn(p.live().metadata(), region).flatMap(a -> keys.describe(a.value()));
            }
            if (orphan.isPresent()) {
                // The role is known to be ours before anything is changed (a run refused there changes nothing).
                Parallel.get(roleF);
                key = orphan.get();
                boolean added = !apply || keys.alias(alias, key.arn());
                changes.add(
                        added
                                ? AwsResource.key(
                                        alias,
                                        region.id(),
                                        Change.Action.updated(apply),
                                        "found our unaliased key " + key.arn()
                                                + " (an earlier run stopped early); alias added")
                                : AwsResource.key(
                                        alias,
                                        region.id(),
                                        Change.Action.UNCHANGED,
                                        key.arn().value()));
            } else if (!apply) {
                CrossAccountRole.Outcome role = Parallel.get(roleF);
                changes.add(AwsResource.key(
                        alias,
                        region.id(),
                        Change.Action.WOULD_CREATE,
                        primaryF == null
                                ? "would create a " + (multi ? "multi-region " : "") + "key"
                                : "would replicate the primary key"));
                changes.add(AwsResource.keyPolicy(
                        alias, region.id(), Change.Action.WOULD_CREATE, "would grant " + role.arn()));
                changes.add(
                        primaryF == null
                                ? rotations.created(keys, null, alias, false)
                                : rotations.replica(
                                        keys, alias, request.regions().get(0).id()));
                return new Outcome(null, null, changes);
            } else if (!multi) {
                // Created now, beside the new role's propagation rather than after it: IAM may take seconds to show a
                // new role to KMS, which refuses a policy naming it until then, while the key's own propagation and
                // its alias's need not wait for that. So the key gets the owner's administration only, and the grant
                // is added by the policy write below once KMS accepts the role (retried as CreateKey was). A run
                // stopped in between leaves our tagged key without the grant, which a re-run finds and completes.
                // The role itself must be ours first (created, or found tagged for this cluster): a run refused there
                // makes no key.
                RoleArn role = Parallel.get(roleF).arn();
                key = keys.createWithoutGrant(
                        KeyPolicyGrant.administrationOnly(role.account(), role.partition()), request.generation());
                fresh = true;
                changes.add(AwsResource.key(
                        alias, region.id(), Change.Action.CREATED, key.arn().value()));
            } else {
                // A multi-region key's replicas are made with the policy they start with: the primary and each
                // replica name the role from the start.
                CrossAccountRole.Outcome role = Parallel.get(roleF);
                KeyPolicyGrant grant = new KeyPolicyGrant(names.grantSid(), role.arn());
                PolicyDocument policy = grant.newKeyPolicy(role.arn().account());
                if (primaryF == null) {
                    key = keys.create(policy, request.generation(), multi, role.arn());
                } else {
                    Outcome p = Parallel.get(primaryF);
                    key = in(p.key().region()).replicate(p.live(), region, policy, request.generation(), role.arn());
                }
                // A replica's tags depend only on the new key: overlap them with the rest.
                KeyArn made = key.arn();
                if (primaryF != null) {
                    pending = List.of(parallel.run(() -> keys.tag(made, request.generation())));
                }
                fresh = true;
                changes.add(AwsResource.key(
                        alias, region.id(), Change.Action.CREATED, key.arn().value()));
            }
        }
        if (primaryF == null && multi && !isPrimary(key)) {
            throw new AwsCmekException(alias + " in " + region + " is a replica, expected the primary key");
        }
        if (apply && key.metadata().keyState() == KeyState.CREATING) {
            // A replica is usable only once Enabled: nothing goes into the manifest (or to CockroachDB) before.
            key = keys.awaitEnabled(key.arn());
        }
        RegionalKeys.Live live = key; // the key as it now stands, for the tasks below
        KeyArn arn = key.arn();
        CompletableFuture<Change> grant;
        CompletableFuture<PolicyDocument> visible = fresh ? parallel.async(() -> keys.policyOfNewKey(arn)) : null;
        if (fresh) {
            // A new key's policy is polled until KMS finds the key. From that answer: the alias (instead of polling
            // DescribeKey for the same thing: half the reads a new key costs) and,
            // beside it, the rotation (no NotFound retries spent on the control-plane quota). The grant (which waits
            // for the role where the key was made without it) follows CreateAlias's answer, beside the wait for the
            // alias to resolve: a key made without the grant is granted only once our alias names it. A re-run that
            // could not see this cluster's key yet (its alias not resolved, the Tagging API not showing it) makes a
            // second key, whose CreateAlias is refused AlreadyExists: that key stays without the grant, never an
            // orphan the role may use. (A multi-Region key starts with the grant in its policy.)
            CompletableFuture<Boolean> named =
                    visible.thenCompose(p -> parallel.async(() -> keys.createAlias(alias, arn)));
            grant = named.thenCompose(created -> parallel.async(
                    () -> grants.ensure(keys, live, Parallel.get(roleF).arn(), visible.join(), apply)));
            List<CompletableFuture<?>> after = new ArrayList<>(pending);
            after.add(named.thenCompose(created -> parallel.async(() -> {
                if (created) {
                    keys.awaitAlias(alias, arn);
                }
                return created;
            })));
            pending = after;
        } else {
            grant = parallel.async(
                    () -> grants.ensure(keys, live, Parallel.get(roleF).arn(), apply));
        }
        CompletableFuture<Change> rotation = primaryF != null
                ? CompletableFuture.completedFuture(rotations.replica(
                        keys, arn.value(), request.regions().get(0).id()))
                : fresh
                        ? visible.thenCompose(p -> parallel.async(() -> rotations.created(keys, arn, alias, true)))
                        : parallel.async(() -> rotations.ensureOurs(keys, live, apply));
        List<CompletableFuture<?>> others = new ArrayList<>(pending);
        others.add(rotation);
        changes.add(Parallel.join(grant, others));
        changes.add(rotation.join());
        return new Outcome(key.arn(), key, changes);
    }

    /** Judged by the primary's ARN: moto marks a primary REPLICA once one of its replicas was described. */
    private static boolean isPrimary(RegionalKeys.Live key) {
        var conf = key.metadata().multiRegionConfiguration();
        return conf != null
                && conf.primaryKey() != null
                && key.arn().value().equals(conf.primaryKey().arn());
    }

    private static boolean isReplicaOf(RegionalKeys.Live key, Outcome primary) {
        var conf = key.metadata().multiRegionConfiguration();
        return primary.key() != null
                && conf != null
                && conf.primaryKey() != null
                && primary.key().value().equals(conf.primaryKey().arn());
    }

    private Outcome ensureExistingKey(
            Region region, KeyArn arn, boolean apply, CompletableFuture<CrossAccountRole.Outcome> roleF) {
        // A key is read and written in its own region, whichever cluster region it serves.
        RegionalKeys keys = in(arn.region());
        RegionalKeys.Live key = keys.describe(arn.value())
                .orElseThrow(() -> new InvalidInputException(
                        "--existing-key for " + region,
                        arn.value(),
                        "a key that exists and that the caller may kms:DescribeKey"));
        var m = key.metadata();
        // moto leaves KeyUsage out when CreateKey did not name it; AWS always reports it.
        if (m.keySpec() != KeySpec.SYMMETRIC_DEFAULT
                || (m.keyUsage() != null && m.keyUsage() != KeyUsageType.ENCRYPT_DECRYPT)
                || m.keyState() != KeyState.ENABLED) {
            throw new InvalidInputException(
                    "--existing-key for " + region,
                    arn + " (" + m.keySpec() + "/" + m.keyUsage() + "/" + m.keyState() + ")",
                    "an enabled SYMMETRIC_DEFAULT ENCRYPT_DECRYPT key");
        }
        CompletableFuture<Change> rotation = parallel.async(() -> rotations.brought(keys, key.arn()));
        Change grant = grants.ensure(keys, key, Parallel.get(roleF).arn(), apply);
        return new Outcome(key.arn(), key, List.of(grant, Parallel.join(rotation, List.of())));
    }
}
