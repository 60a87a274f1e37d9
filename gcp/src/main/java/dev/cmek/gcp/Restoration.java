package dev.cmek.gcp;

import com.google.cloud.kms.v1.CryptoKeyName;
import dev.cmek.core.Change;
import dev.cmek.core.Change.Action;
import dev.cmek.core.Parallel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Restore after a revocation: once {@link RecordCheck} found every intent to be this toolkit's own, it puts back
 * exactly the grants the intents say were removed, whatever happened to the replies at the time, keeping every other
 * binding as it is now, and enables the account again if the revocation disabled it. What it cannot put back is said.
 */
final class Restoration {
    private final ServiceAccount accounts;
    private final CryptoKeys keys;

    Restoration(ServiceAccount accounts, CryptoKeys keys) {
        this.accounts = accounts;
        this.keys = keys;
    }

    RestoreResult restore(RestoreRequest req) {
        RecordCheck.Checked checked = new RecordCheck(req).check();
        Map<String, List<RevocationRecord.Intent>> byResource = new LinkedHashMap<>();
        for (RevocationRecord.Intent i : req.intents()) {
            byResource
                    .computeIfAbsent(i.document() + " " + i.resource(), k -> new ArrayList<>())
                    .add(i);
        }
        List<String> couldNot = Collections.synchronizedList(new ArrayList<>());
        List<Supplier<List<Change>>> tasks = new ArrayList<>();
        for (List<RevocationRecord.Intent> intents : byResource.values()) {
            tasks.add(() -> {
                try {
                    return restore(intents, req.maxPolicyAttempts());
                } catch (GcpCmekException e) {
                    couldNot.add(describe(intents.get(0)) + ": " + e.getMessage());
                    return List.of();
                }
            });
        }
        List<Change> changes =
                Parallel.all(tasks).stream().flatMap(List::stream).toList();
        List<String> warnings = new ArrayList<>(checked.warnings());
        if (req.intents().isEmpty()) {
            warnings.add("the record holds nothing that was removed");
        }
        return new RestoreResult(changes, couldNot, warnings);
    }

    private List<Change> restore(List<RevocationRecord.Intent> intents, int attempts) {
        RevocationRecord.Intent first = intents.get(0);
        Set<Grant> grants = new LinkedHashSet<>();
        intents.forEach(i -> grants.addAll(i.removed()));
        List<Change> out = new ArrayList<>();
        switch (first.document()) {
            case SERVICE_ACCOUNT_DISABLED -> {
                ServiceAccountEmail sa = new ServiceAccountEmail(first.resource());
                boolean disabled = accounts.find(sa)
                        .orElseThrow(() -> new GcpCmekException("service account " + sa + " no longer exists"))
                        .getDisabled();
                if (disabled) {
                    accounts.enable(sa);
                }
                out.add(GcpResource.account(
                        GcpResource.SERVICE_ACCOUNT,
                        sa.value(),
                        disabled ? Action.UPDATED : Action.UNCHANGED,
                        disabled ? "enabled" : "already enabled"));
            }
            case SERVICE_ACCOUNT_POLICY -> {
                ServiceAccountEmail sa = new ServiceAccountEmail(first.resource());
                for (Grant g : grants) {
                    PolicyEdit.Outcome o = accounts.grant(sa, g, attempts, null);
                    out.add(GcpResource.account(
                            GcpResource.SERVICE_ACCOUNT_POLICY,
                            sa.value(),
                            o.changed() ? Action.UPDATED : Action.UNCHANGED,
                            (o.changed() ? "put back " : "already has ") + g));
                }
            }
            case CRYPTO_KEY_POLICY -> {
                CryptoKeyName key = CryptoKeyName.parse(first.resource());
                if (keys.find(key).isEmpty()) {
                    throw new GcpCmekException("crypto key " + key + " no longer exists");
                }
                String regions = String.join(",", first.regions());
                for (Grant g : grants) {
                    PolicyEdit.Outcome o = keys.grant(key, g, attempts, null);
                    out.add(new Change(
                            GcpResource.CRYPTO_KEY_POLICY,
                            key.toString(),
                            regions.isEmpty() ? null : regions,
                            o.changed() ? Action.UPDATED : Action.UNCHANGED,
                            (o.changed() ? "put back " : "already has ") + g));
                }
            }
        }
        return out;
    }

    private static String describe(RevocationRecord.Intent i) {
        return switch (i.document()) {
            case SERVICE_ACCOUNT_POLICY -> "the token-creator binding on " + i.resource();
            case CRYPTO_KEY_POLICY -> "the grant on key " + i.resource();
            case SERVICE_ACCOUNT_DISABLED -> "enabling " + i.resource();
        };
    }
}
