package dev.cmek.aws;

import dev.cmek.core.Change;
import dev.cmek.core.Control;
import dev.cmek.core.Parallel;
import dev.cmek.core.RevocationJournal;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import software.amazon.awssdk.regions.Region;

/**
 * The AWS side of CMEK for one cluster: a cross-account role, a key per region (or one multi-region key, or keys the
 * customer brings) and a key-policy grant; plus plan, verify, revoke and restore. It orchestrates: the role is
 * {@link CrossAccountRole}'s, the keys {@link ClusterKeys}', the grants {@link KeyPolicyGrants}', revocation
 * {@link GrantRevocation}'s. It never deletes, disables or schedules deletion of anything it did not add itself.
 */
public final class AwsCmek implements AutoCloseable {
    private final AwsClients clients;
    private final Clock clock;
    private final Parallel parallel = new Parallel("aws-cmek");

    public AwsCmek(AwsClients clients) {
        this(clients, Clock.systemUTC());
    }

    public AwsCmek(AwsClients clients, Clock clock) {
        this.clients = clients;
        this.clock = clock;
    }

    /**
     * Builds now the SDK clients a run in {@code regions} uses (IAM, STS, and KMS of each Region), so that a caller with
     * other work to do first can have them built beside it. Sends nothing.
     */
    public void prepare(java.util.Collection<Region> regions) {
        clients.iam();
        clients.sts();
        regions.forEach(clients::kms);
    }

    /** What provision would create, change or leave alone; makes no change (reads only). */
    public ProvisionResult plan(AwsCmekRequest request) {
        return run(request, false);
    }

    /** Ensures the role, the keys and the grants; safe to re-run after any failure, converges without duplicates. */
    public ProvisionResult provision(AwsCmekRequest request) {
        return Parallel.operation(() -> run(request, true));
    }

    private ProvisionResult run(AwsCmekRequest req, boolean apply) {
        if (req.placement() instanceof KeyPlacement.Existing existing) {
            refuseKeysOfOtherAccounts(req, existing);
        }
        // Who we are (for the KMS pacer and a plan's role ARN) is asked beside the role's read, off the critical path.
        CompletableFuture<CallerIdentity> caller = parallel.async(clients::caller);
        CrossAccountRole role = new CrossAccountRole(
                clients.iam(),
                req.names(),
                req.principalPropagationBound(),
                req.regions().stream().map(Region::id).toList());
        // The role's read, beside who we are; a provision does not wait for the read to create the role (see ensure).
        CompletableFuture<Optional<CrossAccountRole.Live>> roleRead = parallel.async(role::find);
        CompletableFuture<CrossAccountRole.Outcome> roleF = parallel.async(() -> {
            CallerIdentity me = Parallel.get(caller);
            TrustPolicy trust = req.trustPolicy(me.partition());
            return apply
                    ? role.ensure(trust, req.repairDrift(), roleRead, me)
                    : role.ensure(trust, req.repairDrift(), false, Parallel.get(roleRead), me);
        });
        ClusterKeys clusterKeys = new ClusterKeys(clients, parallel, req);
        Map<Region, CompletableFuture<ClusterKeys.Outcome>> regions = clusterKeys.ensure(apply, roleF);
        List<CompletableFuture<?>> others = new ArrayList<>(regions.values());
        others.add(caller);
        // Waited for, not judged: where the read mattered, the role's outcome already used it (and its failure).
        others.add(roleRead.handle((live, failure) -> null));
        CrossAccountRole.Outcome roleOutcome = Parallel.join(roleF, others);
        List<Change> changes = new ArrayList<>(List.of(roleOutcome.change()));
        Map<String, KeyArn> keys = new LinkedHashMap<>();
        regions.forEach((r, f) -> {
            ClusterKeys.Outcome o = f.join();
            changes.addAll(o.changes());
            if (o.key() != null) {
                keys.put(r.id(), o.key());
            }
        });
        if (!apply && !(req.placement() instanceof KeyPlacement.Existing)) {
            // A plan also names keys of the cluster that no run uses but that still grant the role (issue 8, item 9).
            OrphanKeys orphans = new OrphanKeys(clients);
            List<CompletableFuture<List<Change>>> found = new ArrayList<>();
            regions.forEach((r, f) -> found.add(parallel.async(() ->
                    orphans.inPlan(clusterKeys.in(r), req.names(), f.join().key()))));
            Parallel.joinAll(found).forEach(changes::addAll);
        }
        return new ProvisionResult(apply, roleOutcome.arn(), keys, changes);
    }

    /**
     * Key policies can be neither read nor written from another account (GetKeyPolicy and PutKeyPolicy: "Cross-account
     * use: No", https://docs.aws.amazon.com/kms/latest/APIReference/API_PutKeyPolicy.html), so a brought key of
     * another account is refused before anything is made, with the statement its owner must add.
     */
    private void refuseKeysOfOtherAccounts(AwsCmekRequest req, KeyPlacement.Existing existing) {
        CallerIdentity me = clients.caller();
        for (Region r : req.regions()) {
            KeyArn key = existing.keysByRegion().get(r.id());
            if (!key.account().equals(me.account())) {
                RoleArn role =
                        RoleArn.of(me.partition(), me.account(), req.names().roleName());
                throw new InvalidInputException(
                        "--existing-key for " + r,
                        key.value(),
                        "a key of account " + me.account() + " (the account of your credentials): key policies cannot"
                                + " be read or written from another account. Run cmek with credentials of account "
                                + key.account() + ", or have that key's owner add this statement to its key policy: "
                                + new KeyPolicyGrant(req.names().grantSid(), role).statement()
                                + " and build the manifest with `cmek manifest build`");
            }
        }
    }

    /**
     * Reads the live role, keys, key policies and rotation, and reports per region each {@link Control} with its
     * evidence. A missing or foreign role, and a key that is gone, pending deletion or unreadable, are failed controls,
     * never failures. Orphan keys are not looked for (see {@link #verify(AwsCmekRequest, Set)}).
     */
    public VerifyReport verify(AwsCmekRequest req) {
        return verify(req, Optional.empty());
    }

    /**
     * As {@link #verify(AwsCmekRequest)}, and also looks in each region for keys tagged for the cluster that still grant
     * its role: those in {@code formerKeys} (keys CockroachDB used before) are listed, any other fails
     * {@link Control#NO_ORPHAN_GRANTS}.
     */
    public VerifyReport verify(AwsCmekRequest req, Set<KeyArn> formerKeys) {
        return verify(req, Optional.of(Set.copyOf(formerKeys)));
    }

    private VerifyReport verify(AwsCmekRequest req, Optional<Set<KeyArn>> former) {
        ResourceNames names = req.names();
        CrossAccountRole role = new CrossAccountRole(clients.iam(), names, req.principalPropagationBound());
        CompletableFuture<Optional<CrossAccountRole.Live>> roleF = parallel.async(role::find);
        ClusterKeys clusterKeys = new ClusterKeys(clients, parallel, req);
        KeyControls controls = new KeyControls(clients, parallel, req);
        Map<Region, CompletableFuture<VerifyReport.RegionControls>> regions = new LinkedHashMap<>();
        for (Region r : req.regions()) {
            KeyArn asked = req.placement() instanceof KeyPlacement.Existing e
                    ? e.keysByRegion().get(r.id())
                    : null;
            regions.put(r, parallel.async(() -> {
                // A key is read in its own region, whichever cluster region it serves.
                RegionalKeys keys = clusterKeys.in(asked != null ? asked.region() : r);
                // The role's ARN as found, else as it would be named in the key's account.
                RoleArn expected = Parallel.get(roleF)
                        .map(CrossAccountRole.Live::arn)
                        .orElseGet(() -> asked != null
                                ? RoleArn.of(asked.partition(), asked.account(), names.roleName())
                                : RoleArn.of(
                                        clients.caller().partition(),
                                        clients.caller().account(),
                                        names.roleName()));
                return controls.evaluate(keys, asked, expected, former);
            }));
        }
        Optional<CrossAccountRole.Live> live = Parallel.join(roleF, List.copyOf(regions.values()));
        Map<String, VerifyReport.RegionControls> checks = new LinkedHashMap<>();
        regions.forEach((r, f) -> checks.put(r.id(), f.join()));
        return new VerifyReport(live.map(CrossAccountRole.Live::arn).orElse(null), RoleControls.of(live, req), checks);
    }

    /**
     * When {@code key}'s newest key material was made: its newest rotation (automatic or on demand; a multi-Region key's
     * are its primary's), else its creation. Empty when the key does not exist.
     */
    public Optional<java.time.Instant> newestKeyVersion(KeyArn key) {
        KeyArn target = rotationTarget(key);
        RegionalKeys keys = new RegionalKeys(clients, target.region(), null, AwsCmekRequest.DEFAULT_PROPAGATION_BOUND);
        return keys.describe(target.value()).map(keys::newestMaterial);
    }

    /**
     * Breach response, failing toward revocation: the role's trust is cut first and on its own (the master switch), and
     * our grant leaves every key tagged for the cluster and every key in use, each Region independently. Each
     * document's intent goes to {@code journal} before that document's first write; what could not be changed is in
     * the record's targets as LEFT, with what to do, never thrown. Nothing is deleted or disabled. Keep the intents:
     * {@link #restore} puts back exactly what they say was removed.
     */
    public RevocationRecord revoke(RevocationRequest req, RevocationJournal<RevocationRecord.Intent> journal) {
        return Parallel.operation(
                () -> new GrantRevocation(clients, parallel, clock).revoke(req, this::callerArn, journal));
    }

    /** {@link #revoke(RevocationRequest, RevocationJournal<RevocationRecord.Intent>)}, keeping the intents only in the returned record. */
    public RevocationRecord revoke(RevocationRequest req) {
        return revoke(req, RevocationJournal.none());
    }

    /**
     * Puts back exactly what the intents say was removed, once every one of them was found to be for this cluster, the
     * credentials' account and the canonical shapes this toolkit writes ({@link UntrustedRecordException} otherwise,
     * before anything is written); keeps unrelated later edits; says what it could not put back.
     */
    public RestoreResult restore(RestoreRequest req) {
        return new GrantRestoration(clients, parallel).restore(req);
    }

    /** The generation tag of one of our keys (1 for the first key, +1 per key rotation); empty for a key that is not ours. */
    public OptionalInt generationOf(ClusterId cluster, KeyArn key) {
        ResourceNames names = new ResourceNames(cluster);
        Map<String, String> tags;
        try {
            tags = new RegionalKeys(clients, key.region(), names, AwsCmekRequest.DEFAULT_PROPAGATION_BOUND).tags(key);
        } catch (CallFailedException e) {
            if (e.getCause() instanceof software.amazon.awssdk.services.kms.model.NotFoundException) {
                return OptionalInt.empty(); // a key that does not exist (any more) is not one of ours in use
            }
            throw e;
        }
        if (!names.isOurs(tags)) {
            return OptionalInt.empty();
        }
        try {
            return OptionalInt.of(Integer.parseInt(tags.getOrDefault(ResourceNames.GENERATION_TAG, "1")));
        } catch (NumberFormatException e) {
            return OptionalInt.empty();
        }
    }

    /**
     * Rotates the key material of a key in place (KMS RotateKeyOnDemand); the ARN and the grants stay the same. A
     * multi-Region key is rotated at its primary, whichever replica is named: rotation is a property the primary
     * shares with its replicas
     * (https://docs.aws.amazon.com/kms/latest/developerguide/multi-region-keys-overview.html#mrk-sync-properties).
     *
     * @return the key whose material was rotated (the primary, for a multi-Region key)
     */
    public KeyArn rotateKeyMaterial(KeyArn key) {
        KeyArn target = rotationTarget(key);
        new RegionalKeys(clients, target.region(), null, AwsCmekRequest.DEFAULT_PROPAGATION_BOUND)
                .rotateOnDemand(target);
        return target;
    }

    /** The key RotateKeyOnDemand must be called on: the key itself, or a multi-Region key's primary. */
    public KeyArn rotationTarget(KeyArn key) {
        if (!key.multiRegion()) {
            return key;
        }
        var conf = new RegionalKeys(clients, key.region(), null, AwsCmekRequest.DEFAULT_PROPAGATION_BOUND)
                .describe(key.value())
                .map(l -> l.metadata().multiRegionConfiguration())
                .orElse(null);
        return conf != null && conf.primaryKey() != null
                ? KeyArn.of(conf.primaryKey().arn())
                : key;
    }

    /**
     * The policy provision leaves on {@code key}, which exists: its live policy with the cluster's grant to {@code role}
     * added (or put back exactly), every other statement as the owner keeps it. Reads only; for a configuration that
     * adopts the key without changing anything else in its policy.
     */
    public PolicyDocument keyPolicyWithGrant(ClusterId cluster, KeyArn key, RoleArn role) {
        ResourceNames names = new ResourceNames(cluster);
        PolicyDocument live =
                new RegionalKeys(clients, key.region(), names, AwsCmekRequest.DEFAULT_PROPAGATION_BOUND).policy(key);
        return new KeyPolicyGrant(names.grantSid(), role).mergeInto(live);
    }

    /** The key {@code alias} names in {@code region}, if the alias exists there. Reads only. */
    public Optional<KeyArn> keyOfAlias(Region region, String alias) {
        return new RegionalKeys(clients, region, null, AwsCmekRequest.DEFAULT_PROPAGATION_BOUND)
                .describe(alias)
                .map(RegionalKeys.Live::arn);
    }

    /** The cluster's role, if these credentials find it and it carries our tag (what provisioning made). */
    public Optional<RoleArn> ourRole(ClusterId cluster) {
        ResourceNames names = new ResourceNames(cluster);
        return new CrossAccountRole(clients.iam(), names, AwsCmekRequest.DEFAULT_PROPAGATION_BOUND)
                .find()
                .filter(live -> names.isOurs(live.tags()))
                .map(CrossAccountRole.Live::arn);
    }

    /** The account of the credentials in use (STS GetCallerIdentity, asked once). */
    public AccountId callerAccount() {
        return clients.caller().account();
    }

    private String callerArn() {
        return clients.caller().arn();
    }

    @Override
    public void close() {
        parallel.close();
    }
}
