package dev.cmek.gcp;

import java.util.List;

/**
 * One control's verdict with the evidence read from Google Cloud, and for a failure what to do about it.
 *
 * @param fix the command or step that makes the control pass; null when it passes or does not apply
 */
public record ControlResult(Control control, Verdict verdict, List<String> evidence, String fix) {

    /** PASS, FAIL, or N/A (the control does not apply, or could not be looked at: see the evidence). */
    public enum Verdict {
        PASS,
        FAIL,
        NOT_APPLICABLE
    }

    public ControlResult {
        evidence = List.copyOf(evidence);
    }

    static ControlResult pass(Control control, List<String> evidence) {
        return new ControlResult(control, Verdict.PASS, evidence, null);
    }

    static ControlResult pass(Control control, String evidence) {
        return pass(control, List.of(evidence));
    }

    static ControlResult fail(Control control, List<String> evidence, String fix) {
        return new ControlResult(control, Verdict.FAIL, evidence, fix);
    }

    static ControlResult notApplicable(Control control, String why) {
        return new ControlResult(control, Verdict.NOT_APPLICABLE, List.of(why), null);
    }

    /** PASS with {@code ok} when there are no findings, else FAIL with them and {@code fix}. */
    static ControlResult of(Control control, List<String> findings, String ok, String fix) {
        return findings.isEmpty() ? pass(control, ok) : fail(control, findings, fix);
    }

    public boolean failed() {
        return verdict == Verdict.FAIL;
    }
}
