package dev.cmek.workflow;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cmek.core.Fate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a revocation stands over every run recorded in its evidence: a document is removed when an intent was kept for
 * it and its latest outcome is that the removal is in place (written, or found in place by a fresh read, in this run or
 * an earlier one); left when its latest outcome is that it could not be changed, or when a run kept its intent and was
 * cut short before any outcome; otherwise there was nothing of ours to remove. "Removed" never comes from comparing
 * documents after the fact: only what an intent said we were removing counts.
 */
public record RevocationSummary(List<Entry> removed, List<Entry> left, List<Entry> nothingToRemove) {

    /**
     * One document and where it stands.
     *
     * @param removing what its intents said the writes remove, in words (empty when nothing was intended)
     * @param detail the latest outcome's words, or why its state is unknown
     */
    public record Entry(String type, String resource, String region, List<String> removing, String detail) {
        public Entry {
            removing = List.copyOf(removing);
        }

        /** One line: the resource, its region, and the detail. */
        public String describe() {
            return type + " " + resource + (region == null ? "" : " (" + region + ")") + ": " + detail;
        }
    }

    public RevocationSummary {
        removed = List.copyOf(removed);
        left = List.copyOf(left);
        nothingToRemove = List.copyOf(nothingToRemove);
    }

    /** Whether every grant a run meant to remove is gone, and nothing was left. */
    public boolean complete() {
        return left.isEmpty();
    }

    /** What restore would put back, in words, across every run. */
    public List<String> removedWords() {
        List<String> out = new ArrayList<>();
        removed.forEach(e -> out.addAll(e.removing()));
        return out;
    }

    private static final class State {
        final String type;
        final String resource;
        final String region;
        final List<String> removing = new ArrayList<>();
        boolean intended;
        String fate;
        String detail;

        State(String type, String resource, String region) {
            this.type = type;
            this.resource = resource;
            this.region = region;
        }
    }

    /** The summary of every {@code document_intent} and {@code document_outcome} step, in the order they were kept. */
    public static RevocationSummary of(List<JsonNode> steps) {
        Map<String, State> states = new LinkedHashMap<>();
        for (JsonNode step : steps) {
            String name = step.path("step").asText();
            if (!name.equals(EvidenceFile.DOCUMENT_INTENT) && !name.equals(EvidenceFile.DOCUMENT_OUTCOME)) {
                continue;
            }
            String type = step.path("type").asText();
            String resource = step.path("resource").asText();
            String region = step.hasNonNull("region") ? step.path("region").asText() : null;
            State s = states.computeIfAbsent(
                    type + "\u0000" + resource + "\u0000" + region, k -> new State(type, resource, region));
            if (name.equals(EvidenceFile.DOCUMENT_INTENT)) {
                s.intended = true;
                s.fate = null;
                step.path("removing").forEach(r -> {
                    if (!s.removing.contains(r.asText())) {
                        s.removing.add(r.asText());
                    }
                });
            } else {
                s.fate = step.path("fate").asText();
                s.detail = step.path("detail").asText();
            }
        }
        List<Entry> removed = new ArrayList<>();
        List<Entry> left = new ArrayList<>();
        List<Entry> absent = new ArrayList<>();
        for (State s : states.values()) {
            if (s.fate == null) {
                left.add(new Entry(
                        s.type,
                        s.resource,
                        s.region,
                        s.removing,
                        "its intent was kept but the run was cut short before its outcome was known; re-run with the"
                                + " same --evidence"));
            } else if (s.fate.equals(Fate.LEFT.name())) {
                left.add(new Entry(s.type, s.resource, s.region, s.removing, s.detail));
            } else if (s.intended) {
                removed.add(new Entry(s.type, s.resource, s.region, s.removing, s.detail));
            } else {
                absent.add(new Entry(s.type, s.resource, s.region, s.removing, s.detail));
            }
        }
        return new RevocationSummary(removed, left, absent);
    }
}
