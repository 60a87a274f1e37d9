package dev.cmek.azure;

import dev.cmek.core.Fate;
import dev.cmek.core.Parallel;
import dev.cmek.core.RevocationJournal;
import dev.cmek.core.RevocationLedger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Breach response on Azure, failing toward revocation. Reads start at once and side by side: our vaults (tagged for the
 * cluster, in our resource group), the cluster app (given, or from their tags), its service principal. The master
 * switch ({@link SignInRevocation}) is written first and alone; each vault ({@link AssignmentRevocation}) lists its
 * assignments beside it and deletes them once it has been written, every vault on its own, so no vault, region or slow
 * call can stop the others. Each document's intent is handed to the journal before its first write; what cannot be
 * changed is reported with what to do, never thrown. Keys and vaults are never disabled, deleted or purged.
 */
final class Revocation {
    private final AzureClients clients;
    private final ServicePrincipals principals;
    private final Vaults vaults;
    private final RoleAssignments assignments;

    Revocation(AzureClients clients, ServicePrincipals principals, Vaults vaults, RoleAssignments assignments) {
        this.clients = clients;
        this.principals = principals;
        this.vaults = vaults;
        this.assignments = assignments;
    }

    /** Our vaults as found, and whether the listing worked. */
    private record Found(List<Vaults.Vault> vaults, boolean listed) {}

    RevocationRecord revoke(RevocationRequest req, RevocationJournal<RevocationRecord.Intent> journal) {
        Instant started = Instant.now();
        RevocationLedger<RevocationRecord.Intent> ledger = new RevocationLedger<>(journal);
        Map<String, RoleAssignments.Assignment> above = new ConcurrentHashMap<>();
        try (Parallel parallel = new Parallel("azure-revoke")) {
            // The Graph token is fetched beside the ARM calls, not after them: the principal is read once the vaults
            // name the app. After ARM's token, whose connection to Entra ID (and instance discovery) it then shares.
            CompletableFuture<String> who = parallel.async(() -> TokenClaims.caller(clients));
            parallel.then(who, w -> clients.prefetch(AzureClients.tokenRequest(AzureClients.GRAPH)));
            CompletableFuture<Found> ours = parallel.async(() -> ours(req, ledger));
            CompletableFuture<String> tenant = req.tenantId().isPresent()
                    ? CompletableFuture.completedFuture(req.tenantId().get())
                    : parallel.async(() -> tenant(req, ledger));
            CompletableFuture<Optional<String>> appId = req.clusterAppId().isPresent()
                    ? CompletableFuture.completedFuture(req.clusterAppId())
                    : parallel.then(ours, f -> appIdFromTags(f, ledger));
            CompletableFuture<PrincipalLookup> principal =
                    parallel.then(appId, app -> PrincipalLookup.of(principals, app));
            CompletableFuture<Void> switched = parallel.then(principal, p -> {
                new SignInRevocation(principals, req, ledger).run(p, () -> Parallel.get(tenant));
                return null;
            });
            CompletableFuture<Void> vaultsDone = parallel.then(ours, f -> {
                List<CompletableFuture<Void>> each = new ArrayList<>();
                for (AssignmentRevocation.Target t : targets(req, f, ledger)) {
                    each.add(parallel.run(() -> new AssignmentRevocation(assignments, req, ledger)
                            .run(t, () -> Parallel.get(principal), switched, above)));
                }
                Parallel.joinAll(each);
                return null;
            });
            Parallel.joinAll(List.of(switched, vaultsDone, who, tenant));
            reportAbove(above, ledger);
            PrincipalLookup p = Parallel.get(principal);
            if (req.clusterAppId().isEmpty()) {
                ledger.note("the Cloud API was not read: keys the customer brought (outside vaults tagged for the"
                        + " cluster) could not be found; remove the cluster app's role assignments on them yourself");
            }
            return new RevocationRecord(
                    req.clusterId().value(),
                    Parallel.get(tenant),
                    req.subscriptionId(),
                    p.appId().orElse(null),
                    p.principalId().orElse(null),
                    Parallel.get(who),
                    started,
                    req.dryRun(),
                    ledger.intents(),
                    ledger.outcomes(),
                    ledger.notes());
        }
    }

    /** Where a listing of our vaults that failed is recorded. */
    private static String ourVaults(String group) {
        return "vaults tagged for the cluster in " + group;
    }

    /** The vaults of our resource group tagged for the cluster. */
    private Found ours(RevocationRequest req, RevocationLedger<RevocationRecord.Intent> ledger) {
        String group = ResourceGroups.id(req.subscriptionId(), req.resourceGroup());
        try {
            List<Vaults.Vault> all = vaults.inResourceGroup(req.subscriptionId(), req.resourceGroup());
            List<Vaults.Vault> ours = Vaults.ours(all, req.clusterId());
            if (!req.dryRun()) {
                // Settles an earlier run's LEFT for this listing (below), so a re-run of the same evidence can end
                // complete: what the vaults hold is recorded under their assignments' own names.
                ledger.outcome(
                        RevocationRecord.Document.ROLE_ASSIGNMENT,
                        ourVaults(group),
                        null,
                        Fate.ALREADY_ABSENT,
                        "listed: " + ours.size() + " vault(s) tagged for the cluster");
            }
            if (ours.isEmpty()) {
                ledger.note("no vault tagged " + CmekNames.CLUSTER_TAG + "=" + req.clusterId() + " in resource group "
                        + group + (all.isEmpty() ? " (it holds no vault, or does not exist)" : ""));
            }
            return new Found(ours, true);
        } catch (AzureCmekException e) {
            ledger.outcome(
                    RevocationRecord.Document.ROLE_ASSIGNMENT,
                    ourVaults(group),
                    null,
                    Fate.LEFT,
                    "cannot list them: " + e.getMessage() + "; the role assignments on their keys may remain: fix that"
                            + " (Microsoft.KeyVault/vaults/read) and run the same command again");
            return new Found(List.of(), false);
        }
    }

    /** The tenant, when not given: the subscription's (for the record and restore's checks). */
    private String tenant(RevocationRequest req, RevocationLedger<RevocationRecord.Intent> ledger) {
        try {
            return Subscriptions.tenantOf(clients, req.subscriptionId());
        } catch (AzureCmekException e) {
            ledger.note("the subscription's tenant could not be read (" + e.getMessage() + "): the record names none");
            return null;
        }
    }

    /** Without the Cloud API: the cluster app named in our vaults' tags (all of them name the same one). */
    private static Optional<String> appIdFromTags(Found found, RevocationLedger<RevocationRecord.Intent> ledger) {
        Set<String> apps = new TreeSet<>();
        for (Vaults.Vault v : found.vaults()) {
            String app = v.tags().get(CmekNames.APP_TAG);
            if (app != null && Guid.is(app)) {
                apps.add(app.toLowerCase(Locale.ROOT));
            }
        }
        if (apps.size() > 1) {
            ledger.note("our vaults name several cluster apps " + apps + ": the first is disabled; check the others");
        }
        if (!apps.isEmpty()) {
            ledger.note("the Cloud API was not read: the cluster app "
                    + apps.iterator().next() + " was read from our vaults' " + CmekNames.APP_TAG + " tag");
        }
        return apps.stream().findFirst();
    }

    /**
     * Every vault to work in: ours (all their keys), and the vaults of keys in use outside them (those keys only),
     * placed by name among the subscription's vaults. A key in use whose vault cannot be found is LEFT.
     */
    private List<AssignmentRevocation.Target> targets(
            RevocationRequest req, Found found, RevocationLedger<RevocationRecord.Intent> ledger) {
        List<AssignmentRevocation.Target> out = new ArrayList<>();
        Set<String> ourNames = new LinkedHashSet<>();
        for (Vaults.Vault v : found.vaults()) {
            out.add(new AssignmentRevocation.Target(v, v.region(), null));
            ourNames.add(v.name().toLowerCase(Locale.ROOT));
        }
        Map<String, Map<String, List<String>>> elsewhere = new LinkedHashMap<>();
        req.keysInUse().forEach((k, regions) -> {
            if (!ourNames.contains(k.vaultName())) {
                elsewhere
                        .computeIfAbsent(k.vaultName(), x -> new LinkedHashMap<>())
                        .put(k.keyName(), regions);
            }
        });
        if (elsewhere.isEmpty()) {
            return out;
        }
        List<Vaults.Vault> all;
        try {
            all = vaults.inSubscription(req.subscriptionId());
        } catch (AzureCmekException e) {
            elsewhere.forEach((vault, keys) -> keys.forEach((key, regions) -> ledger.outcome(
                    RevocationRecord.Document.ROLE_ASSIGNMENT,
                    KeyUri.of(vault, key).toString(),
                    String.join(",", regions),
                    Fate.LEFT,
                    "cannot find its vault: " + e.getMessage() + "; remove the cluster app's role assignment on it"
                            + " yourself")));
            return out;
        }
        elsewhere.forEach((name, keys) -> {
            Optional<Vaults.Vault> vault =
                    all.stream().filter(v -> v.name().equalsIgnoreCase(name)).findFirst();
            Set<String> regions = new LinkedHashSet<>();
            keys.values().forEach(regions::addAll);
            if (vault.isPresent()) {
                out.add(new AssignmentRevocation.Target(vault.get(), String.join(",", regions), keys.keySet()));
            } else {
                keys.forEach((key, r) -> ledger.outcome(
                        RevocationRecord.Document.ROLE_ASSIGNMENT,
                        KeyUri.of(name, key).toString(),
                        String.join(",", r),
                        Fate.LEFT,
                        "its vault " + name + " is not in subscription " + req.subscriptionId() + " (or these"
                                + " credentials may not read it): remove the cluster app's role assignment on it"
                                + " yourself"));
            }
        });
        return out;
    }

    /** Assignments of the principal above our vaults (a resource group, the subscription): not ours, reported once. */
    private static void reportAbove(
            Map<String, RoleAssignments.Assignment> above, RevocationLedger<RevocationRecord.Intent> ledger) {
        above.values().stream()
                .sorted(java.util.Comparator.comparing(RoleAssignments.Assignment::id))
                .forEach(a -> ledger.outcome(
                        RevocationRecord.Document.ROLE_ASSIGNMENT,
                        a.id(),
                        null,
                        Fate.LEFT,
                        a.describe() + ": above our vaults and not written by cmek, so left as it is; it may still"
                                + " reach the keys: remove it yourself if it should go: az role assignment delete --ids "
                                + a.id()));
    }
}
