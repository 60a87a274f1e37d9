package dev.cmek.aws;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.function.Supplier;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.model.KeySpec;
import software.amazon.awssdk.services.kms.model.KeyState;
import software.amazon.awssdk.services.kms.model.KeyUsageType;

/**
 * The AWS side of CMEK for one cluster: a cross-account role, a key per region (or one multi-region key, or keys the
 * customer brings) and a key-policy grant; plus plan, verify, revoke and restore. Regions are worked on in parallel.
 * It never deletes, disables or schedules deletion of anything it did not add itself.
 */
public final class AwsCmek implements AutoCloseable {
    private final AwsClients clients;
    private final Clock clock;
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "aws-cmek");
        t.setDaemon(true);
        return t;
    });

    public AwsCmek(AwsClients clients) {
        this(clients, Clock.systemUTC());
    }

    public AwsCmek(AwsClients clients, Clock clock) {
        this.clients = clients;
        this.clock = clock;
    }

    /** What provision would create, change or leave alone; makes no change (reads only). */
    public ProvisionResult plan(CmekRequest request) {
        return run(request, false);
    }

    /** Ensures the role, the keys and the grants; safe to re-run after any failure, converges without duplicates. */
    public ProvisionResult provision(CmekRequest request) {
        return run(request, true);
    }

    private record RegionOutcome(KeyArn key, RegionalKeys.Live live, List<Change> changes) {}

    private ProvisionResult run(CmekRequest req, boolean apply) {
        ResourceNames names = req.names();
        CrossAccountRole role = new CrossAccountRole(clients.iam(), names);
        CompletableFuture<CrossAccountRole.Outcome> roleF =
                async(() -> role.ensure(req.trustPolicy(), req.repairDrift(), apply, role.find(), this::callerAccount));
        Map<Region, CompletableFuture<RegionOutcome>> regions = new LinkedHashMap<>();
        Region primary = req.regions().get(0);
        if (req.placement() instanceof KeyPlacement.MultiRegion) {
            CompletableFuture<RegionOutcome> primaryF = async(() -> ensureOurKey(req, primary, apply, roleF, null));
            regions.put(primary, primaryF);
            for (Region r : req.regions().subList(1, req.regions().size())) {
                regions.put(r, async(() -> ensureOurKey(req, r, apply, roleF, primaryF)));
            }
        } else {
            for (Region r : req.regions()) {
                regions.put(
                        r,
                        async(() -> req.placement() instanceof KeyPlacement.Existing e
                                ? ensureExistingKey(req, r, e.keysByRegion().get(r.id()), apply, roleF)
                                : ensureOurKey(req, r, apply, roleF, null)));
            }
        }
        CrossAccountRole.Outcome roleOutcome = join(roleF, List.copyOf(regions.values()));
        List<Change> changes = new ArrayList<>(List.of(roleOutcome.change()));
        Map<String, KeyArn> keys = new LinkedHashMap<>();
        regions.forEach((r, f) -> {
            RegionOutcome o = f.join();
            changes.addAll(o.changes());
            if (o.key() != null) {
                keys.put(r.id(), o.key());
            }
        });
        return new ProvisionResult(apply, roleOutcome.arn(), keys, changes);
    }

    private RegionOutcome ensureOurKey(
            CmekRequest req,
            Region region,
            boolean apply,
            CompletableFuture<CrossAccountRole.Outcome> roleF,
            CompletableFuture<RegionOutcome> primaryF) {
        ResourceNames names = req.names();
        RegionalKeys keys = new RegionalKeys(clients.kms(region), region, names, pool);
        String alias = names.alias(req.generation());
        String resource = "key " + alias;
        boolean multi = req.placement() instanceof KeyPlacement.MultiRegion;
        List<Change> changes = new ArrayList<>();
        List<CompletableFuture<?>> pending = List.of();
        Optional<RegionalKeys.Live> found = keys.describe(alias);
        RegionalKeys.Live key;
        if (found.isPresent()) {
            key = found.get();
            if (Boolean.TRUE.equals(key.metadata().multiRegion()) != multi) {
                throw new AwsCmekException(alias + " in " + region + " is " + (multi ? "not " : "")
                        + "a multi-region key, but the request asks for " + req.placement()
                        + "; keep the placement the cluster was provisioned with, or use a new generation");
            }
            if (key.metadata().keyState() == KeyState.PENDING_DELETION) {
                throw new AwsCmekException(alias + " in " + region + " points to a key pending deletion; cancel the "
                        + "deletion (kms:CancelKeyDeletion) before re-running");
            }
            if (!names.isOurs(keys.tags(key.arn()))) {
                if (primaryF != null && isReplicaOf(key, primaryF.join())) {
                    if (apply) {
                        keys.tag(key.arn(), req.generation());
                    }
                    changes.add(new Change(resource, region.id(), Change.Kind.UPDATED, "tagged replica " + key.arn()));
                } else if (!apply) {
                    changes.add(new Change(
                            resource,
                            region.id(),
                            Change.Kind.FOREIGN_LEFT_ALONE,
                            "alias points to " + key.arn() + " which is not tagged as ours"));
                    return new RegionOutcome(key.arn(), key, changes);
                } else {
                    throw new ForeignResourceException(
                            resource + " -> " + key.arn(),
                            region.id(),
                            "no tag " + ResourceNames.CLUSTER_TAG + "=" + names.clusterId());
                }
            } else {
                changes.add(new Change(
                        resource, region.id(), Change.Kind.UNCHANGED, key.arn().value()));
            }
        } else {
            Optional<RegionalKeys.Live> orphan = keys.findOrphan(req.generation());
            if (orphan.isEmpty() && primaryF != null) {
                RegionOutcome p = primaryF.join();
                orphan = p.live() == null
                        ? Optional.empty()
                        : RegionalKeys.replicaIn(p.live().metadata(), region).flatMap(a -> keys.describe(a.value()));
            }
            CrossAccountRole.Outcome role = roleF.join();
            KeyPolicyGrant grant = new KeyPolicyGrant(names.grantSid(), role.arn());
            if (orphan.isPresent()) {
                key = orphan.get();
                if (apply) {
                    keys.alias(alias, key.arn());
                }
                changes.add(new Change(
                        resource,
                        region.id(),
                        Change.Kind.UPDATED,
                        "found our unaliased key " + key.arn() + " (an earlier run stopped early); alias added"));
            } else if (!apply) {
                changes.add(new Change(
                        resource,
                        region.id(),
                        Change.Kind.CREATED,
                        primaryF == null
                                ? "would create a " + (multi ? "multi-region " : "") + "key"
                                : "would replicate the primary key"));
                changes.add(new Change(
                        "key policy of " + alias, region.id(), Change.Kind.CREATED, "would grant " + role.arn()));
                return new RegionOutcome(null, null, changes);
            } else {
                PolicyDocument policy = grant.newKeyPolicy(role.arn().account());
                if (primaryF == null) {
                    key = keys.create(policy, req.generation(), multi, req.principalPropagationBound(), role.arn());
                } else {
                    RegionOutcome p = primaryF.join();
                    RegionalKeys primaryKeys = new RegionalKeys(
                            clients.kms(p.key().region()), p.key().region(), names, pool);
                    key = primaryKeys.replicate(
                            p.live(), region, policy, req.generation(), req.principalPropagationBound(), role.arn());
                }
                // Alias (and a replica's tags) and the policy read-back below depend only on the new key: overlap them.
                KeyArn made = key.arn();
                List<CompletableFuture<?>> after = new ArrayList<>();
                after.add(async(() -> {
                    keys.alias(alias, made);
                    return null;
                }));
                if (primaryF != null) {
                    after.add(async(() -> {
                        keys.tag(made, req.generation());
                        return null;
                    }));
                }
                pending = after;
                changes.add(new Change(
                        resource, region.id(), Change.Kind.CREATED, key.arn().value()));
            }
        }
        if (primaryF == null && multi && !isPrimary(key)) {
            throw new AwsCmekException(alias + " in " + region + " is a replica, expected the primary key");
        }
        CompletableFuture<Change> grant = CompletableFuture.completedFuture(
                ensureGrant(req, region, keys, key, roleF.join().arn(), true, apply));
        changes.add(join(grant, pending));
        return new RegionOutcome(key.arn(), key, changes);
    }

    /** Judged by the primary's ARN: moto marks a primary REPLICA once one of its replicas was described. */
    private static boolean isPrimary(RegionalKeys.Live key) {
        var conf = key.metadata().multiRegionConfiguration();
        return conf != null
                && conf.primaryKey() != null
                && key.arn().value().equals(conf.primaryKey().arn());
    }

    private static boolean isReplicaOf(RegionalKeys.Live key, RegionOutcome primary) {
        var conf = key.metadata().multiRegionConfiguration();
        return primary.key() != null
                && conf != null
                && conf.primaryKey() != null
                && primary.key().value().equals(conf.primaryKey().arn());
    }

    private RegionOutcome ensureExistingKey(
            CmekRequest req,
            Region region,
            KeyArn arn,
            boolean apply,
            CompletableFuture<CrossAccountRole.Outcome> roleF) {
        RegionalKeys keys = new RegionalKeys(clients.kms(region), region, req.names(), pool);
        RegionalKeys.Live key = keys.describe(arn.value())
                .orElseThrow(() -> new AwsCmekException("existing key " + arn
                        + " not found; check the ARN and that the caller may kms:DescribeKey it"));
        var m = key.metadata();
        // moto leaves KeyUsage out when CreateKey did not name it; AWS always reports it.
        if (m.keySpec() != KeySpec.SYMMETRIC_DEFAULT
                || (m.keyUsage() != null && m.keyUsage() != KeyUsageType.ENCRYPT_DECRYPT)
                || m.keyState() != KeyState.ENABLED) {
            throw new AwsCmekException("existing key " + arn + " is " + m.keySpec() + "/" + m.keyUsage() + "/"
                    + m.keyState() + "; CMEK needs an enabled SYMMETRIC_DEFAULT ENCRYPT_DECRYPT key");
        }
        Change grant = ensureGrant(req, region, keys, key, roleF.join().arn(), false, apply);
        return new RegionOutcome(key.arn(), key, List.of(grant));
    }

    /** Read-modify-write of the key policy: adds our statement, keeps every other statement as it is. */
    private Change ensureGrant(
            CmekRequest req,
            Region region,
            RegionalKeys keys,
            RegionalKeys.Live key,
            RoleArn role,
            boolean ourKey,
            boolean apply) {
        String resource = "key policy of " + key.arn();
        KeyPolicyGrant grant = new KeyPolicyGrant(req.names().grantSid(), role);
        PolicyDocument current = keys.policy(key.arn());
        PolicyDocument target = grant.mergeInto(current, key.arn().account(), ourKey);
        if (target.sameAs(current)) {
            return new Change(resource, region.id(), Change.Kind.UNCHANGED, "grant to " + role + " as intended");
        }
        Optional<com.fasterxml.jackson.databind.node.ObjectNode> ours = current.statement(grant.sid());
        if (ours.isPresent() && !req.repairDrift()) {
            return new Change(
                    resource,
                    region.id(),
                    Change.Kind.DRIFT_REPORTED,
                    String.join("; ", grant.findings(current, key.arn().account())));
        }
        if (apply) {
            keys.writePolicy(key.arn(), target, req.principalPropagationBound(), role.value());
        }
        return new Change(
                resource,
                region.id(),
                Change.Kind.UPDATED,
                ours.isPresent() ? "grant statement repaired" : "grant to " + role + " added");
    }

    /** Reads the live role and key policies and says, per region, whether the grant is exactly as intended. */
    public VerifyReport verify(CmekRequest req) {
        ResourceNames names = req.names();
        CrossAccountRole role = new CrossAccountRole(clients.iam(), names);
        CompletableFuture<Optional<CrossAccountRole.Live>> roleF = async(role::find);
        Map<Region, CompletableFuture<VerifyReport.RegionCheck>> regions = new LinkedHashMap<>();
        for (Region r : req.regions()) {
            regions.put(r, async(() -> {
                RegionalKeys keys = new RegionalKeys(clients.kms(r), r, names, pool);
                Optional<RegionalKeys.Live> key = req.placement() instanceof KeyPlacement.Existing e
                        ? keys.describe(e.keysByRegion().get(r.id()).value())
                        : keys.describe(names.alias(req.generation()));
                if (key.isEmpty()) {
                    return new VerifyReport.RegionCheck(null, List.of("no key found for " + r));
                }
                KeyArn arn = key.get().arn();
                RoleArn expected = roleF.join()
                        .map(CrossAccountRole.Live::arn)
                        .orElse(RoleArn.of(arn.account(), names.roleName()));
                List<String> findings = new ArrayList<>(
                        new KeyPolicyGrant(names.grantSid(), expected).findings(keys.policy(arn), arn.account()));
                if (key.get().metadata().keyState() != KeyState.ENABLED) {
                    findings.add("key " + arn + " is " + key.get().metadata().keyState());
                }
                return new VerifyReport.RegionCheck(arn, findings);
            }));
        }
        Optional<CrossAccountRole.Live> live = join(roleF, List.copyOf(regions.values()));
        List<String> roleFindings = live.map(l -> names.isOurs(l.tags())
                        ? req.trustPolicy().findings(l.trust())
                        : List.of("role " + names.roleName() + " exists but is not tagged as ours"))
                .orElse(List.of("role " + names.roleName() + " does not exist"));
        Map<String, VerifyReport.RegionCheck> checks = new LinkedHashMap<>();
        regions.forEach((r, f) -> checks.put(r.id(), f.join()));
        return new VerifyReport(live.map(CrossAccountRole.Live::arn).orElse(null), roleFindings, checks);
    }

    /**
     * Breach response: removes our statement from every key policy of the cluster (every generation, every replica,
     * brought keys too) and the cluster account from the role's trust; optionally denies sessions issued before now.
     * Nothing is deleted or disabled. Keep the record: {@link #restore} puts back exactly what was removed.
     */
    public RevocationRecord revoke(CmekRequest req, boolean denySessionsIssuedBefore) {
        return revoke(req, denySessionsIssuedBefore, record -> {});
    }

    /**
     * As {@link #revoke(CmekRequest, boolean)}, but hands the complete record to {@code beforeWriting} after every
     * document was read and before the first write, so a revocation killed half-way can still be restored.
     */
    public RevocationRecord revoke(
            CmekRequest req, boolean denySessionsIssuedBefore, Consumer<RevocationRecord> beforeWriting) {
        Instant now = clock.instant();
        ResourceNames names = req.names();
        CrossAccountRole role = new CrossAccountRole(clients.iam(), names);
        CompletableFuture<String> who = async(() -> AwsCall.run(
                "sts:GetCallerIdentity",
                null,
                () -> clients.sts().getCallerIdentity().arn()));
        List<String> notes = Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<RevocationRecord.RoleRevocation> roleF = async(() -> {
            Optional<CrossAccountRole.Live> live = role.find();
            if (live.isEmpty()) {
                notes.add("role " + names.roleName() + " does not exist; nothing to revoke there");
                return null;
            }
            if (!names.isOurs(live.get().tags())) {
                notes.add("role " + names.roleName() + " is not tagged as ours; left untouched");
                return null;
            }
            PolicyDocument before = live.get().trust();
            PolicyDocument after = req.trustPolicy().revoked(before, names.trustDenySid());
            String deny = denySessionsIssuedBefore
                    ? TrustPolicy.denySessionsIssuedBefore(now).json()
                    : null;
            return new RevocationRecord.RoleRevocation(
                    live.get().arn(),
                    before.json(),
                    after.json(),
                    deny == null ? null : ResourceNames.REVOKE_SESSIONS_POLICY,
                    deny);
        });
        List<CompletableFuture<List<RevocationRecord.KeyRevocation>>> regions = new ArrayList<>();
        for (Region r : req.regions()) {
            regions.add(async(() -> {
                RegionalKeys keys = new RegionalKeys(clients.kms(r), r, names, pool);
                List<KeyArn> targets = new ArrayList<>(keys.ourAliases().values());
                if (req.placement() instanceof KeyPlacement.Existing e) {
                    targets.add(e.keysByRegion().get(r.id()));
                }
                List<RevocationRecord.KeyRevocation> out = new ArrayList<>();
                for (KeyArn key : targets.stream().distinct().toList()) {
                    PolicyDocument before = keys.policy(key);
                    if (before.statement(names.grantSid()).isPresent()) {
                        PolicyDocument after = before.withoutStatements(
                                s -> names.grantSid().equals(s.path("Sid").asText(null)));
                        out.add(new RevocationRecord.KeyRevocation(r.id(), key, before.json(), after.json()));
                    }
                }
                return out;
            }));
        }
        List<CompletableFuture<?>> reads = new ArrayList<>(regions);
        reads.add(who);
        RevocationRecord.RoleRevocation roleRevocation = join(roleF, reads);
        RevocationRecord record = new RevocationRecord(
                req.clusterId(),
                now,
                who.join(),
                roleRevocation,
                regions.stream().flatMap(f -> f.join().stream()).toList(),
                notes);
        beforeWriting.accept(record);

        List<CompletableFuture<Void>> writes = new ArrayList<>();
        for (RevocationRecord.KeyRevocation k : record.keys()) {
            writes.add(async(() -> {
                Region region = Region.of(k.region());
                new RegionalKeys(clients.kms(region), region, names, pool)
                        .writePolicy(
                                k.key(),
                                PolicyDocument.parse(k.policyAfter()),
                                req.principalPropagationBound(),
                                "(none added)");
                return null;
            }));
        }
        if (roleRevocation != null) {
            writes.add(async(() -> {
                PolicyDocument after = PolicyDocument.parse(roleRevocation.trustAfter());
                if (!after.sameAs(PolicyDocument.parse(roleRevocation.trustBefore()))) {
                    role.writeTrust(after);
                }
                if (roleRevocation.sessionDenyPolicy() != null) {
                    role.putInlinePolicy(
                            roleRevocation.sessionDenyPolicyName(),
                            PolicyDocument.parse(roleRevocation.sessionDenyPolicy()));
                }
                return null;
            }));
        }
        join(CompletableFuture.completedFuture(null), List.copyOf(writes));
        return record;
    }

    /** Puts back what {@code record} says was removed (keeping unrelated later edits), then reads back and checks. */
    public List<Change> restore(RevocationRecord record) {
        ResourceNames names = new ResourceNames(record.clusterId());
        List<CompletableFuture<Change>> tasks = new ArrayList<>();
        for (RevocationRecord.KeyRevocation k : record.keys()) {
            tasks.add(async(() -> {
                Region region = Region.of(k.region());
                RegionalKeys keys = new RegionalKeys(clients.kms(region), region, names, pool);
                PolicyDocument current = keys.policy(k.key());
                PolicyDocument target = PolicyDocument.restore(
                        current, PolicyDocument.parse(k.policyBefore()), PolicyDocument.parse(k.policyAfter()));
                String resource = "key policy of " + k.key();
                if (target.sameAs(current)) {
                    return new Change(resource, k.region(), Change.Kind.UNCHANGED, "already restored");
                }
                keys.writePolicy(
                        k.key(),
                        target,
                        CmekRequest.DEFAULT_PROPAGATION_BOUND,
                        record.role() == null ? "(role)" : record.role().role().value());
                return new Change(resource, k.region(), Change.Kind.UPDATED, "grant statement restored");
            }));
        }
        RevocationRecord.RoleRevocation rr = record.role();
        if (rr != null) {
            tasks.add(async(() -> {
                CrossAccountRole role = new CrossAccountRole(clients.iam(), names);
                String resource = "role " + names.roleName();
                CrossAccountRole.Live live = role.find()
                        .orElseThrow(() -> new AwsCmekException(resource
                                + " no longer exists; it cannot be restored (re-provision, then ask support)"));
                PolicyDocument target = PolicyDocument.restore(
                        live.trust(), PolicyDocument.parse(rr.trustBefore()), PolicyDocument.parse(rr.trustAfter()));
                boolean changed = false;
                if (!target.sameAs(live.trust())) {
                    role.writeTrust(target);
                    changed = true;
                }
                if (rr.sessionDenyPolicy() != null) {
                    Optional<PolicyDocument> deny = role.inlinePolicy(rr.sessionDenyPolicyName());
                    if (deny.isPresent() && deny.get().sameAs(PolicyDocument.parse(rr.sessionDenyPolicy()))) {
                        role.deleteRevocationPolicy();
                        changed = true;
                    }
                }
                return Change.iam(
                        resource,
                        changed ? Change.Kind.UPDATED : Change.Kind.UNCHANGED,
                        changed ? "trust restored" : "already restored");
            }));
        }
        join(CompletableFuture.completedFuture(null), List.copyOf(tasks));
        return tasks.stream().map(CompletableFuture::join).toList();
    }

    /** The generation tag of one of our keys (1 for the first key, +1 per key rotation); empty for a key that is not ours. */
    public java.util.OptionalInt generationOf(ClusterId cluster, KeyArn key) {
        ResourceNames names = new ResourceNames(cluster);
        Map<String, String> tags = new RegionalKeys(clients.kms(key.region()), key.region(), names, pool).tags(key);
        if (!names.isOurs(tags)) {
            return java.util.OptionalInt.empty();
        }
        try {
            return java.util.OptionalInt.of(Integer.parseInt(tags.getOrDefault(ResourceNames.GENERATION_TAG, "1")));
        } catch (NumberFormatException e) {
            return java.util.OptionalInt.empty();
        }
    }

    /** Rotates the key material of a key in place (KMS RotateKeyOnDemand); the ARN and the grants stay the same. */
    public void rotateKeyMaterial(KeyArn key) {
        new RegionalKeys(clients.kms(key.region()), key.region(), null, pool).rotateOnDemand(key);
    }

    private AccountId callerAccount() {
        return AccountId.of(AwsCall.run(
                "sts:GetCallerIdentity",
                null,
                () -> clients.sts().getCallerIdentity().account()));
    }

    private <T> CompletableFuture<T> async(Supplier<T> task) {
        return CompletableFuture.supplyAsync(task, pool);
    }

    /** Waits for everything, then rethrows the first failure (the main task's first) with the others suppressed. */
    private static <T> T join(CompletableFuture<T> main, List<? extends CompletableFuture<?>> others) {
        List<Throwable> failures = new ArrayList<>();
        for (CompletableFuture<?> f : concat(main, others)) {
            try {
                f.join();
            } catch (CompletionException e) {
                Throwable cause = e.getCause();
                if (failures.stream().noneMatch(x -> x == cause)) {
                    failures.add(cause);
                }
            }
        }
        if (failures.isEmpty()) {
            return main.join();
        }
        Throwable first = failures.get(0);
        failures.subList(1, failures.size()).forEach(first::addSuppressed);
        if (first instanceof RuntimeException re) {
            throw re;
        }
        throw new AwsCmekException(first.toString(), first);
    }

    private static List<CompletableFuture<?>> concat(
            CompletableFuture<?> main, List<? extends CompletableFuture<?>> others) {
        List<CompletableFuture<?>> all = new ArrayList<>();
        all.add(main);
        all.addAll(others);
        return all;
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
