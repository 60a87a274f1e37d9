package dev.cmek.gcp;

import static com.google.api.gax.rpc.StatusCode.Code.NOT_FOUND;

import com.google.api.gax.rpc.ApiException;
import com.google.cloud.kms.v1.CryptoKey;
import com.google.cloud.kms.v1.CryptoKeyName;
import com.google.cloud.kms.v1.KeyRingName;
import com.google.cloud.location.ListLocationsRequest;
import com.google.cloud.location.Location;
import com.google.iam.v1.Binding;
import com.google.iam.v1.Policy;
import dev.cmek.core.Fate;
import dev.cmek.core.Parallel;
import dev.cmek.core.RevocationJournal;
import dev.cmek.core.RevocationLedger;
import dev.cmek.gcp.RevocationRecord.Document;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Breach response on GCP, failing toward revocation: CockroachDB's token-creator binding on our service account (the
 * master switch: without it CockroachDB cannot act as the account at all) is read, its intent kept and removed first,
 * on its own; with {@code --immediate} the account is then disabled, which rejects the access tokens already issued.
 * Every key location is worked at the same time and independently: our encrypter/decrypter binding leaves every key
 * labelled ours in our key ring there (every generation and orphan) and every key in use. Each resource's intent goes
 * to the journal before its first write; a resource that cannot be changed is reported with what to do, never thrown.
 * Keys are never touched.
 */
final class Revocation {
    private final GcpClients clients;
    private final ServiceAccount accounts;
    private final CryptoKeys keys;

    Revocation(GcpClients clients, ServiceAccount accounts, CryptoKeys keys) {
        this.clients = clients;
        this.accounts = accounts;
        this.keys = keys;
    }

    RevocationRecord revoke(RevocationRequest req, RevocationJournal<RevocationRecord.Intent> journal) {
        Instant started = Instant.now();
        RevocationLedger<RevocationRecord.Intent> ledger = new RevocationLedger<>(journal);
        CompletableFuture<Void> switched = new CompletableFuture<>();
        List<Supplier<Void>> parts = new ArrayList<>();
        parts.add(() -> {
            try {
                return reported(
                        ledger,
                        Document.SERVICE_ACCOUNT_POLICY,
                        req.serviceAccount().value(),
                        () -> masterSwitch(req, ledger, () -> switched.complete(null)));
            } finally {
                switched.complete(null);
            }
        });
        parts.add(() -> reported(
                ledger,
                Document.CRYPTO_KEY_POLICY,
                CmekNames.keyRingId(req.clusterId()),
                () -> Parallel.all(locations(req, ledger).stream()
                        .<Supplier<Void>>map(location -> () -> reported(
                                ledger,
                                Document.CRYPTO_KEY_POLICY,
                                ringOf(req, location).toString(),
                                () -> location(req, location, ledger, switched)))
                        .toList())));
        Parallel.all(parts);
        return new RevocationRecord(
                req.clusterId().value(),
                req.serviceAccount().value(),
                System.getProperty("user.name", "unknown"),
                started,
                ledger.intents(),
                ledger.outcomes(),
                ledger.notes());
    }

    /**
     * Where to look for our key rings: the locations given and those of the keys in use; when none is known (a
     * revocation without the Cloud API and without a manifest), every KMS location of the project that holds our ring.
     */
    private List<String> locations(RevocationRequest req, RevocationLedger<RevocationRecord.Intent> ledger) {
        if (!req.allLocations().isEmpty()) {
            return req.allLocations();
        }
        String project = "projects/" + req.customerProject();
        List<String> all = new ArrayList<>();
        for (Location l : GoogleCall.call(
                        "listLocations",
                        project,
                        () -> clients.kms()
                                .listLocations(ListLocationsRequest.newBuilder()
                                        .setName(project)
                                        .build()))
                .iterateAll()) {
            all.add(l.getLocationId());
        }
        List<String> found =
                Parallel.map(all, 8, "gcp-cmek-find-rings", l -> keys.ringExists(ringOf(req, l)) ? l : null).stream()
                        .filter(java.util.Objects::nonNull)
                        .toList();
        ledger.note("the cluster's regions were not given: key ring " + CmekNames.keyRingId(req.clusterId())
                + " was found in " + (found.isEmpty() ? "none" : String.join(", ", found)) + " of the "
                + all.size() + " Cloud KMS locations of project " + req.customerProject());
        return found;
    }

    /** Runs one independent part; a failure it did not handle (no credentials, say) is reported for it. */
    private static Void reported(
            RevocationLedger<RevocationRecord.Intent> ledger, Document document, String resource, Runnable part) {
        try {
            part.run();
        } catch (GcpCmekException e) {
            outcome(ledger, document, resource, Fate.LEFT, e.getMessage());
        }
        return null;
    }

    private static void outcome(
            RevocationLedger<RevocationRecord.Intent> ledger,
            Document document,
            String resource,
            Fate fate,
            String detail) {
        ledger.outcome(document, resource, null, fate, detail);
    }

    private static void intent(
            RevocationLedger<RevocationRecord.Intent> ledger,
            Document document,
            String resource,
            List<String> regions,
            Policy before,
            List<Grant> removed) {
        ledger.intent(new RevocationRecord.Intent(
                document,
                resource,
                regions,
                before == null ? null : PolicyDocument.of(before),
                removed,
                Instant.now()));
    }

    /**
     * The token-creator binding, then ({@code --immediate}) the account disabled. {@code switched} runs once the
     * binding's write has ended, or once there is nothing to write: the keys' writes wait for it.
     */
    private void masterSwitch(
            RevocationRequest req, RevocationLedger<RevocationRecord.Intent> ledger, Runnable switched) {
        ServiceAccountEmail sa = req.serviceAccount();
        PolicyEdit.Holder holder = accounts.policy(sa);
        Optional<Policy> policy;
        Optional<com.google.iam.admin.v1.ServiceAccount> found;
        try (Parallel both = new Parallel("gcp-cmek-revoke", 2)) {
            // Whether the account is ours is asked beside its policy, so that it costs no round trip of its own.
            var account = both.async(() -> accounts.find(sa));
            var read = both.async(() -> readOrEmpty(holder));
            policy = Parallel.join(read, List.of(account));
            found = Parallel.get(account);
        } catch (GcpCmekException g) {
            outcome(
                    ledger,
                    Document.SERVICE_ACCOUNT_POLICY,
                    sa.value(),
                    Fate.LEFT,
                    "cannot read it: " + g.getMessage());
            return;
        }
        if (policy.isEmpty() || found.isEmpty()) {
            ledger.note("service account " + sa + " does not exist: nothing can act as it, so there is no"
                    + " token-creator binding to remove");
            outcome(ledger, Document.SERVICE_ACCOUNT_POLICY, sa.value(), Fate.ALREADY_ABSENT, "account does not exist");
            return;
        }
        List<Grant> grants = tokenCreators(policy.get(), req);
        boolean ours = found.get().getDescription().contains(CmekNames.serviceAccountMark(req.clusterId()));
        if (!ours) {
            if (grants.isEmpty()) {
                ledger.note("service account " + sa + " is not marked as ours and lets no CockroachDB identity"
                        + " create tokens: left untouched");
                outcome(ledger, Document.SERVICE_ACCOUNT_POLICY, sa.value(), Fate.ALREADY_ABSENT, "not ours");
            } else {
                outcome(
                        ledger,
                        Document.SERVICE_ACCOUNT_POLICY,
                        sa.value(),
                        Fate.LEFT,
                        "service account " + sa + " lacks our mark " + CmekNames.serviceAccountMark(req.clusterId())
                                + ", so it was left untouched, and it still lets " + members(grants)
                                + " create tokens for it; if it is yours, remove that binding (gcloud iam"
                                + " service-accounts remove-iam-policy-binding " + sa + " --member ... --role "
                                + Grant.TOKEN_CREATOR + ")");
            }
            return;
        }
        if (grants.isEmpty()) {
            outcome(
                    ledger,
                    Document.SERVICE_ACCOUNT_POLICY,
                    sa.value(),
                    Fate.ALREADY_ABSENT,
                    "no CockroachDB identity may create tokens for it");
        } else if (req.dryRun()) {
            outcome(
                    ledger,
                    Document.SERVICE_ACCOUNT_POLICY,
                    sa.value(),
                    Fate.WOULD_REMOVE,
                    "would remove " + members(grants) + "'s " + Grant.TOKEN_CREATOR + " on " + sa);
        } else {
            intent(ledger, Document.SERVICE_ACCOUNT_POLICY, sa.value(), List.of(), policy.get(), grants);
            try {
                remove(holder, policy.get(), grants, req.maxPolicyAttempts());
            } catch (GcpCmekException e) {
                switched.run();
                outcome(
                        ledger,
                        Document.SERVICE_ACCOUNT_POLICY,
                        sa.value(),
                        Fate.LEFT,
                        "cannot remove " + members(grants) + "'s token creator: " + e.getMessage());
                return;
            }
            switched.run();
            outcome(
                    ledger,
                    Document.SERVICE_ACCOUNT_POLICY,
                    sa.value(),
                    Fate.REMOVED,
                    members(grants) + " can no longer create tokens for it");
        }
        switched.run();
        if (req.disableServiceAccount()) {
            disable(sa, found.get().getDisabled(), ledger, req.dryRun());
        }
    }

    /**
     * {@code --immediate}, once the binding is gone: "Existing access tokens for the service account are rejected"
     * while it is disabled (https://cloud.google.com/iam/docs/reference/rest/v1/projects.serviceAccounts/disable), and
     * enabling it again undoes that; the account itself is never deleted.
     */
    private void disable(
            ServiceAccountEmail sa,
            boolean alreadyDisabled,
            RevocationLedger<RevocationRecord.Intent> ledger,
            boolean dryRun) {
        if (alreadyDisabled) {
            outcome(ledger, Document.SERVICE_ACCOUNT_DISABLED, sa.value(), Fate.ALREADY_ABSENT, "already disabled");
            return;
        }
        if (dryRun) {
            outcome(
                    ledger,
                    Document.SERVICE_ACCOUNT_DISABLED,
                    sa.value(),
                    Fate.WOULD_REMOVE,
                    "would disable it, which rejects the access tokens already issued");
            return;
        }
        intent(ledger, Document.SERVICE_ACCOUNT_DISABLED, sa.value(), List.of(), null, List.of());
        try {
            accounts.disable(sa);
        } catch (GcpCmekException e) {
            outcome(
                    ledger,
                    Document.SERVICE_ACCOUNT_DISABLED,
                    sa.value(),
                    Fate.LEFT,
                    "cannot disable it, so access tokens already issued stay valid until they expire (at most an"
                            + " hour): " + e.getMessage());
            return;
        }
        outcome(
                ledger,
                Document.SERVICE_ACCOUNT_DISABLED,
                sa.value(),
                Fate.REMOVED,
                "disabled: access tokens already issued for it are rejected");
    }

    /** Our binding leaves every key of one location: our ring's keys labelled ours, and the keys in use there. */
    private void location(
            RevocationRequest req,
            String location,
            RevocationLedger<RevocationRecord.Intent> ledger,
            CompletableFuture<Void> switched) {
        Map<CryptoKeyName, List<String>> targets = new LinkedHashMap<>();
        req.keysInUse().forEach((k, regions) -> {
            if (k.getLocation().equals(location)) {
                targets.put(k, regions);
            }
        });
        KeyRingName ring = ringOf(req, location);
        try {
            List<CryptoKeyName> ours = labelledOurs(ring, req.clusterId());
            for (CryptoKeyName k : ours) {
                targets.putIfAbsent(k, List.of());
            }
        } catch (CallFailedException e) {
            outcome(
                    ledger,
                    Document.CRYPTO_KEY_POLICY,
                    ring.toString(),
                    Fate.LEFT,
                    "cannot list the keys of our key ring in " + location + ": " + e.getMessage());
        }
        Member member = Member.serviceAccount(req.serviceAccount());
        Grant grant = new Grant(Grant.ENCRYPTER_DECRYPTER, member);
        List<Supplier<Void>> each = new ArrayList<>();
        targets.forEach((key, regions) -> each.add(() -> {
            key(key, regions, grant, req, ledger, switched);
            return null;
        }));
        if (!each.isEmpty()) {
            Parallel.all(each);
        }
    }

    private static KeyRingName ringOf(RevocationRequest req, String location) {
        return KeyRingName.of(req.customerProject(), location, CmekNames.keyRingId(req.clusterId()));
    }

    private void key(
            CryptoKeyName key,
            List<String> regions,
            Grant grant,
            RevocationRequest req,
            RevocationLedger<RevocationRecord.Intent> ledger,
            CompletableFuture<Void> switched) {
        PolicyEdit.Holder holder = keys.policy(key);
        Optional<Policy> policy;
        try {
            policy = readOrEmpty(holder);
        } catch (GcpCmekException e) {
            outcome(
                    ledger,
                    Document.CRYPTO_KEY_POLICY,
                    key.toString(),
                    Fate.LEFT,
                    "cannot read its policy: " + e.getMessage());
            return;
        }
        if (policy.isEmpty()) {
            outcome(
                    ledger,
                    Document.CRYPTO_KEY_POLICY,
                    key.toString(),
                    Fate.ALREADY_ABSENT,
                    "key not found: no grant to remove");
            return;
        }
        if (!PolicyBindings.has(policy.get(), grant)) {
            outcome(
                    ledger,
                    Document.CRYPTO_KEY_POLICY,
                    key.toString(),
                    Fate.ALREADY_ABSENT,
                    "no grant to " + grant.member());
            return;
        }
        if (req.dryRun()) {
            outcome(
                    ledger,
                    Document.CRYPTO_KEY_POLICY,
                    key.toString(),
                    Fate.WOULD_REMOVE,
                    "would remove " + grant.member() + "'s " + grant.role());
            return;
        }
        // The master switch goes first: no key is written before the token-creator binding's write has ended.
        Parallel.get(switched);
        intent(ledger, Document.CRYPTO_KEY_POLICY, key.toString(), regions, policy.get(), List.of(grant));
        try {
            remove(holder, policy.get(), List.of(grant), req.maxPolicyAttempts());
        } catch (GcpCmekException e) {
            outcome(
                    ledger,
                    Document.CRYPTO_KEY_POLICY,
                    key.toString(),
                    Fate.LEFT,
                    "cannot remove the grant: " + e.getMessage());
            return;
        }
        outcome(ledger, Document.CRYPTO_KEY_POLICY, key.toString(), Fate.REMOVED, grant.member() + " removed");
    }

    /**
     * The keys of our ring labelled ours for the cluster: every generation, and keys no key spec names any more. A ring
     * that does not exist holds none.
     */
    private List<CryptoKeyName> labelledOurs(KeyRingName ring, ClusterId cluster) {
        List<CryptoKeyName> out = new ArrayList<>();
        try {
            for (CryptoKey k : GoogleCall.call(
                            "listCryptoKeys", ring, () -> clients.kms().listCryptoKeys(ring), NOT_FOUND)
                    .iterateAll()) {
                if (CmekNames.isOurs(k.getLabelsMap(), cluster)) {
                    out.add(CryptoKeyName.parse(k.getName()));
                }
            }
        } catch (ApiException notFound) {
            return List.of();
        }
        return out;
    }

    /**
     * Removes {@code grants}, starting from the policy already read (its intent is kept). On ABORTED (the etag is stale:
     * someone wrote meanwhile, or our own write went through and its reply was lost) the policy is read again: when
     * the grants are gone the removal is in place, otherwise it is redone.
     */
    private static void remove(PolicyEdit.Holder holder, Policy first, List<Grant> grants, int attempts) {
        new PolicyEdit(holder, attempts).apply(PolicyEdit.Edit.removing(grants), first, false);
    }

    private static Optional<Policy> readOrEmpty(PolicyEdit.Holder holder) {
        try {
            return Optional.of(GoogleCall.call("getIamPolicy", holder.resource(), holder.read(), NOT_FOUND));
        } catch (ApiException notFound) {
            return Optional.empty();
        }
    }

    /** The token-creator grants to CockroachDB's identity, or to any {@code crl-kms-user-<last 12>@} when unknown. */
    private static List<Grant> tokenCreators(Policy policy, RevocationRequest req) {
        if (req.cockroachMember().isPresent()) {
            Grant g = new Grant(Grant.TOKEN_CREATOR, req.cockroachMember().get());
            return PolicyBindings.has(policy, g) ? List.of(g) : List.of();
        }
        Pattern crdb = Pattern.compile("serviceAccount:" + Pattern.quote(CmekNames.cockroachIdentityId(req.clusterId()))
                + "@[a-z][a-z0-9-]{4,28}[a-z0-9]\\.iam\\.gserviceaccount\\.com");
        List<Grant> out = new ArrayList<>();
        for (Binding b : policy.getBindingsList()) {
            if (!b.hasCondition() && b.getRole().equals(Grant.TOKEN_CREATOR)) {
                b.getMembersList().stream()
                        .filter(m -> crdb.matcher(m).matches())
                        .forEach(m -> out.add(new Grant(Grant.TOKEN_CREATOR, new Member(m))));
            }
        }
        return out;
    }

    private static String members(List<Grant> grants) {
        return String.join(", ", grants.stream().map(g -> g.member().value()).toList());
    }
}
