package dev.cmek.gcp;

import com.google.api.gax.core.CredentialsProvider;
import com.google.api.gax.core.FixedCredentialsProvider;
import com.google.api.gax.core.NoCredentialsProvider;
import com.google.api.gax.grpc.GrpcTransportChannel;
import com.google.api.gax.grpc.InstantiatingGrpcChannelProvider;
import com.google.api.gax.retrying.RetrySettings;
import com.google.api.gax.rpc.FixedTransportChannelProvider;
import com.google.api.gax.rpc.StatusCode;
import com.google.api.gax.rpc.UnaryCallSettings;
import com.google.auth.oauth2.GoogleCredentials;
import com.google.cloud.iam.admin.v1.IAMClient;
import com.google.cloud.iam.admin.v1.IAMSettings;
import com.google.cloud.kms.v1.KeyManagementServiceClient;
import com.google.cloud.kms.v1.KeyManagementServiceSettings;
import com.google.cloud.resourcemanager.v3.ProjectsClient;
import com.google.cloud.resourcemanager.v3.ProjectsSettings;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Holds the Cloud KMS, IAM admin and Resource Manager clients, built on first use and reused, each with the one retry
 * layer of this module: gax {@code RetrySettings} per method (which codes, backoff, a deadline on every attempt and a
 * total budget), so no call can hang and none retries past {@link CallBudget#total()}. Each client is pointed at an
 * explicit endpoint, at {@code CLOUDKMS_EMULATOR_HOST} / {@code IAM_EMULATOR_HOST} (plaintext host:port without
 * credentials; both or neither), or at Google with Application Default Credentials.
 */
public final class GcpClients implements AutoCloseable {
    public static final String KMS_EMULATOR_ENV = "CLOUDKMS_EMULATOR_HOST";
    public static final String IAM_EMULATOR_ENV = "IAM_EMULATOR_HOST";
    public static final String CREDENTIALS_ENV = "GOOGLE_APPLICATION_CREDENTIALS";

    /**
     * How long one call may take, retries included: each attempt gets {@code attempt} as its deadline, pauses start at
     * {@code firstBackoff} and double up to {@code maxBackoff} (jittered), and the call fails after {@code total}.
     */
    public record CallBudget(Duration total, Duration attempt, Duration firstBackoff, Duration maxBackoff) {
        /**
         * 30 s per call: KMS and IAM admin answer in well under a second, and Google asks for at least 1 s between
         * retries of a 503 (https://cloud.google.com/service-usage/docs/troubleshooting); gax's own KMS default is 60 s
         * and IAM admin's create/set-policy/disable/enable retry nothing, with no deadline on disable/enable.
         */
        public static final CallBudget DEFAULT = new CallBudget(
                Duration.ofSeconds(30), Duration.ofSeconds(10), Duration.ofSeconds(1), Duration.ofSeconds(8));
    }

    /** Transient: the request did not get an answer. Creates are safe to retry (ALREADY_EXISTS means read and check). */
    private static final Set<StatusCode.Code> TRANSIENT =
            Set.of(StatusCode.Code.UNAVAILABLE, StatusCode.Code.DEADLINE_EXCEEDED);

    private final Target kmsTarget;
    private final Target iamTarget;
    private final CallBudget budget;
    private final Map<String, String> env;
    private final List<ManagedChannel> ownedChannels = new ArrayList<>();
    private KeyManagementServiceClient kms;
    private IAMClient iam;
    private ProjectsClient projects;
    private boolean closed;

    /** Where one client goes: a channel we were given, a plaintext host:port, or Google with ADC (both null). */
    private record Target(ManagedChannel channel, String hostPort) {}

    private GcpClients(Target kmsTarget, Target iamTarget, CallBudget budget, Map<String, String> env) {
        this.kmsTarget = kmsTarget;
        this.iamTarget = iamTarget;
        this.budget = budget;
        this.env = env;
    }

    /** Explicit endpoints win, then the emulator environment variables, then Google with ADC. */
    public static GcpClients resolve(Optional<String> kmsEndpoint, Optional<String> iamEndpoint) {
        return resolve(kmsEndpoint, iamEndpoint, System.getenv());
    }

    static GcpClients resolve(Optional<String> kmsEndpoint, Optional<String> iamEndpoint, Map<String, String> env) {
        String kms =
                checkHostPort(kmsEndpoint.orElseGet(() -> emulatorVariable(env, KMS_EMULATOR_ENV)), KMS_EMULATOR_ENV);
        String iam =
                checkHostPort(iamEndpoint.orElseGet(() -> emulatorVariable(env, IAM_EMULATOR_ENV)), IAM_EMULATOR_ENV);
        if ((kms == null) != (iam == null)) {
            // Half an emulator would send KMS calls to one place and IAM calls to the other: keys made, then a failure.
            throw new InvalidInputException("Set both " + KMS_EMULATOR_ENV + " and " + IAM_EMULATOR_ENV
                    + " (emulator) or neither (Google): only " + (kms != null ? KMS_EMULATOR_ENV : IAM_EMULATOR_ENV)
                    + " is set.");
        }
        return new GcpClients(new Target(null, kms), new Target(null, iam), CallBudget.DEFAULT, env);
    }

    /** From an environment: both emulator variables, or neither (then Google with ADC). */
    public static GcpClients fromEnvironment(Map<String, String> env) {
        return resolve(Optional.empty(), Optional.empty(), env);
    }

    /** {@link #fromEnvironment(Map)} with another budget per call (a deadline inside a command's --timeout). */
    public static GcpClients fromEnvironment(Map<String, String> env, CallBudget budget) {
        GcpClients found = fromEnvironment(env);
        return new GcpClients(found.kmsTarget, found.iamTarget, budget, env);
    }

    /** From the process environment. */
    public static GcpClients fromEnvironment() {
        return fromEnvironment(System.getenv());
    }

    /** Both clients over one plaintext channel without credentials (the in-process emulator); the channel stays the caller's. */
    public static GcpClients overChannel(ManagedChannel channel) {
        return overChannel(channel, CallBudget.DEFAULT);
    }

    public static GcpClients overChannel(ManagedChannel channel, CallBudget budget) {
        return new GcpClients(new Target(channel, null), new Target(channel, null), budget, Map.of());
    }

    /** A variable that is set must hold host:port: an empty value is a mistake, not "use Google". */
    private static String emulatorVariable(Map<String, String> env, String name) {
        String v = env.get(name);
        if (v != null && v.isBlank()) {
            throw new InvalidInputException(name + " is set but empty: give host:port of the emulator, or unset it and "
                    + (name.equals(KMS_EMULATOR_ENV) ? IAM_EMULATOR_ENV : KMS_EMULATOR_ENV) + " to use Google.");
        }
        return v == null ? null : v.strip();
    }

    private static String checkHostPort(String endpoint, String variable) {
        if (endpoint != null && !endpoint.matches("[A-Za-z0-9.\\-]+:[0-9]{1,5}|\\[[0-9a-fA-F:]+\\]:[0-9]{1,5}")) {
            throw new InvalidInputException(
                    "Emulator endpoint '" + endpoint + "' (" + variable + ") must be host:port, e.g. 127.0.0.1:8085.");
        }
        return endpoint;
    }

    /** Where the KMS client goes: a host:port, "channel", or "google (ADC)". */
    String kmsTargetDescription() {
        return describe(kmsTarget);
    }

    String iamTargetDescription() {
        return describe(iamTarget);
    }

    /** One line for users: where Cloud KMS and IAM calls go (Resource Manager goes with IAM). */
    public String endpoints() {
        return "GCP endpoints: Cloud KMS " + describe(kmsTarget) + ", IAM and Resource Manager " + describe(iamTarget);
    }

    private static String describe(Target t) {
        return t.channel != null ? "channel" : t.hostPort != null ? t.hostPort + " (plaintext)" : "google (ADC)";
    }

    public CallBudget budget() {
        return budget;
    }

    public synchronized KeyManagementServiceClient kms() {
        checkOpen();
        if (kms == null) {
            try {
                KeyManagementServiceSettings.Builder b = KeyManagementServiceSettings.newBuilder();
                point(b, kmsTarget, KeyManagementServiceSettings.defaultGrpcTransportProviderBuilder());
                retrying(b.createKeyRingSettings(), b.getKeyRingSettings(), b.createCryptoKeySettings());
                retrying(b.getCryptoKeySettings(), b.getCryptoKeyVersionSettings());
                retrying(b.updateCryptoKeyPrimaryVersionSettings(), b.getIamPolicySettings(), b.setIamPolicySettings());
                retrying(b.getLocationSettings(), b.listLocationsSettings());
                // Setting the rotation schedule is idempotent; listing keys and versions is a read.
                retrying(b.updateCryptoKeySettings(), b.listCryptoKeysSettings(), b.listCryptoKeyVersionsSettings());
                // Not retried: a lost reply would make a second version (harmless, but not what was asked).
                once(b.createCryptoKeyVersionSettings());
                kms = KeyManagementServiceClient.create(b.build());
            } catch (IOException e) {
                throw CallFailedException.noCredentials("Cloud KMS", e);
            }
        }
        return kms;
    }

    public synchronized IAMClient iam() {
        checkOpen();
        if (iam == null) {
            try {
                IAMSettings.Builder b = IAMSettings.newBuilder();
                point(b, iamTarget, IAMSettings.defaultGrpcTransportProviderBuilder());
                retrying(
                        b.createServiceAccountSettings(),
                        b.getServiceAccountSettings(),
                        b.listServiceAccountsSettings());
                retrying(b.disableServiceAccountSettings(), b.enableServiceAccountSettings());
                retrying(b.getIamPolicySettings(), b.setIamPolicySettings());
                iam = IAMClient.create(b.build());
            } catch (IOException e) {
                throw CallFailedException.noCredentials("IAM", e);
            }
        }
        return iam;
    }

    /** Cloud Resource Manager, to read the project's IAM policy; served by the IAM emulator when there is one. */
    public synchronized ProjectsClient projects() {
        checkOpen();
        if (projects == null) {
            try {
                ProjectsSettings.Builder b = ProjectsSettings.newBuilder();
                point(b, iamTarget, ProjectsSettings.defaultGrpcTransportProviderBuilder());
                retrying(b.getIamPolicySettings());
                projects = ProjectsClient.create(b.build());
            } catch (IOException e) {
                throw CallFailedException.noCredentials("Resource Manager", e);
            }
        }
        return projects;
    }

    /** @param google the client's default transport to Google, which gets {@link UnreachableEndpoints} too */
    private void point(
            com.google.api.gax.rpc.ClientSettings.Builder<?, ?> b,
            Target t,
            InstantiatingGrpcChannelProvider.Builder google)
            throws IOException {
        Optional<ManagedChannel> ch = channelFor(t);
        if (ch.isPresent()) {
            b.setTransportChannelProvider(FixedTransportChannelProvider.create(GrpcTransportChannel.create(ch.get())))
                    .setCredentialsProvider(NoCredentialsProvider.create());
        } else {
            b.setTransportChannelProvider(google.setInterceptorProvider(() -> List.of(new UnreachableEndpoints()))
                            .build())
                    .setCredentialsProvider(adc());
        }
    }

    /**
     * Application Default Credentials: the key file named by GOOGLE_APPLICATION_CREDENTIALS in this environment, or
     * else gcloud's well-known file or the metadata server, as {@link GoogleCredentials#getApplicationDefault()} finds.
     */
    private CredentialsProvider adc() throws IOException {
        String file = env.get(CREDENTIALS_ENV);
        GoogleCredentials credentials;
        if (file != null && !file.isBlank()) {
            try (InputStream in = new FileInputStream(file.strip())) {
                credentials = GoogleCredentials.fromStream(in);
            } catch (IOException e) {
                throw new IOException(CREDENTIALS_ENV + "=" + file + " cannot be read: " + e.getMessage(), e);
            }
        } else {
            credentials = GoogleCredentials.getApplicationDefault();
        }
        return FixedCredentialsProvider.create(
                credentials.createScoped(List.of("https://www.googleapis.com/auth/cloud-platform")));
    }

    private void retrying(UnaryCallSettings.Builder<?, ?>... methods) {
        RetrySettings settings = RetrySettings.newBuilder()
                .setTotalTimeoutDuration(budget.total())
                .setInitialRpcTimeoutDuration(budget.attempt())
                .setMaxRpcTimeoutDuration(budget.attempt())
                .setRpcTimeoutMultiplier(1.0)
                .setInitialRetryDelayDuration(budget.firstBackoff())
                .setRetryDelayMultiplier(2.0)
                .setMaxRetryDelayDuration(budget.maxBackoff())
                .setJittered(true)
                .build();
        for (UnaryCallSettings.Builder<?, ?> m : methods) {
            m.setRetrySettings(settings).setRetryableCodes(TRANSIENT);
        }
    }

    private void once(UnaryCallSettings.Builder<?, ?>... methods) {
        RetrySettings settings = RetrySettings.newBuilder()
                .setTotalTimeoutDuration(budget.attempt())
                .setInitialRpcTimeoutDuration(budget.attempt())
                .setMaxRpcTimeoutDuration(budget.attempt())
                .setMaxAttempts(1)
                .build();
        for (UnaryCallSettings.Builder<?, ?> m : methods) {
            m.setRetrySettings(settings).setRetryableCodes(Set.of());
        }
    }

    private Optional<ManagedChannel> channelFor(Target t) {
        if (t.channel != null) {
            return Optional.of(t.channel);
        }
        if (t.hostPort == null) {
            return Optional.empty();
        }
        ManagedChannel ch = NettyChannelBuilder.forTarget(t.hostPort)
                .usePlaintext()
                .intercept(new UnreachableEndpoints())
                .build();
        ownedChannels.add(ch);
        return Optional.of(ch);
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("GcpClients is closed");
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (kms != null) {
            kms.close();
        }
        if (iam != null) {
            iam.close();
        }
        if (projects != null) {
            projects.close();
        }
        ownedChannels.forEach(ManagedChannel::shutdownNow);
    }
}
