package dev.cmek.core;

/**
 * What became of one document (a trust policy, a key policy, a service account) in one revocation run.
 *
 * @param region the region of a key; null for a document every region shares
 * @param detail what was found or done, and for {@link Fate#LEFT} what to do
 */
public record Outcome(ResourceKind document, String resource, String region, Fate fate, String detail) {}
