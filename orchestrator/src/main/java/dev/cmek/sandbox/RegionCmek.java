package dev.cmek.sandbox;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One region's CMEK state ({@code CMEKRegionInfo}): its settled status, the transition in progress, and every key it
 * has used. Submitting the key the region already uses again (a rotation with an unchanged URI, which is how
 * CockroachDB re-wraps its store key with the KMS's newest key version, docs/cmek-rotation-types.md) moves that key's
 * {@code updated_at} and adds no entry; any other spec is a new entry whose {@code created_at} is when it appeared.
 * So {@code updated_at} of the key in use says when CockroachDB last took it.
 */
final class RegionCmek {

    enum Kind {
        ENABLE,
        ROTATE,
        REVOKE
    }

    private record Pending(Kind kind, Instant completesAt, String failure, KeyInfo key) {
        String status() {
            return switch (kind) {
                case ENABLE -> "ENABLING";
                case ROTATE -> "ROTATING";
                case REVOKE -> "REVOKING";
            };
        }
    }

    private static final class KeyInfo {
        final KeySpecCheck.RegionKey spec;
        final Instant createdAt;
        String status;
        String userMessage = "";
        Instant updatedAt;

        KeyInfo(KeySpecCheck.RegionKey spec, String status, Instant now) {
            this.spec = spec;
            this.status = status;
            this.createdAt = now;
            this.updatedAt = now;
        }
    }

    private final List<KeyInfo> keys = new ArrayList<>();
    /** Each submission whose KMS version was known, oldest first. */
    private final List<KeyVersionTaken> taken = new ArrayList<>();

    private String status = "DISABLED";
    private Pending pending;
    /** The key CockroachDB wraps the region's store key with; null until a key was ENABLED. */
    private KeyInfo inUse;

    /** A region already ENABLED with {@code key} since {@code since} (a sandbox that starts with CMEK on). */
    static RegionCmek enabled(KeySpecCheck.RegionKey key, Instant since) {
        RegionCmek region = new RegionCmek();
        region.inUse = new KeyInfo(key, "ENABLED", since);
        region.keys.add(region.inUse);
        region.status = "ENABLED";
        return region;
    }

    /** The status the API shows: the transition in progress, else the settled one. */
    String status() {
        return pending != null ? pending.status() : status;
    }

    boolean inProgress() {
        return pending != null;
    }

    /**
     * Starts enabling or rotating to {@code key}, completing at {@code completesAt} in {@code failure}'s
     * {@code *_FAILED} status, or ENABLED when {@code failure} is null.
     */
    void start(
            KeySpecCheck.RegionKey key,
            Kind kind,
            Instant now,
            Instant completesAt,
            String failure,
            Optional<String> kmsVersion) {
        kmsVersion.ifPresent(v -> taken.add(new KeyVersionTaken(key.uri(), v, now)));
        String transitional = kind == Kind.ENABLE ? "ENABLING" : "ROTATING";
        KeyInfo info;
        if (inUse != null && inUse.spec.equals(key)) {
            info = inUse; // a re-wrap with the key's newest version: the same key, taken again
            info.status = transitional;
            info.userMessage = "";
            info.updatedAt = now;
        } else {
            info = new KeyInfo(key, transitional, now);
            keys.add(info);
        }
        pending = new Pending(kind, completesAt, failure, info);
    }

    /** Every submission of this region whose KMS version was known, oldest first. */
    List<KeyVersionTaken> taken() {
        return List.copyOf(taken);
    }

    /** Starts revoking every key in use. */
    void startRevoke(Instant now, Instant completesAt) {
        for (KeyInfo k : keys) {
            if (k.status.equals("ENABLED") || k == inUse) {
                k.status = "REVOKING";
                k.updatedAt = now;
            }
        }
        pending = new Pending(Kind.REVOKE, completesAt, null, null);
    }

    /** Completes the transition if it is due at {@code now}; answers when it completed. */
    Optional<Instant> advance(Instant now) {
        if (pending == null || now.isBefore(pending.completesAt())) {
            return Optional.empty();
        }
        Pending p = pending;
        Instant t = p.completesAt();
        pending = null;
        if (p.kind() == Kind.REVOKE) {
            for (KeyInfo k : keys) {
                if (k.status.equals("REVOKING")) {
                    k.status = "REVOKED";
                    k.updatedAt = t;
                }
            }
            status = "REVOKED";
            return Optional.of(t);
        }
        KeyInfo key = p.key();
        key.updatedAt = t;
        if (p.failure() != null) {
            status = p.kind() == Kind.ENABLE ? "ENABLE_FAILED" : "ROTATE_FAILED";
            key.status = status;
            key.userMessage = p.failure();
            return Optional.of(t);
        }
        for (KeyInfo k : keys) {
            if (k != key && k.status.equals("ENABLED")) {
                k.status = "DISABLED"; // replaced by the new key
                k.updatedAt = t;
            }
        }
        key.status = "ENABLED";
        status = "ENABLED";
        inUse = key;
        return Optional.of(t);
    }

    /** {@code {"region", "status", "key_infos": [...]}}, keys in the order they first appeared. */
    ObjectNode render(String name) {
        ObjectNode r = SandboxConfig.JSON.createObjectNode().put("region", name).put("status", status());
        ArrayNode out = r.putArray("key_infos");
        for (KeyInfo k : keys) {
            ObjectNode key = out.addObject();
            key.putObject("spec")
                    .put("type", k.spec.type())
                    .put("uri", k.spec.uri())
                    .put("auth_principal", k.spec.authPrincipal());
            key.put("status", k.status)
                    .put("user_message", k.userMessage)
                    .put("created_at", k.createdAt.toString())
                    .put("updated_at", k.updatedAt.toString());
        }
        return r;
    }
}
