package dev.cmek.aws;

import java.util.List;

/**
 * One control's verdict with the evidence read from AWS, and for a failure what to do about it.
 *
 * @param fix the command or step that makes the control pass; null when it passes or does not apply
 */
public record ControlResult(Control control, Verdict verdict, List<String> evidence, String fix) {

    /** PASS, FAIL, or N/A (the control does not apply to this key, or could not be looked at: see the evidence). */
    public enum Verdict {
        PASS,
        FAIL,
        NOT_APPLICABLE
    }

    public ControlResult {
        evidence = List.copyOf(evidence);
    }

    static ControlResult pass(Control control, String... evidence) {
        return new ControlResult(control, Verdict.PASS, List.of(evidence), null);
    }

    static ControlResult fail(Control control, List<String> evidence, String fix) {
        return new ControlResult(control, Verdict.FAIL, evidence, fix);
    }

    static ControlResult fail(Control control, String evidence, String fix) {
        return fail(control, List.of(evidence), fix);
    }

    static ControlResult notApplicable(Control control, String why) {
        return new ControlResult(control, Verdict.NOT_APPLICABLE, List.of(why), null);
    }

    public boolean failed() {
        return verdict == Verdict.FAIL;
    }
}
