package dev.cmek.azure;

import dev.cmek.core.Fate;
import dev.cmek.core.Parallel;
import dev.cmek.core.RevocationLedger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * One vault of a revocation, independent of the others: the role assignments of the cluster app's service principal
 * on its keys (and, with the broader role, on the vault) are deleted once the master switch has been written, each on
 * its own. In our vaults every key counts (every generation, orphans of interrupted runs); in a vault the customer
 * owns, only the keys in use. An assignment of another shape is reported with what to do, never removed (restore
 * could not put it back). Keys and vaults are never touched.
 */
final class AssignmentRevocation {
    /**
     * A vault to work on.
     *
     * @param keysInUse in a vault of the customer's, the names of the keys CockroachDB uses there; null for ours (all)
     */
    record Target(Vaults.Vault vault, String region, Set<String> keysInUse) {
        boolean ours() {
            return keysInUse == null;
        }
    }

    private final RoleAssignments assignments;
    private final RevocationRequest request;
    private final RevocationLedger<RevocationRecord.Intent> ledger;

    AssignmentRevocation(
            RoleAssignments assignments, RevocationRequest request, RevocationLedger<RevocationRecord.Intent> ledger) {
        this.assignments = assignments;
        this.request = request;
        this.ledger = ledger;
    }

    /**
     * @param principal the principal as found (its id filters the listing; unknown: assignments named as cmek names
     *     them)
     * @param switched completes once the master switch's write has finished, however it ended
     * @param above where assignments found above the vault (its resource group, the subscription) are gathered, to be
     *     reported once
     */
    void run(
            Target t,
            Supplier<PrincipalLookup> principal,
            CompletableFuture<?> switched,
            Map<String, RoleAssignments.Assignment> above) {
        String vaultId = t.vault().id();
        PrincipalLookup lookup = principal.get();
        List<RoleAssignments.Assignment> found;
        try {
            found = lookup.principalId().isPresent()
                    ? assignments.forPrincipal(vaultId, lookup.principalId().get())
                    : assignments.around(vaultId).stream()
                            .filter(this::namedByUs)
                            .toList();
        } catch (AzureCmekException e) {
            outcome(
                    "role assignments under " + vaultId,
                    t.region(),
                    Fate.LEFT,
                    "cannot list them: " + e.getMessage() + "; remove the cluster app's role assignments on the vault"
                            + " and its keys yourself (az role assignment list --scope " + vaultId + " --all)");
            return;
        }
        List<RoleAssignments.Assignment> removable = new ArrayList<>();
        for (RoleAssignments.Assignment a : found) {
            if (!within(a.scope(), vaultId)) {
                above.putIfAbsent(a.id().toLowerCase(Locale.ROOT), a);
            } else if (canonical(a, t)) {
                removable.add(a);
            } else {
                outcome(
                        a.id(),
                        t.region(),
                        Fate.LEFT,
                        a.describe() + ": not an assignment cmek writes" + (t.ours() ? "" : " on a key in use")
                                + ", so left as it is (restore could not put it back); remove it yourself if it should"
                                + " go: az role assignment delete --ids " + a.id());
            }
        }
        if (removable.isEmpty()) {
            outcome(
                    "role assignments under " + vaultId,
                    t.region(),
                    Fate.ALREADY_ABSENT,
                    "none of the cluster app's"
                            + lookup.principalId().map(id -> " (" + id + ")").orElse(" (named by cmek)")
                            + " at or under vault " + t.vault().name());
            return;
        }
        if (request.dryRun()) {
            removable.forEach(a -> outcome(a.id(), t.region(), Fate.WOULD_REMOVE, "would delete " + a.describe()));
            return;
        }
        // Key writes only once the master switch's write has finished (succeeded or failed).
        switched.handle((v, e) -> null).join();
        List<Supplier<Void>> deletes = new ArrayList<>();
        for (RoleAssignments.Assignment a : removable) {
            deletes.add(() -> {
                delete(a, t.region());
                return null;
            });
        }
        Parallel.all(deletes);
    }

    private void delete(RoleAssignments.Assignment a, String region) {
        ledger.intent(new RevocationRecord.Intent(
                RevocationRecord.Document.ROLE_ASSIGNMENT,
                a.id(),
                region,
                null,
                new RevocationRecord.Assignment(
                        a.name(), a.scope(), a.roleDefinitionId(), a.principalId(), a.principalType()),
                Instant.now()));
        try {
            assignments.delete(a.scope(), a.name());
        } catch (AzureCmekException e) {
            outcome(
                    a.id(),
                    region,
                    Fate.LEFT,
                    "cannot delete " + a.describe() + ": " + e.getMessage() + "; delete it"
                            + " yourself: az role assignment delete --ids " + a.id());
            return;
        }
        outcome(a.id(), region, Fate.REMOVED, a.describe() + " deleted");
    }

    /**
     * What cmek writes: Crypto User on a key (in our vaults any key; in the customer's, a key in use), or Crypto Officer
     * on the vault (the broader role).
     */
    private static boolean canonical(RoleAssignments.Assignment a, Target t) {
        String vaultId = t.vault().id();
        if (a.is(BuiltInRole.KEY_VAULT_CRYPTO_OFFICER)) {
            return a.atScope(vaultId);
        }
        if (!a.is(BuiltInRole.KEY_VAULT_CRYPTO_USER)) {
            return false;
        }
        String prefix = (vaultId + "/keys/").toLowerCase(Locale.ROOT);
        String scope = a.scope().toLowerCase(Locale.ROOT);
        if (!scope.startsWith(prefix) || scope.substring(prefix.length()).contains("/")) {
            return false;
        }
        String key = a.scope().substring(prefix.length());
        return t.ours() || t.keysInUse().stream().anyMatch(k -> k.equalsIgnoreCase(key));
    }

    /** Without the principal's id: the assignments whose name is the one cmek derives for their scope and role. */
    private boolean namedByUs(RoleAssignments.Assignment a) {
        return a.name() != null
                && a.name().equalsIgnoreCase(CmekNames.assignmentName(request.clusterId(), a.scope(), a.roleId()));
    }

    static boolean within(String scope, String vaultId) {
        String s = scope.toLowerCase(Locale.ROOT);
        String v = vaultId.toLowerCase(Locale.ROOT);
        return s.equals(v) || s.startsWith(v + "/");
    }

    private void outcome(String resource, String region, Fate fate, String detail) {
        ledger.outcome(RevocationRecord.Document.ROLE_ASSIGNMENT, resource, region, fate, detail);
    }
}
