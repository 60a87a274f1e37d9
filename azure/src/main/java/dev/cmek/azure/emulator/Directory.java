package dev.cmek.azure.emulator;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Entra ID as the emulator knows it: tenants, app registrations with their secrets, and service principals (one per
 * app per tenant). Guarded by the emulator's lock.
 */
final class Directory {
    /** An app registration in its home tenant; multi-tenant apps can have service principals in other tenants. */
    static final class App {
        final String appId;
        final String displayName;
        final String homeTenant;
        final boolean multiTenant;
        final String secret;

        App(String appId, String displayName, String homeTenant, boolean multiTenant, String secret) {
            this.appId = appId;
            this.displayName = displayName;
            this.homeTenant = homeTenant;
            this.multiTenant = multiTenant;
            this.secret = secret;
        }
    }

    /** An app's identity in one tenant: what tokens name as {@code oid} and role assignments as principalId. */
    static final class ServicePrincipal {
        final String id;
        final String appId;
        final String tenantId;
        final String displayName;
        final Instant createdAt;
        boolean accountEnabled = true;
        /** Holds Application.ReadWrite.All (or Cloud Application Administrator): may create and change principals. */
        boolean directoryWriter;

        ServicePrincipal(String id, String appId, String tenantId, String displayName, Instant createdAt) {
            this.id = id;
            this.appId = appId;
            this.tenantId = tenantId;
            this.displayName = displayName;
            this.createdAt = createdAt;
        }
    }

    private static final SecureRandom RANDOM = new SecureRandom();

    final Map<String, String> tenantNames = new LinkedHashMap<>();
    final Map<String, App> apps = new LinkedHashMap<>();
    /** By object id. */
    final Map<String, ServicePrincipal> principals = new LinkedHashMap<>();
    /** A new service principal stays unknown to ARM for this long (directory replication). */
    volatile Duration principalReplication = AzureEmulator.DEFAULT_PROPAGATION;

    static String newSecret() {
        byte[] b = new byte[30];
        RANDOM.nextBytes(b);
        // Entra secrets are 40 characters of letters, digits and a few symbols; base64url is close enough.
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    App register(String appId, String displayName, String homeTenant, boolean multiTenant, String secret) {
        App app = new App(appId, displayName, homeTenant, multiTenant, secret);
        apps.put(appId, app);
        return app;
    }

    ServicePrincipal addPrincipal(String objectId, App app, String tenantId, Instant createdAt) {
        ServicePrincipal sp = new ServicePrincipal(objectId, app.appId, tenantId, app.displayName, createdAt);
        principals.put(objectId, sp);
        return sp;
    }

    ServicePrincipal createPrincipal(App app, String tenantId, Instant now) {
        return addPrincipal(UUID.randomUUID().toString(), app, tenantId, now);
    }

    Optional<ServicePrincipal> principal(String tenantId, String appId) {
        return principals.values().stream()
                .filter(sp -> sp.tenantId.equals(tenantId) && sp.appId.equalsIgnoreCase(appId))
                .findFirst();
    }

    Optional<ServicePrincipal> principalById(String tenantId, String objectId) {
        ServicePrincipal sp = principals.get(objectId);
        return sp != null && sp.tenantId.equals(tenantId) ? Optional.of(sp) : Optional.empty();
    }

    /** Whether ARM can see this principal yet: it exists in the tenant and its replication window has passed. */
    boolean replicatedToArm(String tenantId, String objectId, Instant now) {
        ServicePrincipal sp = principals.get(objectId);
        return sp != null && sp.tenantId.equals(tenantId) && !now.isBefore(sp.createdAt.plus(principalReplication));
    }

    List<ServicePrincipal> principalsIn(String tenantId) {
        return principals.values().stream()
                .filter(sp -> sp.tenantId.equals(tenantId))
                .toList();
    }
}
