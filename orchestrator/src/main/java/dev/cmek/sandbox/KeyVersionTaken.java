package dev.cmek.sandbox;

import java.time.Instant;

/**
 * One submission of a region's key spec (enable, rotate, add region) and the KMS version that was newest then: the
 * version CockroachDB wraps the region's store key with. Recorded when the sandbox's key checks can see the KMS.
 *
 * @param version AWS: when the key's newest material was made; GCP: the primary version's name; Azure: the key
 *     identifier of the version the URI names (CockroachDB wraps with exactly that one)
 */
public record KeyVersionTaken(String uri, String version, Instant at) {}
