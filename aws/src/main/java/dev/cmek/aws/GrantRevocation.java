package dev.cmek.aws;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Supplier;
import software.amazon.awssdk.regions.Region;

/**
 * Breach response on AWS: removes the cluster's grant from every key policy and the cluster account from the role's
 * trust, recording every document before and after; and restore, which puts back exactly what a record says was
 * removed. Nothing is deleted or disabled.
 */
final class GrantRevocation {
    private final AwsClients clients;
    private final Parallel parallel;

    GrantRevocation(AwsClients clients, Parallel parallel) {
        this.clients = clients;
        this.parallel = parallel;
    }

    private RegionalKeys keysIn(Region region, ResourceNames names, java.time.Duration propagationBound) {
        return new RegionalKeys(clients, region, names, propagationBound);
    }

    /** Reads everything, hands the complete record to {@code beforeWriting}, then writes. */
    RevocationRecord revoke(
            CmekRequest req,
            Instant now,
            boolean denySessionsIssuedBefore,
            Supplier<String> caller,
            Consumer<RevocationRecord> beforeWriting) {
        ResourceNames names = req.names();
        CrossAccountRole role = new CrossAccountRole(clients.iam(), names, req.principalPropagationBound());
        CompletableFuture<String> who = parallel.async(caller);
        List<String> notes = Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<RevocationRecord.RoleRevocation> roleF = parallel.async(() -> {
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
            PolicyDocument after = req.trustPolicy(live.get().arn().partition()).revoked(before, names.trustDenySid());
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
            regions.add(parallel.async(() -> {
                RegionalKeys keys = keysIn(r, names, req.principalPropagationBound());
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
        RevocationRecord.RoleRevocation roleRevocation = Parallel.join(roleF, reads);
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
            writes.add(parallel.run(() -> keysIn(Region.of(k.region()), names, req.principalPropagationBound())
                    .writePolicy(k.key(), PolicyDocument.parse(k.policyAfter()), "(none added)")));
        }
        if (roleRevocation != null) {
            writes.add(parallel.run(() -> {
                PolicyDocument after = PolicyDocument.parse(roleRevocation.trustAfter());
                if (!after.sameAs(PolicyDocument.parse(roleRevocation.trustBefore()))) {
                    role.writeTrust(after);
                }
                if (roleRevocation.sessionDenyPolicy() != null) {
                    role.putInlinePolicy(
                            roleRevocation.sessionDenyPolicyName(),
                            PolicyDocument.parse(roleRevocation.sessionDenyPolicy()));
                }
            }));
        }
        Parallel.joinAll(writes);
        return record;
    }

    /** Puts back what {@code record} says was removed (keeping unrelated later edits), reading each back. */
    List<Change> restore(RevocationRecord record, java.time.Duration propagationBound) {
        ResourceNames names = new ResourceNames(record.clusterId());
        List<CompletableFuture<Change>> tasks = new ArrayList<>();
        for (RevocationRecord.KeyRevocation k : record.keys()) {
            tasks.add(parallel.async(() -> {
                RegionalKeys keys = keysIn(Region.of(k.region()), names, propagationBound);
                PolicyDocument current = keys.policy(k.key());
                PolicyDocument target = PolicyDocument.restore(
                        current, PolicyDocument.parse(k.policyBefore()), PolicyDocument.parse(k.policyAfter()));
                if (target.sameAs(current)) {
                    return Change.keyPolicy(k.key().value(), k.region(), Change.Action.UNCHANGED, "already restored");
                }
                keys.writePolicy(
                        k.key(),
                        target,
                        record.role() == null ? "(role)" : record.role().role().value());
                return Change.keyPolicy(k.key().value(), k.region(), Change.Action.UPDATED, "grant statement restored");
            }));
        }
        RevocationRecord.RoleRevocation rr = record.role();
        if (rr != null) {
            tasks.add(parallel.async(() -> restoreTrust(names, rr, propagationBound)));
        }
        return Parallel.joinAll(tasks);
    }

    private Change restoreTrust(
            ResourceNames names, RevocationRecord.RoleRevocation rr, java.time.Duration propagationBound) {
        CrossAccountRole role = new CrossAccountRole(clients.iam(), names, propagationBound);
        CrossAccountRole.Live live = role.find()
                .orElseThrow(() -> new AwsCmekException("role " + names.roleName()
                        + " no longer exists; it cannot be restored: run `cmek provision` to make it again, then ask"
                        + " CockroachDB support to restore access"));
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
        return Change.role(
                names.roleName(),
                changed ? Change.Action.UPDATED : Change.Action.UNCHANGED,
                changed ? "trust restored" : "already restored");
    }
}
