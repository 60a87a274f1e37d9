package dev.cmek.core;

import java.util.List;

/**
 * One control's verdict in one region, with the evidence read from the cloud and, for a failure, what to do.
 *
 * @param fix the command or step that makes the control pass; null when it passes or does not apply
 */
public record ControlResult(Control control, Verdict verdict, List<String> evidence, String fix) {

    public ControlResult {
        evidence = List.copyOf(evidence);
    }

    public static ControlResult pass(Control control, List<String> evidence) {
        return new ControlResult(control, Verdict.PASS, evidence, null);
    }

    public static ControlResult pass(Control control, String... evidence) {
        return pass(control, List.of(evidence));
    }

    public static ControlResult fail(Control control, List<String> evidence, String fix) {
        return new ControlResult(control, Verdict.FAIL, evidence, fix);
    }

    public static ControlResult fail(Control control, String evidence, String fix) {
        return fail(control, List.of(evidence), fix);
    }

    public static ControlResult notApplicable(Control control, String why) {
        return new ControlResult(control, Verdict.NOT_APPLICABLE, List.of(why), null);
    }

    /** PASS with {@code ok} when there are no findings, else FAIL with them and {@code fix}. */
    public static ControlResult of(Control control, List<String> findings, String ok, String fix) {
        return findings.isEmpty() ? pass(control, ok) : fail(control, findings, fix);
    }

    public boolean failed() {
        return verdict == Verdict.FAIL;
    }
}
