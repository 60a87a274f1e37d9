package dev.cmek.azure;

import java.time.Instant;

/**
 * A key's current version: its versioned URI (what a key spec names) and when it was made.
 *
 * @param createdOn when Key Vault made the version (a rotation, automatic or asked for, makes a new one)
 */
public record KeyVersion(KeyUri uri, Instant createdOn) {}
