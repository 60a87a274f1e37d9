package dev.cmek.azure.emulator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.security.KeyPair;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** One vault's keys: each a list of versions, a rotation policy, and a soft-deleted state. */
final class KeyStore {
    /** One key version: its own key pair, operations, attributes and tags, as Key Vault keeps them per version. */
    static final class Version {
        final String version;
        final KeyPair keyPair;
        final String kty;
        final int keySize;
        List<String> keyOps;
        boolean enabled = true;
        Long notBefore;
        Long expires;
        final long created;
        long updated;
        Map<String, String> tags = new LinkedHashMap<>();

        Version(String version, KeyPair keyPair, String kty, int keySize, List<String> keyOps, long created) {
            this.version = version;
            this.keyPair = keyPair;
            this.kty = kty;
            this.keySize = keySize;
            this.keyOps = keyOps;
            this.created = created;
            this.updated = created;
        }
    }

    /** A named key; the last version is the current one. */
    static final class Key {
        final String name;
        final List<Version> versions = new ArrayList<>();
        ObjectNode rotationPolicy;
        long policyCreated;
        Instant deletedAt;
        Instant scheduledPurge;

        Key(String name) {
            this.name = name;
        }

        Version current() {
            return versions.get(versions.size() - 1);
        }

        Optional<Version> version(String v) {
            if (v == null || v.isEmpty()) {
                return Optional.of(current());
            }
            return versions.stream().filter(x -> x.version.equalsIgnoreCase(v)).findFirst();
        }
    }

    /** Live keys by lower-cased name (Key Vault names are case-insensitive). */
    final Map<String, Key> keys = new LinkedHashMap<>();
    /** Soft-deleted keys by lower-cased name. */
    final Map<String, Key> deleted = new LinkedHashMap<>();

    Optional<Key> key(String name) {
        return Optional.ofNullable(keys.get(name.toLowerCase(Locale.ROOT)));
    }

    Optional<Key> deletedKey(String name) {
        return Optional.ofNullable(deleted.get(name.toLowerCase(Locale.ROOT)));
    }
}
