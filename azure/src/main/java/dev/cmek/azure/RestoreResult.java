package dev.cmek.azure;

import dev.cmek.core.Change;
import java.util.List;

/** What restore put back (or found back already), what it could not put back and why, and what it noticed. */
public record RestoreResult(List<Change> changes, List<String> couldNot, List<String> warnings) {
    public RestoreResult {
        changes = List.copyOf(changes);
        couldNot = List.copyOf(couldNot);
        warnings = List.copyOf(warnings);
    }
}
