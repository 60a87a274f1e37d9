package dev.cmek.gcp;

import com.google.cloud.kms.v1.CryptoKeyName;
import java.util.List;

/** A crypto key exists but cannot serve as a CMEK (wrong purpose, algorithm, protection level or no enabled primary). */
public final class UnfitKeyException extends GcpCmekException {
    private final CryptoKeyName key;
    private final List<String> problems;

    public UnfitKeyException(CryptoKeyName key, List<String> problems) {
        super(
                "Crypto key " + key + " cannot be used as a CockroachDB CMEK: " + String.join("; ", problems)
                        + ". Use a key with purpose ENCRYPT_DECRYPT, algorithm GOOGLE_SYMMETRIC_ENCRYPTION and an enabled primary version.");
        this.key = key;
        this.problems = List.copyOf(problems);
    }

    public CryptoKeyName key() {
        return key;
    }

    public List<String> problems() {
        return problems;
    }
}
