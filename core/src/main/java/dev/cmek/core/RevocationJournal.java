package dev.cmek.core;

/**
 * Where a revocation reports as it goes: each document's intent before that document's first write, then what became
 * of it. The caller keeps them (the orchestrator writes each to the evidence file at once), so a revocation killed at
 * any point can be finished, and restored, from what was kept.
 *
 * @param <I> the adapter's own intent: the document as read and what the write removes
 */
public interface RevocationJournal<I> {
    /** Must keep {@code intent} (e.g. on disk) before returning: the document's write follows at once. */
    void intent(I intent);

    /** What became of one document in this run. */
    void outcome(Outcome outcome);

    /** A journal that keeps nothing, for callers that want only what the revocation returns. */
    static <I> RevocationJournal<I> none() {
        return new RevocationJournal<>() {
            @Override
            public void intent(I intent) {}

            @Override
            public void outcome(Outcome outcome) {}
        };
    }
}
