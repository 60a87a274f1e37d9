package dev.cmek.gcp;

import com.google.cloud.kms.v1.CryptoKeyName;
import dev.cmek.core.Change;
import java.util.List;
import java.util.Map;

/**
 * What provisioning made: the service account CockroachDB impersonates (the KeySpec {@code auth_principal}), the
 * crypto key per region (the KeySpec {@code uri}), and every change, in order.
 */
public record ProvisionResult(
        ServiceAccountEmail serviceAccount, Map<String, CryptoKeyName> keys, List<Change> changes) {
    public ProvisionResult {
        keys = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(keys));
        changes = List.copyOf(changes);
    }

    public CryptoKeyName keyOf(String region) {
        CryptoKeyName k = keys.get(region);
        if (k == null) {
            throw new InvalidInputException("No key for region " + region + "; regions: " + keys.keySet());
        }
        return k;
    }

    /** Whether the run changed anything at all. */
    public boolean changedAnything() {
        return changes.stream()
                .anyMatch(c -> c.action() == Change.Action.CREATED || c.action() == Change.Action.UPDATED);
    }
}
