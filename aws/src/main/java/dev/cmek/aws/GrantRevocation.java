package dev.cmek.aws;

import dev.cmek.core.Fate;
import dev.cmek.core.Parallel;
import dev.cmek.core.RevocationJournal;
import dev.cmek.core.RevocationLedger;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.regions.Region;

/**
 * Breach response on AWS, failing toward revocation. The role's trust (the master switch, {@link TrustRevocation}) is
 * written first and alone: once it is gone no key can be used through the role, so a process killed right after it
 * has already cut every key. Every Region's keys ({@link KeyGrantRevocation}) are read meanwhile, and written as soon
 * as the trust's write has ended, however it ended: a trust that cannot be changed stops no key. Each document's intent
 * is handed to the journal before its first write; a document that cannot be changed is reported with what to do,
 * never thrown. Nothing is deleted or disabled.
 */
final class GrantRevocation {
    private final AwsClients clients;
    private final Parallel parallel;
    private final Clock clock;

    GrantRevocation(AwsClients clients, Parallel parallel, Clock clock) {
        this.clients = clients;
        this.parallel = parallel;
        this.clock = clock;
    }

    RevocationRecord revoke(
            RevocationRequest req, Supplier<String> caller, RevocationJournal<RevocationRecord.Intent> journal) {
        Instant started = clock.instant();
        RevocationLedger<RevocationRecord.Intent> ledger = new RevocationLedger<>(journal);
        // Who acts is asked beside the reads (KMS's pacer needs the account anyway), never before them.
        CompletableFuture<String> who = parallel.async(() -> {
            try {
                return caller.get();
            } catch (AwsCmekException | SdkException e) {
                return null;
            }
        });
        List<CompletableFuture<Void>> work = new ArrayList<>();
        CompletableFuture<Void> switched = new CompletableFuture<>();
        work.add(parallel.run(() -> {
            try {
                reported(
                        ledger,
                        RevocationRecord.Document.TRUST,
                        req.names().roleName(),
                        null,
                        () -> new TrustRevocation(clients.iam(), req, ledger, clock, () -> switched.complete(null))
                                .run());
            } finally {
                switched.complete(null);
            }
        }));
        for (Region r : regions(req, ledger)) {
            work.add(parallel.run(() -> reported(
                    ledger,
                    RevocationRecord.Document.KEY_POLICY,
                    KeyGrantRevocation.taggedKeys(req.names()),
                    r.id(),
                    () -> new KeyGrantRevocation(clients, r, req, ledger, clock, parallel, switched).run())));
        }
        Parallel.joinAll(work);
        return new RevocationRecord(
                req.clusterId(), started, Parallel.get(who), ledger.intents(), ledger.outcomes(), ledger.notes());
    }

    /**
     * The Regions to work in: those asked and those of the keys in use; when none is known (no Cloud API, no manifest),
     * the ones provisioning recorded in the role's tags. A role without them leaves its keys' grants, with what to do.
     */
    private List<Region> regions(RevocationRequest req, RevocationLedger<RevocationRecord.Intent> ledger) {
        if (!req.allRegions().isEmpty()) {
            return req.allRegions();
        }
        String keys = KeyGrantRevocation.taggedKeys(req.names());
        String whatToDo = "give the cluster's Regions: re-run with --cloud-only --cloud aws --regions R,... (or"
                + " --manifest FILE) and the same --evidence";
        java.util.SortedSet<String> recorded;
        try {
            recorded = new CrossAccountRole(clients.iam(), req.names(), req.propagationBound())
                    .find()
                    .map(live -> ResourceNames.regionsIn(live.tags()))
                    .orElse(new java.util.TreeSet<>());
        } catch (AwsCmekException e) {
            ledger.outcome(
                    RevocationRecord.Document.KEY_POLICY,
                    keys,
                    null,
                    Fate.LEFT,
                    "the cluster's Regions are not known and role "
                            + req.names().roleName() + " cannot be read (" + CallFailedException.reason(e) + "): "
                            + whatToDo);
            return List.of();
        }
        if (recorded.isEmpty()) {
            ledger.outcome(
                    RevocationRecord.Document.KEY_POLICY,
                    keys,
                    null,
                    Fate.LEFT,
                    "the cluster's Regions are not known: role " + req.names().roleName() + " does not record them"
                            + " (tag " + ResourceNames.REGIONS_TAG + "): " + whatToDo);
            return List.of();
        }
        ledger.note("the cluster's Regions come from role " + req.names().roleName() + "'s tag "
                + ResourceNames.REGIONS_TAG + ": " + String.join(", ", recorded) + "; keys you brought yourself"
                + " are found only with --manifest");
        return recorded.stream().map(Region::of).toList();
    }

    /**
     * Runs one independent part; a failure the part did not handle itself (no credentials, a client that cannot be
     * built) is reported for it instead of stopping the others.
     */
    private static void reported(
            RevocationLedger<RevocationRecord.Intent> ledger,
            RevocationRecord.Document document,
            String resource,
            String region,
            Runnable part) {
        try {
            part.run();
        } catch (AwsCmekException | SdkException e) {
            ledger.outcome(
                    document,
                    resource,
                    region,
                    Fate.LEFT,
                    CallFailedException.reason(e) + "; " + CallFailedException.whatToDo(e, "the permission named"));
        }
    }
}
