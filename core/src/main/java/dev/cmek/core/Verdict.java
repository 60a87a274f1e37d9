package dev.cmek.core;

/** What a control found: PASS, FAIL, or N/A (it does not apply, or could not be looked at: see its evidence). */
public enum Verdict {
    PASS("PASS"),
    FAIL("FAIL"),
    NOT_APPLICABLE("N/A");

    private final String shown;

    Verdict(String shown) {
        this.shown = shown;
    }

    /** PASS, FAIL or N/A, as text and JSON show it. */
    public String shown() {
        return shown;
    }
}
