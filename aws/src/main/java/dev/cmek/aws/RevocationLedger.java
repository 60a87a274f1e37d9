package dev.cmek.aws;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What one revocation run has handed out so far, shared by its threads: every intent goes to the journal (which keeps
 * it) before it is counted, so a document is never written without its intent kept first.
 */
final class RevocationLedger {
    private final RevocationJournal journal;
    private final List<RevocationRecord.Intent> intents = Collections.synchronizedList(new ArrayList<>());
    private final List<RevocationRecord.Target> targets = Collections.synchronizedList(new ArrayList<>());
    private final List<String> notes = Collections.synchronizedList(new ArrayList<>());

    RevocationLedger(RevocationJournal journal) {
        this.journal = journal;
    }

    /** Keeps the intent through the journal; the caller writes the document only once this returned. */
    void intent(RevocationRecord.Intent intent) {
        journal.intent(intent);
        intents.add(intent);
    }

    void target(
            RevocationRecord.Document document,
            String resource,
            String region,
            RevocationRecord.Fate fate,
            String detail) {
        RevocationRecord.Target t = new RevocationRecord.Target(document, resource, region, fate, detail);
        journal.target(t);
        targets.add(t);
    }

    void note(String note) {
        notes.add(note);
    }

    RevocationRecord record(ClusterId cluster, Instant startedAt, String revokedBy) {
        synchronized (intents) {
            synchronized (targets) {
                synchronized (notes) {
                    return new RevocationRecord(cluster, startedAt, revokedBy, intents, targets, notes);
                }
            }
        }
    }

    /** The statements of {@code from} that {@code minus} does not hold, as JSON. */
    static List<String> difference(PolicyDocument from, PolicyDocument minus) {
        return from.statements().stream()
                .filter(s -> minus.statements().stream().noneMatch(m -> PolicyDocument.sameStatement(s, m)))
                .map(Object::toString)
                .toList();
    }

    /** Why a call failed, in one line, without the advice to re-run (each caller gives its own). */
    static String reason(RuntimeException e) {
        if (e instanceof CallFailedException c && c.getCause() != null) {
            String m = String.valueOf(c.getCause().getMessage());
            int cut = m.indexOf(" (Service: ");
            return c.operation() + " failed: "
                    + (cut > 0 ? m.substring(0, cut) : m).lines().findFirst().orElse("");
        }
        return String.valueOf(e.getMessage()).lines().findFirst().orElse("");
    }
}
