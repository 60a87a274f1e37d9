package dev.cmek.gcp;

import com.google.cloud.kms.v1.CryptoKeyName;
import dev.cmek.core.Change;
import java.util.List;
import java.util.Map;

/** What {@code provision} would do, found with reads only; {@link #blocked()} lists what would stop it. */
public record ProvisionPlan(ServiceAccountEmail serviceAccount, Map<String, CryptoKeyName> keys, List<Change> changes) {
    public ProvisionPlan {
        keys = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(keys));
        changes = List.copyOf(changes);
    }

    public List<Change> blocked() {
        return changes.stream().filter(c -> c.action() == Change.Action.BLOCKED).toList();
    }

    /** Whether provisioning would change nothing. */
    boolean upToDate() {
        return changes.stream().allMatch(c -> c.action() == Change.Action.UNCHANGED);
    }
}
