package dev.cmek.core;

/** A kind of cloud resource or document, as users read it: {@code key policy}, {@code service account}, ... */
public interface ResourceKind {
    /** The kind in words, lower case, as output shows it. */
    String words();
}
