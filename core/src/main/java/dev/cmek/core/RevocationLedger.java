package dev.cmek.core;

import java.util.ArrayList;
import java.util.List;

/**
 * What one revocation run has handed out so far, shared by its threads. Every intent goes to the journal, which keeps
 * it, before it is counted here, so a document is never written without its intent kept first.
 */
public final class RevocationLedger<I> {
    private final RevocationJournal<I> journal;
    private final List<I> intents = new ArrayList<>();
    private final List<Outcome> outcomes = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    public RevocationLedger(RevocationJournal<I> journal) {
        this.journal = journal;
    }

    /** Keeps the intent through the journal; the caller writes the document only once this returned. */
    public void intent(I intent) {
        journal.intent(intent);
        synchronized (this) {
            intents.add(intent);
        }
    }

    public void outcome(ResourceKind document, String resource, String region, Fate fate, String detail) {
        Outcome o = new Outcome(document, resource, region, fate, detail);
        journal.outcome(o);
        synchronized (this) {
            outcomes.add(o);
        }
    }

    /** Something deliberately left alone, and why. */
    public synchronized void note(String note) {
        notes.add(note);
    }

    public synchronized List<I> intents() {
        return List.copyOf(intents);
    }

    public synchronized List<Outcome> outcomes() {
        return List.copyOf(outcomes);
    }

    public synchronized List<String> notes() {
        return List.copyOf(notes);
    }
}
