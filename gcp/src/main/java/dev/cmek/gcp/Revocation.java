package dev.cmek.gcp;

import com.google.cloud.kms.v1.CryptoKeyName;
import com.google.iam.v1.Policy;
import dev.cmek.gcp.Change.Action;
import dev.cmek.gcp.Change.ResourceType;
import dev.cmek.gcp.RevocationRecord.PolicyRevocation;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Breach response: removes CockroachDB's two grants (and optionally disables the account), recording every policy
 * before and after, and puts back exactly what a record says was removed. Keys are never touched.
 */
final class Revocation {
    /** Bound on read-modify-write cycles per policy when restoring (the record carries no request). */
    static final int RESTORE_POLICY_ATTEMPTS = 5;

    private final ServiceAccount accounts;
    private final CryptoKeys keys;

    Revocation(ServiceAccount accounts, CryptoKeys keys) {
        this.accounts = accounts;
        this.keys = keys;
    }

    RevocationRecord revoke(
            ClusterId cluster,
            ServiceAccountEmail sa,
            Member cockroachMember,
            Map<String, CryptoKeyName> keysByRegion,
            boolean disableServiceAccount,
            int maxPolicyAttempts) {
        Instant started = Instant.now();
        Map<CryptoKeyName, List<String>> regionsByKey = new LinkedHashMap<>();
        keysByRegion.forEach((r, k) ->
                regionsByKey.computeIfAbsent(k, x -> new ArrayList<>()).add(r));
        Grant keyGrant = new Grant(Grant.ENCRYPTER_DECRYPTER, Member.serviceAccount(sa));
        Grant saGrant = new Grant(Grant.TOKEN_CREATOR, cockroachMember);
        List<Supplier<List<PolicyRevocation>>> tasks = new ArrayList<>();
        regionsByKey.forEach((key, regions) -> tasks.add(() -> {
            PolicyEdit.Outcome o = keys.setGrant(key, keyGrant, false, maxPolicyAttempts, null);
            return List.of(record(o, PolicyRevocation.Target.CRYPTO_KEY, regions, keyGrant));
        }));
        tasks.add(() -> {
            PolicyEdit.Outcome o = accounts.setGrant(sa, saGrant, false, maxPolicyAttempts, null);
            return List.of(record(o, PolicyRevocation.Target.SERVICE_ACCOUNT, List.of(), saGrant));
        });
        List<PolicyRevocation> policies = Parallel.all(tasks);
        boolean disabledNow = disableServiceAccount && accounts.disable(sa);
        return new RevocationRecord(
                cluster.value(),
                sa.value(),
                cockroachMember.value(),
                System.getProperty("user.name", "unknown"),
                started,
                Instant.now(),
                disabledNow,
                policies);
    }

    RestoreResult restore(RevocationRecord record) {
        ServiceAccountEmail sa = new ServiceAccountEmail(record.serviceAccount());
        List<Change> changes = new ArrayList<>();
        if (record.serviceAccountDisabled()) {
            accounts.enable(sa);
            changes.add(Change.account(ResourceType.SERVICE_ACCOUNT, sa.value(), Action.UPDATED, "enabled"));
        }
        List<Supplier<List<Change>>> tasks = new ArrayList<>();
        List<String> differ = Collections.synchronizedList(new ArrayList<>());
        for (PolicyRevocation p : record.policies()) {
            tasks.add(() -> restore(sa, p, differ));
        }
        changes.addAll(Parallel.all(tasks));
        return new RestoreResult(changes, differ);
    }

    private List<Change> restore(ServiceAccountEmail sa, PolicyRevocation p, List<String> differ) {
        boolean onKey = p.target() == PolicyRevocation.Target.CRYPTO_KEY;
        List<Change> out = new ArrayList<>();
        Policy current = null;
        for (Grant g : p.removed()) {
            PolicyEdit.Outcome o = onKey
                    ? keys.setGrant(CryptoKeyName.parse(p.resource()), g, true, RESTORE_POLICY_ATTEMPTS, null)
                    : accounts.setGrant(sa, g, true, RESTORE_POLICY_ATTEMPTS, null);
            current = o.after();
            out.add(new Change(
                    onKey ? ResourceType.CRYPTO_KEY_POLICY : ResourceType.SERVICE_ACCOUNT_POLICY,
                    p.resource(),
                    onKey ? String.join(",", p.regions()) : null,
                    o.changed() ? Action.UPDATED : Action.UNCHANGED,
                    (o.changed() ? "restored " : "already has ") + g));
        }
        if (current == null) {
            current = onKey ? keys.readPolicy(CryptoKeyName.parse(p.resource())) : accounts.readPolicy(sa);
        }
        if (!PolicyBindings.sameBindings(current, p.before().toPolicy())) {
            differ.add(p.resource());
        }
        return out;
    }

    private static PolicyRevocation record(
            PolicyEdit.Outcome o, PolicyRevocation.Target target, List<String> regions, Grant grant) {
        return new PolicyRevocation(
                o.resource(),
                target,
                regions,
                PolicyDocument.of(o.before()),
                PolicyDocument.of(o.after()),
                o.changed() ? List.of(grant) : List.of());
    }
}
