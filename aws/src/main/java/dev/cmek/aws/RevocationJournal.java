package dev.cmek.aws;

/**
 * Where a revocation reports as it goes: each document's intent before that document's first write, then what became of
 * it. The caller keeps them (the orchestrator writes each to the evidence file at once), so a revocation killed at any
 * point can be finished, and restored, from what was kept.
 */
public interface RevocationJournal {
    /** Must keep {@code intent} (e.g. on disk) before returning: the document's write follows at once. */
    void intent(RevocationRecord.Intent intent);

    /** What became of one document in this run. */
    void target(RevocationRecord.Target target);

    /** A journal that keeps nothing (for callers that only want the returned record). */
    static RevocationJournal none() {
        return new RevocationJournal() {
            @Override
            public void intent(RevocationRecord.Intent intent) {}

            @Override
            public void target(RevocationRecord.Target target) {}
        };
    }
}
