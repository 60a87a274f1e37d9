package dev.cmek.azure.emulator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An Azure emulator on one port of 127.0.0.1: Entra ID's token endpoint, Microsoft Graph service principals, Azure
 * Resource Manager (resource groups, Key Vault vaults, role definitions and assignments) and the Key Vault keys data
 * plane. Clients reach it by TLS directly or through it as an HTTP CONNECT proxy; it routes by the Host header and
 * serves one certificate signed by a CA it generates (see {@link #caFile()}).
 */
public final class AzureEmulator implements AutoCloseable {
    /**
     * Every propagation window (new role assignments, removed ones, new service principals reaching ARM) starts at
     * this, so every test meets eventual consistency unless it says otherwise: Azure's are minutes
     * (https://learn.microsoft.com/azure/role-based-access-control/troubleshooting), test-sized here.
     */
    public static final Duration DEFAULT_PROPAGATION = Duration.ofMillis(250);
    /** Client-credentials tokens live about an hour, as Entra's do. */
    public static final Duration DEFAULT_TOKEN_LIFETIME = Duration.ofSeconds(3599);

    /**
     * Fixed ids, so a process that talks to two emulators in turn (tests) meets the same tenant for the same vault
     * name: the Key Vault SDK caches each vault's challenge, tenant included, for the life of the JVM.
     */
    public static final String CUSTOMER_TENANT_ID = "5f1c3b2a-7d4e-4c8b-9a16-2e0f8d7c6b5a";

    public static final String COCKROACH_TENANT_ID = "0c9e8d7f-6a5b-4c3d-8e2f-1a0b9c8d7e6f";
    public static final String SUBSCRIPTION_ID = "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d";
    public static final String ADMIN_CLIENT_ID = "a11ce000-0000-4000-8000-00000000ad01";
    public static final String ADMIN_OBJECT_ID = "a11ce000-0000-4000-8000-00000000ad02";
    static final String ADMIN_OWNER_ASSIGNMENT = "a11ce000-0000-4000-8000-0000000000a1";
    static final String ADMIN_CRYPTO_OFFICER_ASSIGNMENT = "a11ce000-0000-4000-8000-0000000000a2";

    final Object lock = new Object();
    final Directory directory = new Directory();
    final Resources resources = new Resources();
    final RoleAssignments rbac = new RoleAssignments();
    final KeyPairPool keyPairs = new KeyPairPool();
    final Tokens tokens;
    final CallKnobs knobs = new CallKnobs();
    final String customerTenantId = CUSTOMER_TENANT_ID;
    final String subscriptionId = SUBSCRIPTION_ID;
    /** Subscriptions of other tenants, by lower-case id: their tenant. */
    private final Map<String, String> otherTenantsSubscriptions = new ConcurrentHashMap<>();

    volatile Duration tokenLifetime = DEFAULT_TOKEN_LIFETIME;

    private final String adminSecret = Directory.newSecret();
    private final TlsMaterial tls;
    private final Path caFile;
    private final EmulatorServer server;
    private final EntraService entra = new EntraService(this);
    private final GraphService graph = new GraphService(this);
    private final ArmService arm = new ArmService(this);
    private final KeyVaultService keyVault = new KeyVaultService(this);

    private AzureEmulator(int port, int ownKeyBits) {
        tokens = new Tokens(keyPairs.take(ownKeyBits));
        tls = TlsMaterial.generate(keyPairs, ownKeyBits);
        try {
            Path dir = Files.createTempDirectory("azure-emulator-");
            dir.toFile().deleteOnExit();
            caFile = tls.writeCa(dir.resolve("ca.pem"));
            caFile.toFile().deleteOnExit();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not write the emulator's CA file", e);
        }
        seed();
        server = new EmulatorServer(port, tls, this::handle, this::resolves);
    }

    /** Starts an emulator on 127.0.0.1:port (0 picks a free port). */
    public static AzureEmulator start(int port) {
        return new AzureEmulator(port, Tokens.BITS);
    }

    /**
     * As {@link #start(int)}, its own RSA keys (the TLS certificates' and the token signing key) of {@code ownKeyBits}
     * instead of Azure's 2048: for a run whose answers nobody trusts and whose time counts, such as a launcher's
     * class-data training on a machine's first run, where making three 2048-bit pairs in a cold JVM took 1-6 s.
     */
    public static AzureEmulator start(int port, int ownKeyBits) {
        if (ownKeyBits < 1024) {
            throw new IllegalArgumentException(
                    "The JDK refuses RSA keys under 1024 bits in certificates: " + ownKeyBits);
        }
        return new AzureEmulator(port, ownKeyBits);
    }

    private void seed() {
        synchronized (lock) {
            directory.tenantNames.put(CUSTOMER_TENANT_ID, "Customer");
            directory.tenantNames.put(COCKROACH_TENANT_ID, "CockroachDB");
            Directory.App admin =
                    directory.register(ADMIN_CLIENT_ID, "cmek-admin", CUSTOMER_TENANT_ID, false, adminSecret);
            Directory.ServicePrincipal sp =
                    directory.addPrincipal(ADMIN_OBJECT_ID, admin, CUSTOMER_TENANT_ID, Instant.EPOCH);
            sp.directoryWriter = true;
            String subscription = "/subscriptions/" + SUBSCRIPTION_ID;
            seedAssignment(ADMIN_OWNER_ASSIGNMENT, subscription, BuiltInRoles.OWNER.id(), ADMIN_OBJECT_ID);
            seedAssignment(
                    ADMIN_CRYPTO_OFFICER_ASSIGNMENT,
                    subscription,
                    BuiltInRoles.KEY_VAULT_CRYPTO_OFFICER.id(),
                    ADMIN_OBJECT_ID);
        }
    }

    private RoleAssignments.Assignment seedAssignment(String name, String scope, String roleId, String principalId) {
        return rbac.put(new RoleAssignments.Assignment(
                name,
                scope,
                roleId,
                principalId,
                "ServicePrincipal",
                null,
                Instant.EPOCH,
                ADMIN_OBJECT_ID,
                Instant.EPOCH));
    }

    // ---- dispatch ----------------------------------------------------------------------------------------------

    private Service serviceFor(Http.Request r) {
        String host = r.host();
        if (host.endsWith(".vault.azure.net")) {
            return keyVault;
        }
        return switch (host) {
            case "management.azure.com" -> arm;
            case "graph.microsoft.com" -> graph;
            case "login.microsoftonline.com", "127.0.0.1", "localhost" -> entra;
            default -> null;
        };
    }

    /** Whether a CONNECT target resolves: one of the hosts served, and for a vault host a vault that exists. */
    private boolean resolves(String host) {
        if (host.endsWith(".vault.azure.net")) {
            synchronized (lock) {
                return resources.vaultByHost(host).isPresent();
            }
        }
        return List.of(
                        "management.azure.com",
                        "graph.microsoft.com",
                        "login.microsoftonline.com",
                        "127.0.0.1",
                        "localhost")
                .contains(host);
    }

    private Http.Response handle(Http.Request r) {
        Service service = serviceFor(r);
        if (service == null) {
            return Http.Response.json(404, Http.object().put("error", "No emulated service at host " + r.host()));
        }
        String op = service.operation(r);
        knobs.counted(op);
        Duration delay = knobs.latency;
        if (!delay.isZero()) {
            try {
                Thread.sleep(delay.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Http.Response response;
        CallKnobs.Fault fault = null;
        if (knobs.overRate(op)) {
            response = service.throttled(r, op, 1);
        } else {
            fault = knobs.take(op);
            if (fault == null || fault.kind() == CallKnobs.Kind.LOSE_REPLY) {
                response = run(service, r, op);
            } else {
                response = switch (fault.kind()) {
                    case THROTTLE ->
                        service.throttled(r, op, Math.max(0, fault.retryAfter().toSeconds()));
                    case DENY -> service.denied(r, op);
                    default -> service.serverError(r, op, fault.status());
                };
            }
        }
        String requestId = UUID.randomUUID().toString();
        response.headers.putIfAbsent("x-ms-request-id", requestId);
        // Services echo the client's request id; MSAL logs a mismatch when Entra does not.
        for (String echo : List.of("client-request-id", "x-ms-client-request-id")) {
            if (r.header(echo) != null) {
                response.headers.putIfAbsent(echo, r.header(echo));
            }
        }
        if (service == arm) {
            response.headers.putIfAbsent("x-ms-correlation-request-id", requestId);
        }
        knobs.log(
                new EmulatorViews.Call(Instant.now(), op, r.method(), r.host(), r.path(), response.status, caller(r)));
        if (fault != null && fault.kind() == CallKnobs.Kind.LOSE_REPLY) {
            return Http.Response.LOST;
        }
        return response;
    }

    private static Http.Response run(Service service, Http.Request r, String op) {
        try {
            return service.handle(r, op);
        } catch (RuntimeException e) {
            return service.serverError(r, op, 500);
        }
    }

    private String caller(Http.Request r) {
        String token = Auth.bearer(r);
        if (token != null) {
            return tokens.verify(token).map(Tokens.Claims::objectId).orElse("invalid-token");
        }
        if (r.path().endsWith("/oauth2/v2.0/token")) {
            return Http.parseForm(r.body()).getOrDefault("client_id", "-");
        }
        return "-";
    }

    // ---- addresses and identities ------------------------------------------------------------------------------

    /** {@code 127.0.0.1:PORT}: the value of {@code AZURE_EMULATOR_HOST}. */
    public String address() {
        return "127.0.0.1:" + server.port();
    }

    public int port() {
        return server.port();
    }

    /** {@code https://127.0.0.1:PORT}: the value of {@code AZURE_AUTHORITY_HOST}. */
    public String authorityHost() {
        return "https://" + address();
    }

    /** The CA certificate as PEM, readable by its owner only: the value of {@code AZURE_EMULATOR_CA}. */
    public Path caFile() {
        return caFile;
    }

    public X509Certificate caCertificate() {
        return tls.ca;
    }

    public X509Certificate serverCertificate() {
        return tls.server;
    }

    /** The customer tenant, where the admin, the subscription and the vaults live. */
    public String tenantId() {
        return customerTenantId;
    }

    /** The tenant CockroachDB's multi-tenant apps are registered in. */
    public String cockroachTenantId() {
        return COCKROACH_TENANT_ID;
    }

    public String subscriptionId() {
        return subscriptionId;
    }

    /**
     * The admin principal of the customer tenant: Owner and Key Vault Crypto Officer at subscription scope (see
     * {@link #removeAdminRole}), and allowed to create and change service principals.
     */
    public EmulatorViews.ClientCredentials admin() {
        return new EmulatorViews.ClientCredentials(CUSTOMER_TENANT_ID, ADMIN_CLIENT_ID, adminSecret, ADMIN_OBJECT_ID);
    }

    /**
     * The environment a CLI under test reads: credentials, subscription, authority host (without instance discovery)
     * and the emulator itself; the CA file last, so that a reader of the printed lines may wait for it.
     */
    public Map<String, String> env() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("AZURE_TENANT_ID", customerTenantId);
        env.put("AZURE_CLIENT_ID", ADMIN_CLIENT_ID);
        env.put("AZURE_CLIENT_SECRET", adminSecret);
        env.put("AZURE_SUBSCRIPTION_ID", subscriptionId);
        env.put("AZURE_AUTHORITY_HOST", authorityHost());
        // Entra does not know this authority host and would refuse to describe it to MSAL: a private cloud's.
        env.put("AZURE_DISABLE_INSTANCE_DISCOVERY", "true");
        env.put("AZURE_EMULATOR_HOST", address());
        env.put("AZURE_EMULATOR_CA", caFile.toString());
        return env;
    }

    /**
     * Registers a multi-tenant app in the CockroachDB tenant (with its service principal there) and returns its
     * credentials; it gets tokens in the customer tenant only once a service principal for it exists there.
     */
    public EmulatorViews.ClientCredentials registerMultiTenantApp(String appId, String displayName) {
        synchronized (lock) {
            if (directory.apps.containsKey(appId)) {
                throw new IllegalArgumentException("An app with id " + appId + " is already registered");
            }
            Directory.App app =
                    directory.register(appId, displayName, COCKROACH_TENANT_ID, true, Directory.newSecret());
            directory.createPrincipal(app, COCKROACH_TENANT_ID, Instant.now());
            return new EmulatorViews.ClientCredentials(COCKROACH_TENANT_ID, appId, app.secret, null);
        }
    }

    /**
     * The credentials of a multi-tenant app {@link #registerMultiTenantApp} registered (until a {@link #reset}), so that
     * one caller can sign in as an app another registered: the sandbox's key check, as CockroachDB would.
     */
    public Optional<EmulatorViews.ClientCredentials> multiTenantApp(String appId) {
        synchronized (lock) {
            Directory.App app = directory.apps.get(appId);
            if (app == null || !app.multiTenant || !app.homeTenant.equals(COCKROACH_TENANT_ID)) {
                return Optional.empty();
            }
            return Optional.of(new EmulatorViews.ClientCredentials(COCKROACH_TENANT_ID, appId, app.secret, null));
        }
    }

    /** Registers a single-tenant app in the customer tenant with a service principal and no role: a plain caller. */
    public EmulatorViews.ClientCredentials registerApp(String displayName) {
        synchronized (lock) {
            Directory.App app = directory.register(
                    UUID.randomUUID().toString(), displayName, customerTenantId, false, Directory.newSecret());
            Directory.ServicePrincipal sp = directory.createPrincipal(app, customerTenantId, Instant.EPOCH);
            return new EmulatorViews.ClientCredentials(customerTenantId, app.appId, app.secret, sp.id);
        }
    }

    // ---- out-of-band changes (what an administrator elsewhere would do) ----------------------------------------

    /** Removes one of the admin's seeded roles at subscription scope ("Owner" or "Key Vault Crypto Officer"), at once. */
    public AzureEmulator removeAdminRole(String roleName) {
        String name = switch (roleName) {
            case "Owner" -> ADMIN_OWNER_ASSIGNMENT;
            case "Key Vault Crypto Officer" -> ADMIN_CRYPTO_OFFICER_ASSIGNMENT;
            default -> throw new IllegalArgumentException("The admin holds Owner and Key Vault Crypto Officer only");
        };
        synchronized (lock) {
            rbac.active.remove(RoleAssignments.key("/subscriptions/" + subscriptionId, name));
        }
        return this;
    }

    /** Assigns a built-in role out of band, effective at once (test setup, not something the toolkit does). */
    public AzureEmulator assignRole(String principalObjectId, String roleName, String scope) {
        BuiltInRoles.Role role = BuiltInRoles.byName(roleName)
                .orElseThrow(() -> new IllegalArgumentException("Unknown built-in role " + roleName));
        synchronized (lock) {
            seedAssignment(UUID.randomUUID().toString(), scope, role.id(), principalObjectId);
        }
        return this;
    }

    /** Replaces a vault's tags out of band, as its owner would in the portal (test setup). */
    public AzureEmulator vaultTags(String vaultName, Map<String, String> tags) {
        synchronized (lock) {
            Resources.Vault v =
                    resources.vault(vaultName).orElseThrow(() -> new IllegalArgumentException("No vault " + vaultName));
            v.tags.clear();
            v.tags.putAll(tags);
        }
        return this;
    }

    /** Whether a principal may create and change service principals in Graph (Application.ReadWrite.All). */
    public AzureEmulator directoryWrites(String clientId, boolean allowed) {
        synchronized (lock) {
            directory.principals.values().stream()
                    .filter(sp -> sp.appId.equals(clientId))
                    .forEach(sp -> sp.directoryWriter = allowed);
        }
        return this;
    }

    /**
     * A subscription that exists in another tenant: ARM answers a token of any other tenant with 401
     * InvalidAuthenticationTokenTenant, naming the subscription's tenant (as for a subscription moved to another
     * directory: https://github.com/Azure/azure-sdk-for-net/issues/49391).
     */
    public AzureEmulator subscriptionOfAnotherTenant(String subscriptionId, String tenantId) {
        if (this.subscriptionId.equalsIgnoreCase(subscriptionId) || customerTenantId.equalsIgnoreCase(tenantId)) {
            throw new IllegalArgumentException("not another tenant's subscription: the customer tenant is "
                    + customerTenantId + ", its subscription " + this.subscriptionId);
        }
        otherTenantsSubscriptions.put(subscriptionId.toLowerCase(Locale.ROOT), tenantId.toLowerCase(Locale.ROOT));
        return this;
    }

    /** The tenant a subscription belongs to, or null when there is no such subscription. */
    String tenantOfSubscription(String id) {
        return subscriptionId.equalsIgnoreCase(id)
                ? customerTenantId
                : otherTenantsSubscriptions.get(id.toLowerCase(Locale.ROOT));
    }

    /** Enables or disables a service principal's sign-in, as an admin would in the portal. */
    public AzureEmulator servicePrincipalEnabled(String tenantId, String appId, boolean enabled) {
        synchronized (lock) {
            directory
                    .principal(tenantId, appId)
                    .orElseThrow(
                            () -> new IllegalArgumentException("No service principal for " + appId + " in " + tenantId))
                    .accountEnabled = enabled;
        }
        return this;
    }

    // ---- windows -----------------------------------------------------------------------------------------------

    /** All three propagation windows at once. */
    public AzureEmulator propagation(Duration window) {
        return roleAssignmentPropagation(window).roleRemovalPropagation(window).principalReplication(window);
    }

    /** A new role assignment grants nothing until this long after it was written. */
    public AzureEmulator roleAssignmentPropagation(Duration window) {
        rbac.grantPropagation = window;
        return this;
    }

    /** A deleted role assignment keeps granting for this long. */
    public AzureEmulator roleRemovalPropagation(Duration window) {
        rbac.revokePropagation = window;
        return this;
    }

    /** A new service principal is unknown to ARM (PrincipalNotFound without principalType) for this long. */
    public AzureEmulator principalReplication(Duration window) {
        directory.principalReplication = window;
        return this;
    }

    /** The lifetime of tokens issued from now on. */
    public AzureEmulator tokenLifetime(Duration lifetime) {
        tokenLifetime = lifetime;
        return this;
    }

    // ---- faults and counts -------------------------------------------------------------------------------------

    /** Adds this latency to every call, before it runs (outside any lock, so calls overlap). */
    public AzureEmulator latency(Duration perCall) {
        knobs.latency = perCall;
        return this;
    }

    /** Answers the next {@code times} calls of {@code operation} with 429 and {@code Retry-After}, without running them. */
    public AzureEmulator throttleNext(String operation, int times, Duration retryAfter) {
        knobs.add(operation, CallKnobs.Kind.THROTTLE, times, 429, retryAfter);
        return this;
    }

    /** Answers 429 (Retry-After: 1) to calls of {@code operation} beyond {@code perSecond} in any one second. */
    public AzureEmulator rateLimit(String operation, int perSecond) {
        knobs.rateLimit(operation, perSecond);
        return this;
    }

    /** Answers the next {@code times} calls of {@code operation} with the service's 403 for a missing permission. */
    public AzureEmulator denyNext(String operation, int times) {
        knobs.add(operation, CallKnobs.Kind.DENY, times, 403, Duration.ZERO);
        return this;
    }

    /** Answers every call of {@code operation} with the service's 403 until {@link #clearFaults}. */
    public AzureEmulator deny(String operation) {
        knobs.always(operation, CallKnobs.Kind.DENY);
        return this;
    }

    /** Answers the next {@code times} calls of {@code operation} with {@code status} (500 or 503) without running them. */
    public AzureEmulator failNext(String operation, int times, int status) {
        knobs.add(operation, CallKnobs.Kind.SERVER_ERROR, times, status, Duration.ZERO);
        return this;
    }

    /** Runs the next {@code times} calls of {@code operation} but closes the connection instead of answering. */
    public AzureEmulator loseReplyOfNext(String operation, int times) {
        knobs.add(operation, CallKnobs.Kind.LOSE_REPLY, times, 0, Duration.ZERO);
        return this;
    }

    /**
     * Makes {@code count} RSA key pairs of {@code bits} now, which the next key creates and rotations use: a benchmark
     * keeps the emulator's own key generation (about 0.5 s of CPU for 3072 bits) out of the calls it times.
     */
    public AzureEmulator prepareKeyPairs(int bits, int count) {
        keyPairs.prepare(bits, count);
        return this;
    }

    /** Drops every pending injected fault, standing denial and rate limit. */
    public AzureEmulator clearFaults() {
        knobs.clearFaults();
        return this;
    }

    /** Calls received for one operation (see the names in the README), including refused and faulted ones. */
    public int callCount(String operation) {
        return knobs.count(operation);
    }

    public Map<String, Integer> callCounts() {
        return knobs.counts();
    }

    /** Every call since start or the last {@link #resetCallCounts}, in arrival order. */
    public List<EmulatorViews.Call> requestLog() {
        return knobs.log();
    }

    public AzureEmulator resetCallCounts() {
        knobs.resetCounts();
        return this;
    }

    // ---- views -------------------------------------------------------------------------------------------------

    public List<EmulatorViews.Vault> vaults() {
        synchronized (lock) {
            return resources.vaults.values().stream().map(AzureEmulator::view).toList();
        }
    }

    public Optional<EmulatorViews.Vault> vault(String name) {
        synchronized (lock) {
            return resources.vault(name).map(AzureEmulator::view);
        }
    }

    private static EmulatorViews.Vault view(Resources.Vault v) {
        return new EmulatorViews.Vault(
                v.id(),
                v.name,
                v.resourceGroup,
                v.location,
                v.tenantId,
                v.sku,
                v.rbacAuthorization,
                v.purgeProtection,
                v.softDeleteRetentionDays,
                v.uri(),
                Map.copyOf(v.tags));
    }

    /** The vault's keys, live and soft-deleted, with every version. */
    public List<EmulatorViews.Key> keys(String vaultName) {
        synchronized (lock) {
            Resources.Vault v =
                    resources.vault(vaultName).orElseThrow(() -> new IllegalArgumentException("No vault " + vaultName));
            List<EmulatorViews.Key> out = new ArrayList<>();
            v.keys.keys.values().forEach(k -> out.add(view(v, k, false)));
            v.keys.deleted.values().forEach(k -> out.add(view(v, k, true)));
            return out;
        }
    }

    public Optional<EmulatorViews.Key> key(String vaultName, String keyName) {
        return keys(vaultName).stream()
                .filter(k -> k.name().equalsIgnoreCase(keyName))
                .findFirst();
    }

    private static EmulatorViews.Key view(Resources.Vault v, KeyStore.Key k, boolean deleted) {
        List<EmulatorViews.KeyVersion> versions = k.versions.stream()
                .map(x -> new EmulatorViews.KeyVersion(
                        v.uri() + "keys/" + k.name + "/" + x.version,
                        x.kty,
                        x.keySize,
                        List.copyOf(x.keyOps),
                        x.enabled,
                        x.notBefore,
                        x.expires,
                        Map.copyOf(x.tags)))
                .toList();
        return new EmulatorViews.Key(v.name, k.name, versions, deleted, k.rotationPolicy != null);
    }

    /** Role assignments in force or propagating (not the fading removed ones). */
    public List<EmulatorViews.RoleAssignment> roleAssignments() {
        synchronized (lock) {
            return rbac.active.values().stream()
                    .map(a -> new EmulatorViews.RoleAssignment(
                            a.id(),
                            a.name,
                            a.scope,
                            "/subscriptions/" + subscriptionId + "/providers/Microsoft.Authorization/roleDefinitions/"
                                    + a.roleId,
                            BuiltInRoles.byId(a.roleId)
                                    .map(BuiltInRoles.Role::name)
                                    .orElse(a.roleId),
                            a.principalId,
                            a.principalType,
                            a.createdOn,
                            a.effectiveFrom))
                    .toList();
        }
    }

    public List<EmulatorViews.ServicePrincipal> servicePrincipals() {
        synchronized (lock) {
            return directory.principals.values().stream()
                    .map(sp -> new EmulatorViews.ServicePrincipal(
                            sp.id, sp.appId, sp.tenantId, sp.displayName, sp.accountEnabled, sp.createdAt))
                    .toList();
        }
    }

    public Optional<EmulatorViews.ServicePrincipal> servicePrincipal(String tenantId, String appId) {
        return servicePrincipals().stream()
                .filter(sp -> sp.tenantId().equals(tenantId) && sp.appId().equalsIgnoreCase(appId))
                .findFirst();
    }

    /**
     * Forgets resource groups, vaults, keys, role assignments and apps other than the admin's (whose roles come
     * back), injected faults and call counts; keeps latency, the windows and the certificates.
     */
    public AzureEmulator reset() {
        synchronized (lock) {
            resources.clear();
            rbac.clear();
            directory.apps.clear();
            directory.principals.clear();
            directory.tenantNames.clear();
            otherTenantsSubscriptions.clear();
            seed();
        }
        knobs.clearFaults();
        knobs.resetCounts();
        return this;
    }

    @Override
    public void close() {
        server.close();
        keyPairs.recycle();
        try {
            Files.deleteIfExists(caFile);
            Files.deleteIfExists(caFile.getParent());
        } catch (IOException e) {
            // a temp file; deleteOnExit covers it
        }
    }

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
