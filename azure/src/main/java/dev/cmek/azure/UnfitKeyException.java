package dev.cmek.azure;

import java.util.List;

/** A key that exists but cannot serve as CockroachDB's key (not RSA, disabled, expiring, no encrypt or decrypt). */
public final class UnfitKeyException extends AzureCmekException {
    private final KeyUri key;

    public UnfitKeyException(KeyUri key, List<String> problems) {
        super("key " + key + " cannot serve as CockroachDB's key: " + String.join("; ", problems)
                + ". Fix the key (or give another with --existing-key) and run the same command again.");
        this.key = key;
    }

    public KeyUri key() {
        return key;
    }
}
