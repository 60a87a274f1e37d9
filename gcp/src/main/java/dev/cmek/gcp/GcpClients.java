package dev.cmek.gcp;

import com.google.api.gax.core.NoCredentialsProvider;
import com.google.api.gax.grpc.GrpcTransportChannel;
import com.google.api.gax.rpc.FixedTransportChannelProvider;
import com.google.cloud.iam.admin.v1.IAMClient;
import com.google.cloud.iam.admin.v1.IAMSettings;
import com.google.cloud.kms.v1.KeyManagementServiceClient;
import com.google.cloud.kms.v1.KeyManagementServiceSettings;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Holds the KMS and IAM admin clients, built on first use and reused. Each is pointed, in order of precedence, at an
 * explicit endpoint, at {@code CLOUDKMS_EMULATOR_HOST} / {@code IAM_EMULATOR_HOST} (both plaintext host:port without
 * credentials), or at Google with Application Default Credentials.
 */
public final class GcpClients implements AutoCloseable {
    public static final String KMS_EMULATOR_ENV = "CLOUDKMS_EMULATOR_HOST";
    public static final String IAM_EMULATOR_ENV = "IAM_EMULATOR_HOST";

    private final Target kmsTarget;
    private final Target iamTarget;
    private final List<ManagedChannel> ownedChannels = new ArrayList<>();
    private KeyManagementServiceClient kms;
    private IAMClient iam;
    private boolean closed;

    /** Where one client goes: a channel we were given, a plaintext host:port, or Google with ADC (both null). */
    private record Target(ManagedChannel channel, String hostPort) {}

    private GcpClients(Target kmsTarget, Target iamTarget) {
        this.kmsTarget = kmsTarget;
        this.iamTarget = iamTarget;
    }

    /** Explicit endpoints win, then the emulator environment variables, then Google with ADC. */
    public static GcpClients resolve(Optional<String> kmsEndpoint, Optional<String> iamEndpoint) {
        return resolve(kmsEndpoint, iamEndpoint, System.getenv());
    }

    static GcpClients resolve(Optional<String> kmsEndpoint, Optional<String> iamEndpoint, Map<String, String> env) {
        String kms =
                checkHostPort(kmsEndpoint.orElseGet(() -> blankToNull(env.get(KMS_EMULATOR_ENV))), KMS_EMULATOR_ENV);
        String iam =
                checkHostPort(iamEndpoint.orElseGet(() -> blankToNull(env.get(IAM_EMULATOR_ENV))), IAM_EMULATOR_ENV);
        return new GcpClients(new Target(null, kms), new Target(null, iam));
    }

    /** From the environment only: emulator variables if set, else Google with ADC. */
    public static GcpClients fromEnvironment() {
        return resolve(Optional.empty(), Optional.empty());
    }

    /** Both clients over one plaintext channel without credentials (the in-process emulator); the channel stays the caller's. */
    public static GcpClients overChannel(ManagedChannel channel) {
        return new GcpClients(new Target(channel, null), new Target(channel, null));
    }

    private static String checkHostPort(String endpoint, String variable) {
        if (endpoint != null && !endpoint.matches("[A-Za-z0-9.\\-]+:[0-9]{1,5}|\\[[0-9a-fA-F:]+\\]:[0-9]{1,5}")) {
            throw new InvalidInputException("Emulator endpoint '" + endpoint + "' (option or " + variable
                    + ") must be host:port, e.g. 127.0.0.1:8085.");
        }
        return endpoint;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    /** Where the KMS client goes: a host:port, "channel", or "google (ADC)". */
    public String kmsTargetDescription() {
        return describe(kmsTarget);
    }

    public String iamTargetDescription() {
        return describe(iamTarget);
    }

    private static String describe(Target t) {
        return t.channel != null ? "channel" : t.hostPort != null ? t.hostPort + " (plaintext)" : "google (ADC)";
    }

    public synchronized KeyManagementServiceClient kms() {
        checkOpen();
        if (kms == null) {
            try {
                KeyManagementServiceSettings.Builder b = KeyManagementServiceSettings.newBuilder();
                Optional<ManagedChannel> ch = channelFor(kmsTarget);
                if (ch.isPresent()) {
                    b.setTransportChannelProvider(
                                    FixedTransportChannelProvider.create(GrpcTransportChannel.create(ch.get())))
                            .setCredentialsProvider(NoCredentialsProvider.create());
                }
                kms = KeyManagementServiceClient.create(b.build());
            } catch (IOException e) {
                throw new GcpCmekException(
                        "Could not build the Cloud KMS client (" + describe(kmsTarget) + "): " + e.getMessage()
                                + ". Without an emulator this needs Application Default Credentials: gcloud auth application-default login.",
                        e);
            }
        }
        return kms;
    }

    public synchronized IAMClient iam() {
        checkOpen();
        if (iam == null) {
            try {
                IAMSettings.Builder b = IAMSettings.newBuilder();
                Optional<ManagedChannel> ch = channelFor(iamTarget);
                if (ch.isPresent()) {
                    b.setTransportChannelProvider(
                                    FixedTransportChannelProvider.create(GrpcTransportChannel.create(ch.get())))
                            .setCredentialsProvider(NoCredentialsProvider.create());
                }
                iam = IAMClient.create(b.build());
            } catch (IOException e) {
                throw new GcpCmekException(
                        "Could not build the IAM admin client (" + describe(iamTarget) + "): " + e.getMessage()
                                + ". Without an emulator this needs Application Default Credentials: gcloud auth application-default login.",
                        e);
            }
        }
        return iam;
    }

    private Optional<ManagedChannel> channelFor(Target t) {
        if (t.channel != null) {
            return Optional.of(t.channel);
        }
        if (t.hostPort == null) {
            return Optional.empty();
        }
        ManagedChannel ch =
                NettyChannelBuilder.forTarget(t.hostPort).usePlaintext().build();
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
        ownedChannels.forEach(ManagedChannel::shutdownNow);
    }
}
