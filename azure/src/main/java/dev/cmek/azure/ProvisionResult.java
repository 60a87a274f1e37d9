package dev.cmek.azure;

import dev.cmek.core.Change;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What provisioning made, or what a plan found: per region the key CockroachDB uses (versioned once the key exists: the
 * key spec's {@code uri}), the tenant (the key spec's {@code auth_principal}), the cluster app's service principal, and
 * every change in order.
 *
 * @param applied false for a plan (reads only)
 * @param servicePrincipalId the principal's object id; empty in a plan that would create it
 */
public record ProvisionResult(
        boolean applied,
        String tenantId,
        Optional<String> servicePrincipalId,
        Map<String, KeyUri> keys,
        List<Change> changes) {
    public ProvisionResult {
        keys = Collections.unmodifiableMap(new LinkedHashMap<>(keys));
        changes = List.copyOf(changes);
    }

    /** The key spec's {@code uri} for a region: the key's versioned URI. */
    public KeyUri keyOf(String region) {
        KeyUri k = keys.get(region);
        if (k == null) {
            throw new InvalidInputException("No key for region " + region + "; regions: " + keys.keySet());
        }
        return k;
    }

    /** The key spec's {@code auth_principal}: the customer's tenant id. */
    public String authPrincipal() {
        return tenantId;
    }

    /** What would stop provisioning (a plan's BLOCKED changes). */
    public List<Change> blocked() {
        return changes.stream().filter(c -> c.action() == Change.Action.BLOCKED).toList();
    }

    /** Whether the run wrote anything at all. */
    public boolean changedAnything() {
        return changes.stream().anyMatch(c -> c.action().wrote());
    }
}
