package dev.cmek.gcp;

import java.util.List;

/**
 * What a restore put back, and the resources whose policy, after restore, still differs from the one recorded before
 * revocation (someone else changed it meanwhile; nothing we removed is missing, that would have thrown).
 */
public record RestoreResult(List<Change> changes, List<String> differFromBefore) {
    public RestoreResult {
        changes = List.copyOf(changes);
        differFromBefore = List.copyOf(differFromBefore);
    }
}
