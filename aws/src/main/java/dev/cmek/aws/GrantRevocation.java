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
 * Breach response on AWS, failing toward revocation: the role's trust (the master switch, {@link TrustRevocation}) and
 * every Region's keys ({@link KeyGrantRevocation}) are worked at once and independently, so that no key, Region or
 * slow call can delay or stop the others. Each document's intent is handed to the journal before its first write; a
 * document that cannot be changed is reported with what to do, never thrown. Nothing is deleted or disabled.
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
        work.add(parallel.run(() -> reported(
                ledger,
                RevocationRecord.Document.TRUST,
                req.names().roleName(),
                null,
                () -> new TrustRevocation(clients.iam(), req, ledger, clock).run())));
        for (Region r : req.allRegions()) {
            work.add(parallel.run(() -> reported(
                    ledger,
                    RevocationRecord.Document.KEY_POLICY,
                    KeyGrantRevocation.taggedKeys(req.names()),
                    r.id(),
                    () -> new KeyGrantRevocation(clients, r, req, ledger, clock, parallel).run())));
        }
        Parallel.joinAll(work);
        return new RevocationRecord(
                req.clusterId(), started, Parallel.get(who), ledger.intents(), ledger.outcomes(), ledger.notes());
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
                    CallFailedException.reason(e) + "; fix that and re-run with the same --evidence");
        }
    }
}
