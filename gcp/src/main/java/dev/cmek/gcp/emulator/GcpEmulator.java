package dev.cmek.gcp.emulator;

import com.google.iam.admin.v1.ServiceAccount;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A Cloud KMS and IAM emulator: one gRPC server with KMS, {@code google.iam.v1.IAMPolicy} and IAM admin,
 * in-process or on 127.0.0.1, with knobs for latency, failures and IAM propagation delay.
 */
public final class GcpEmulator implements AutoCloseable {
    /**
     * Both IAM propagation windows (new service accounts, new bindings) start at this, so every test meets eventual
     * consistency unless it says otherwise: Google's are a minute or more
     * (https://cloud.google.com/iam/docs/access-change-propagation), test-sized here.
     */
    public static final Duration DEFAULT_PROPAGATION = Duration.ofMillis(250);
    /** New HSM key versions start PENDING_GENERATION for this long, as in Cloud HSM. */
    public static final Duration DEFAULT_HSM_GENERATION = Duration.ofMillis(300);

    /** The role that lets a member mint tokens for a service account. */
    static final String TOKEN_CREATOR = "roles/iam.serviceAccountTokenCreator";
    /** The role that lets a member encrypt and decrypt with a crypto key. */
    static final String ENCRYPTER_DECRYPTER = "roles/cloudkms.cryptoKeyEncrypterDecrypter";

    private final EmulatorState state = new EmulatorState();
    private final CallKnobs knobs = new CallKnobs();
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "gcp-emulator");
        t.setDaemon(true);
        return t;
    });
    private final Server server;
    private final ManagedChannel channel;
    private final String endpoint;

    private GcpEmulator(boolean inProcess, int port) {
        try {
            if (inProcess) {
                String name = "gcp-emulator-" + UUID.randomUUID();
                server = register(InProcessServerBuilder.forName(name))
                        .executor(executor)
                        .build()
                        .start();
                channel = InProcessChannelBuilder.forName(name).build();
                endpoint = null;
            } else {
                server = register(NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port)))
                        .executor(executor)
                        .build()
                        .start();
                endpoint = "127.0.0.1:" + server.getPort();
                channel = NettyChannelBuilder.forTarget(endpoint).usePlaintext().build();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start the GCP emulator on port " + port, e);
        }
    }

    private <B extends io.grpc.ServerBuilder<B>> B register(B builder) {
        return builder.addService(ServerInterceptors.intercept(new KmsService(state), knobs))
                .addService(ServerInterceptors.intercept(new KeyIamPolicyService(state), knobs))
                .addService(ServerInterceptors.intercept(new IamAdminService(state), knobs))
                .addService(ServerInterceptors.intercept(new KmsLocations(state), knobs))
                .addService(ServerInterceptors.intercept(new ProjectPolicies(state), knobs));
    }

    /** Starts an emulator reachable only through {@link #channel()}, for unit tests. */
    public static GcpEmulator inProcess() {
        return new GcpEmulator(true, 0);
    }

    /** Starts an emulator on 127.0.0.1:port (0 picks a free port); see {@link #endpoint()}. */
    public static GcpEmulator start(int port) {
        return new GcpEmulator(false, port);
    }

    /** A plaintext channel to this emulator; owned by the emulator, closed with it. */
    public ManagedChannel channel() {
        return channel;
    }

    /** {@code 127.0.0.1:port} for a network emulator, for {@code CLOUDKMS_EMULATOR_HOST} and {@code IAM_EMULATOR_HOST}. */
    public Optional<String> endpoint() {
        return Optional.ofNullable(endpoint);
    }

    /** Adds this latency to every call (applied before the call runs, outside any lock, so calls overlap). */
    public GcpEmulator latency(Duration perCall) {
        knobs.latency = perCall;
        return this;
    }

    /** Answers the next {@code times} calls of {@code method} with UNAVAILABLE without running them. */
    public GcpEmulator failNext(String method, int times) {
        return failNext(method, times, Status.Code.UNAVAILABLE);
    }

    /** Answers the next {@code times} calls of {@code method} with {@code code} without running them. */
    public GcpEmulator failNext(String method, int times, Status.Code code) {
        knobs.fail(
                method,
                times,
                Status.fromCode(code).withDescription("injected by GcpEmulator").asRuntimeException(),
                false);
        return this;
    }

    /** Runs the next {@code times} calls of {@code method} but replaces their answers with {@code code} (a lost reply). */
    public GcpEmulator loseReplyOfNext(String method, int times, Status.Code code) {
        knobs.fail(
                method,
                times,
                Status.fromCode(code)
                        .withDescription("reply lost, injected by GcpEmulator")
                        .asRuntimeException(),
                true);
        return this;
    }

    /**
     * Every call of {@code method} answers PERMISSION_DENIED naming {@code permission}, as IAM does for a caller
     * without it, until {@link #clearFailures}.
     */
    public GcpEmulator denyPermission(String method, String permission) {
        knobs.deniedPermissions.put(method, permission);
        return this;
    }

    /**
     * Every call to {@code api} ({@code cloudkms.googleapis.com}, {@code iam.googleapis.com},
     * {@code cloudresourcemanager.googleapis.com}) answers PERMISSION_DENIED with ErrorInfo SERVICE_DISABLED, until
     * {@link #clearFailures}.
     */
    public GcpEmulator disableApi(String api) {
        knobs.disabledApis.add(api);
        return this;
    }

    /**
     * Enforces domain-restricted sharing ({@code constraints/iam.allowedPolicyMemberDomains}): a policy may gain only
     * members whose email domain (users, groups) or project (service accounts) is listed. Until {@link #reset}.
     */
    public GcpEmulator allowPolicyMembersOnlyFrom(String... domainsOrProjects) {
        state.allowedMemberDomains = Set.of(domainsOrProjects);
        return this;
    }

    /** Serves (or changes) a KMS location and whether it offers HSM keys; until {@link #reset}. */
    public GcpEmulator kmsLocation(String location, boolean hsmAvailable) {
        synchronized (state) {
            state.kmsLocations.put(location, hsmAvailable);
        }
        return this;
    }

    /** Drops every pending injected failure, denied permission and disabled API. */
    public GcpEmulator clearFailures() {
        knobs.clearFaults();
        knobs.clearResourceKnobs();
        return this;
    }

    /** A binding added to a policy counts for {@link #canImpersonateAndUse} only this long after it was set. */
    public GcpEmulator propagationDelay(Duration delay) {
        state.propagationDelay = delay;
        return this;
    }

    /**
     * A new service account stays invisible this long: GetServiceAccount and its own policy calls answer NOT_FOUND, a
     * policy naming it as a new member INVALID_ARGUMENT "Service account ... does not exist", and it is not listed.
     */
    public GcpEmulator serviceAccountPropagation(Duration window) {
        state.accountPropagation = window;
        return this;
    }

    /** Both IAM windows at once: new service accounts and new bindings. */
    public GcpEmulator propagation(Duration window) {
        return propagationDelay(window).serviceAccountPropagation(window);
    }

    /** New HSM key versions stay PENDING_GENERATION this long before becoming ENABLED (zero: at once). */
    public GcpEmulator hsmGenerationDelay(Duration delay) {
        state.hsmGenerationDelay = delay;
        return this;
    }

    /** Calls received for one full method name (see {@link EmulatedMethod}). */
    public int callCount(String method) {
        return knobs.count(method);
    }

    /** Calls received per full method name. */
    public Map<String, Integer> callCounts() {
        return knobs.counts();
    }

    /** Total calls received. */
    public int totalCalls() {
        return knobs.counts().values().stream().mapToInt(Integer::intValue).sum();
    }

    public GcpEmulator resetCallCounts() {
        knobs.resetCounts();
        return this;
    }

    /**
     * Whether {@code member} could now impersonate {@code serviceAccountEmail} and use {@code cryptoKeyName} through it:
     * the account exists and is enabled, both bindings exist and have propagated, and the key has an enabled primary.
     */
    public boolean canImpersonateAndUse(String member, String serviceAccountEmail, String cryptoKeyName) {
        synchronized (state) {
            Instant now = Instant.now();
            ServiceAccount sa = state.visibleAccount(serviceAccountEmail);
            if (sa == null || sa.getDisabled()) {
                return false;
            }
            if (!state.effective(serviceAccountEmail, TOKEN_CREATOR, member, now)) {
                return false;
            }
            var key = state.cryptoKey(cryptoKeyName);
            if (key == null
                    || !key.hasPrimary()
                    || key.getPrimary().getState()
                            != com.google.cloud.kms.v1.CryptoKeyVersion.CryptoKeyVersionState.ENABLED) {
                return false;
            }
            String saMember = "serviceAccount:" + serviceAccountEmail;
            String ring = cryptoKeyName.substring(0, cryptoKeyName.indexOf("/cryptoKeys/"));
            return state.effective(cryptoKeyName, ENCRYPTER_DECRYPTER, saMember, now)
                    || state.effective(ring, ENCRYPTER_DECRYPTER, saMember, now);
        }
    }

    /**
     * Forgets every key ring, key, service account and policy, injected failure, org policy, location change and call
     * count; keeps latency and the propagation and HSM windows.
     */
    public GcpEmulator reset() {
        synchronized (state) {
            state.keyRings.clear();
            state.cryptoKeys.clear();
            state.versions.clear();
            state.serviceAccounts.clear();
            state.policies.clear();
            state.bindingAddedAt.clear();
            state.versionReadyAt.clear();
            state.accountVisibleAt.clear();
            state.allowedMemberDomains = null;
            state.kmsLocations.clear();
            state.kmsLocations.putAll(KmsLocations.DEFAULT);
        }
        knobs.clearFaults();
        knobs.clearResourceKnobs();
        knobs.resetCounts();
        return this;
    }

    /**
     * Puts a key version in {@code versionState} out of band, as someone with the Cloud KMS admin role could
     * (DestroyCryptoKeyVersion makes it DESTROY_SCHEDULED, UpdateCryptoKeyVersion DISABLED): tests craft the states
     * {@code verify} must report. The toolkit itself never calls either.
     */
    public GcpEmulator versionState(
            String versionName, com.google.cloud.kms.v1.CryptoKeyVersion.CryptoKeyVersionState versionState) {
        synchronized (state) {
            String key = versionName.substring(0, versionName.lastIndexOf("/cryptoKeyVersions/"));
            java.util.List<com.google.cloud.kms.v1.CryptoKeyVersion> list = state.versionsOf(key);
            for (int i = 0; i < list.size(); i++) {
                if (list.get(i).getName().equals(versionName)) {
                    var b = list.get(i).toBuilder().setState(versionState);
                    if (versionState
                            == com.google.cloud.kms.v1.CryptoKeyVersion.CryptoKeyVersionState.DESTROY_SCHEDULED) {
                        // Destruction is scheduled 30 days out by default
                        // (https://cloud.google.com/kms/docs/destroy-restore).
                        b.setDestroyTime(com.google.protobuf.Timestamp.newBuilder()
                                .setSeconds(Instant.now()
                                        .plus(java.time.Duration.ofDays(30))
                                        .getEpochSecond()));
                    }
                    list.set(i, b.build());
                    state.cryptoKey(key);
                    return this;
                }
            }
            throw new IllegalArgumentException("no key version " + versionName);
        }
    }

    /** The name of the key's primary version (empty when the key or its primary does not exist): what CockroachDB would wrap with now. */
    public Optional<String> primaryVersion(String cryptoKeyName) {
        synchronized (state) {
            var key = state.cryptoKey(cryptoKeyName);
            return key == null || !key.hasPrimary()
                    ? Optional.empty()
                    : Optional.of(key.getPrimary().getName());
        }
    }

    /** Number of crypto keys held, for tests that check nothing was duplicated. */
    public int cryptoKeyCount() {
        synchronized (state) {
            return state.cryptoKeys.size();
        }
    }

    /** Number of service accounts held. */
    public int serviceAccountCount() {
        synchronized (state) {
            return state.serviceAccounts.size();
        }
    }

    @Override
    public void close() {
        channel.shutdownNow();
        server.shutdownNow();
        try {
            server.awaitTermination(5, TimeUnit.SECONDS);
            channel.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        executor.shutdownNow();
    }

    // ---- appended for breach-response tests --------------------------------------------------------------------

    /**
     * Calls of {@code method} whose request names a resource starting with {@code resourcePrefix} (a key ring, a key, a
     * service account) answer PERMISSION_DENIED naming {@code permission}, as IAM does for a caller without it on
     * that resource only (https://cloud.google.com/iam/docs/troubleshooting-access); until {@link #clearFailures}.
     */
    public GcpEmulator denyPermissionOn(String method, String resourcePrefix, String permission) {
        knobs.denyOn(method, resourcePrefix, permission);
        return this;
    }

    /**
     * Calls of {@code method} naming a resource under {@code resourcePrefix} ("" for every call) are received and never
     * answered, as behind a network that drops them: only the caller's deadline ends them. Until
     * {@link #clearFailures}.
     */
    public GcpEmulator neverAnswer(String method, String resourcePrefix) {
        knobs.hangOn(method, resourcePrefix);
        return this;
    }

    /**
     * Runs {@code action} once the {@code nth} call of {@code method} (1-based, counted since the last reset) has
     * changed the emulator's state and before its answer leaves: where a test kills the caller after a write.
     */
    public GcpEmulator beforeReplyTo(String method, int nth, Runnable action) {
        knobs.beforeReplyTo(method, nth, action);
        return this;
    }
}
