package dev.cmek.gcp;

import dev.cmek.core.Outcome;
import dev.cmek.core.ResourceKind;
import java.time.Instant;
import java.util.List;

/**
 * What a revocation meant to remove and what became of each resource: each {@link Intent} is handed out (and kept by
 * the caller) before the first write to its resource; each {@link Outcome} says how that resource ended in this run.
 * {@link GcpCmek#restore} puts back exactly the intents' grants. Intents serialise with Jackson (register
 * {@code JavaTimeModule} for the instants).
 *
 * @param revokedBy the OS user who ran the revocation
 */
public record RevocationRecord(
        String clusterId,
        String serviceAccount,
        String revokedBy,
        Instant startedAt,
        List<Intent> intents,
        List<Outcome> outcomes,
        List<String> notes) {

    public RevocationRecord {
        intents = List.copyOf(intents);
        outcomes = List.copyOf(outcomes);
        notes = List.copyOf(notes);
    }

    /** What a revocation changes. */
    public enum Document implements ResourceKind {
        /** The service account's own policy: CockroachDB's token-creator binding, the master switch, removed first. */
        SERVICE_ACCOUNT_POLICY("service account policy"),
        /** A crypto key's policy: our service account's encrypter/decrypter binding. */
        CRYPTO_KEY_POLICY("crypto key policy"),
        /** The service account disabled ({@code --immediate}): existing access tokens are rejected. */
        SERVICE_ACCOUNT_DISABLED("service account");

        private final String words;

        Document(String words) {
            this.words = words;
        }

        @Override
        public String words() {
            return words;
        }
    }

    /**
     * A resource as read before its first write, and the grants the write removes (none for disabling the account).
     *
     * @param resource the service account's email or the crypto key's name
     * @param regions the cluster regions a key serves (empty for the service account)
     * @param before the policy as read; null for disabling the account
     */
    public record Intent(
            Document document,
            String resource,
            List<String> regions,
            PolicyDocument before,
            List<Grant> removed,
            Instant at) {
        public Intent {
            regions = List.copyOf(regions);
            removed = List.copyOf(removed);
        }
    }
}
