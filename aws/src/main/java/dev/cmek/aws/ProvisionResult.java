package dev.cmek.aws;

import dev.cmek.core.Change;
import java.util.List;
import java.util.Map;

/**
 * What provision made, or what plan would make when {@code applied} is false (then ARNs of resources that do not
 * exist yet are absent from {@code keys} and {@code role} is the ARN the role will have).
 *
 * @param keys the key ARN serving each region (region id to ARN)
 */
public record ProvisionResult(boolean applied, RoleArn role, Map<String, KeyArn> keys, List<Change> changes) {
    public ProvisionResult {
        keys = Map.copyOf(keys);
        changes = List.copyOf(changes);
    }

    /** True when the run created or updated nothing (a re-run of an already provisioned cluster). */
    boolean noop() {
        return changes.stream().allMatch(c -> c.action() == Change.Action.UNCHANGED);
    }
}
