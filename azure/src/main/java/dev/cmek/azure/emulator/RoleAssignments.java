package dev.cmek.azure.emulator;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Role assignments and their propagation: a new one takes effect one window after it was written, a removed one keeps
 * working for another window (https://learn.microsoft.com/azure/role-based-access-control/troubleshooting#symptom---role-assignment-changes-are-not-being-detected).
 */
final class RoleAssignments {
    /** One assignment as ARM stores it. */
    static final class Assignment {
        final String name;
        final String scope;
        final String roleId;
        final String principalId;
        final String principalType;
        final String description;
        final Instant createdOn;
        final String createdBy;
        final Instant effectiveFrom;
        Instant removedUntil;

        Assignment(
                String name,
                String scope,
                String roleId,
                String principalId,
                String principalType,
                String description,
                Instant createdOn,
                String createdBy,
                Instant effectiveFrom) {
            this.name = name;
            this.scope = scope;
            this.roleId = roleId;
            this.principalId = principalId;
            this.principalType = principalType;
            this.description = description;
            this.createdOn = createdOn;
            this.createdBy = createdBy;
            this.effectiveFrom = effectiveFrom;
        }

        String id() {
            return (scope.equals("/") ? "" : scope) + "/providers/Microsoft.Authorization/roleAssignments/" + name;
        }
    }

    /** By lower-cased assignment id. */
    final Map<String, Assignment> active = new LinkedHashMap<>();
    /** Deleted assignments that still grant access until {@code removedUntil}. */
    final List<Assignment> fading = new ArrayList<>();

    volatile Duration grantPropagation = AzureEmulator.DEFAULT_PROPAGATION;
    volatile Duration revokePropagation = AzureEmulator.DEFAULT_PROPAGATION;

    static String key(String scope, String name) {
        return ((scope.equals("/") ? "" : scope) + "/providers/Microsoft.Authorization/roleAssignments/" + name)
                .toLowerCase(Locale.ROOT);
    }

    Optional<Assignment> get(String scope, String name) {
        return Optional.ofNullable(active.get(key(scope, name)));
    }

    Assignment put(Assignment a) {
        active.put(key(a.scope, a.name), a);
        return a;
    }

    Optional<Assignment> remove(String scope, String name, Instant now) {
        Assignment a = active.remove(key(scope, name));
        if (a != null) {
            a.removedUntil = now.plus(revokePropagation);
            fading.add(a);
        }
        return Optional.ofNullable(a);
    }

    /** Whether {@code scope} is {@code resource} or one of its ancestors (ARM ids compare case-insensitively). */
    static boolean covers(String scope, String resource) {
        String s = scope.toLowerCase(Locale.ROOT);
        String r = resource.toLowerCase(Locale.ROOT);
        return s.equals("/") || r.equals(s) || r.startsWith(s.endsWith("/") ? s : s + "/");
    }

    /** The assignment that grants {@code permission} on {@code resource} to the principal now, if any. */
    Optional<Assignment> granting(String principalId, String resource, String permission, boolean data, Instant now) {
        List<Assignment> candidates = new ArrayList<>();
        for (Assignment a : active.values()) {
            if (!now.isBefore(a.effectiveFrom)) {
                candidates.add(a);
            }
        }
        fading.removeIf(a -> !now.isBefore(a.removedUntil));
        for (Assignment a : fading) {
            if (!now.isBefore(a.effectiveFrom)) {
                candidates.add(a);
            }
        }
        return candidates.stream()
                .filter(a -> a.principalId.equalsIgnoreCase(principalId) && covers(a.scope, resource))
                .filter(a -> BuiltInRoles.byId(a.roleId)
                        .map(r -> r.allows(permission, data))
                        .orElse(false))
                .findFirst();
    }

    void clear() {
        active.clear();
        fading.clear();
    }
}
