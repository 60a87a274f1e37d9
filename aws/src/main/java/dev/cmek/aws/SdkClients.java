package dev.cmek.aws;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.TrustManager;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * The real SDK clients: one KMS client per region built lazily on first use and cached, one IAM and one STS client,
 * all sharing one explicitly chosen HTTP client. Throttling and 5xx are retried by the SDK's adaptive retry strategy
 * with {@link #MAX_ATTEMPTS} attempts; KMS control-plane calls are paced under the account's quota per Region
 * ({@link ControlPlaneQuota}).
 */
public final class SdkClients implements AwsClients {
    /**
     * Attempts per call on throttling and 5xx: the standard 3 gives up within a second of a burst; 10 with the adaptive
     * strategy's backoff (capped at 20 s) rides out several seconds of throttling by other tools in the account.
     */
    public static final int MAX_ATTEMPTS = 10;

    /**
     * Idle connections the JDK keeps open per host for HttpURLConnection, which the SDK's UrlConnectionHttpClient
     * uses: {@code http.maxConnections}, 5 unless set ("the maximum number of idle connections that will be
     * simultaneously kept alive, per destination", java.net doc-files/net-properties.html). A fleet, or a revocation of
     * every cluster using an account, sends tens of calls at once to one Region's endpoint; with 5 kept, each call
     * past them opens a new connection and pays a TCP and TLS handshake (AwsAsItReallyBehavesTest bounds the
     * connections opened).
     */
    static final int CONNECTIONS_KEPT_PER_HOST = 64;

    static {
        // The JDK reads it once, when it first keeps a connection: set when this class loads, before any client
        // exists, and only where the user did not set it.
        if (System.getProperty("http.maxConnections") == null) {
            System.setProperty("http.maxConnections", Integer.toString(CONNECTIONS_KEPT_PER_HOST));
        }
    }

    private final URI endpoint;
    private final AwsCredentialsProvider credentials;
    private final int maxAttempts;
    private final double controlPlanePerSecond;
    private final SdkHttpClient http;
    private final OnFirstUseTrustManager trust = new OnFirstUseTrustManager();
    private final Duration attemptTimeout;
    private final Duration callTimeout;
    private final Map<Region, KmsClient> kms = new ConcurrentHashMap<>();
    private volatile IamClient iam;
    private volatile StsClient sts;
    private volatile CallerIdentity caller;
    // One lock per lazily built thing: the caller's identity is an STS round trip, and holding one lock across it
    // would keep the IAM client (a revocation's master switch) from being built until STS answered.
    private final Object callerLock = new Object();
    private final Object iamLock = new Object();
    private final Object stsLock = new Object();

    private SdkClients(Builder b) {
        this.endpoint = b.endpoint;
        this.credentials = b.credentials != null
                ? b.credentials
                : DefaultCredentialsProvider.builder().build();
        this.maxAttempts = b.maxAttempts;
        this.controlPlanePerSecond = b.controlPlanePerSecond;
        this.attemptTimeout = b.attemptTimeout;
        this.callTimeout = b.callTimeout;
        this.http = UrlConnectionHttpClient.builder()
                .connectionTimeout(b.connectTimeout)
                .socketTimeout(b.socketTimeout)
                .tlsTrustManagersProvider(() -> new TrustManager[] {trust})
                .build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Clients for an emulator (moto, LocalStack): endpoint override and static dummy credentials. */
    public static SdkClients forEmulator(URI endpoint) {
        return builder()
                .endpoint(endpoint)
                .credentials(StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing")))
                .build();
    }

    @Override
    public KmsClient kms(Region region) {
        return kms.computeIfAbsent(region, r -> {
            var builder = configure(KmsClient.builder(), r);
            builder.overrideConfiguration(builder.overrideConfiguration().toBuilder()
                    .addExecutionInterceptor(
                            new ControlPlaneQuota(() -> caller().account(), r.id(), controlPlanePerSecond))
                    .build());
            return builder.build();
        });
    }

    @Override
    public java.util.Optional<TaggedKeys> tagging(Region region) {
        return java.util.Optional.of(new TaggedKeys(credentials, http, endpoint, region, attemptTimeout));
    }

    @Override
    public CallerIdentity caller() {
        CallerIdentity c = caller;
        if (c == null) {
            synchronized (callerLock) {
                if (caller == null) {
                    var identity = AwsCall.run("sts:GetCallerIdentity", null, () -> sts().getCallerIdentity());
                    caller = CallerIdentity.of(identity.account(), identity.arn());
                }
                c = caller;
            }
        }
        return c;
    }

    @Override
    public IamClient iam() {
        if (iam == null) {
            synchronized (iamLock) {
                if (iam == null) {
                    iam = configure(IamClient.builder(), Region.AWS_GLOBAL).build();
                }
            }
        }
        return iam;
    }

    @Override
    public StsClient sts() {
        if (sts == null) {
            synchronized (stsLock) {
                if (sts == null) {
                    sts = configure(StsClient.builder(), Region.US_EAST_1).build();
                }
            }
        }
        return sts;
    }

    private <B extends AwsClientBuilder<B, ?> & AwsSyncClientBuilder<B, ?>> B configure(B builder, Region region) {
        ClientOverrideConfiguration.Builder override = ClientOverrideConfiguration.builder()
                .retryStrategy(new FailFastRetryStrategy(AwsRetryStrategy.adaptiveRetryStrategy().toBuilder()
                        .maxAttempts(maxAttempts)
                        .build()))
                .addExecutionInterceptor(new UnreachableEndpoints());
        if (attemptTimeout != null) {
            override.apiCallAttemptTimeout(attemptTimeout);
        }
        if (callTimeout != null) {
            override.apiCallTimeout(callTimeout);
        }
        builder.region(region)
                .credentialsProvider(credentials)
                .httpClient(http)
                .overrideConfiguration(override.build());
        if (endpoint != null) {
            builder.endpointOverride(endpoint);
        }
        return builder;
    }

    /**
     * Loads the default trust store and a TLS context over it now, as the first TLS handshake of these clients would
     * ({@link OnFirstUseTrustManager}): for a class-data archive's training run, whose calls are plain HTTP.
     */
    public static void loadTrustStore() throws java.security.GeneralSecurityException {
        javax.net.ssl.SSLContext.getInstance("TLS")
                .init(null, new TrustManager[] {OnFirstUseTrustManager.load()}, null);
    }

    /** Whether a TLS handshake has loaded the trust store yet ({@link OnFirstUseTrustManager}; tests). */
    boolean trustStoreLoaded() {
        return trust.loaded();
    }

    @Override
    public void close() {
        kms.values().forEach(KmsClient::close);
        if (iam != null) {
            iam.close();
        }
        if (sts != null) {
            sts.close();
        }
        http.close();
    }

    /** Settings of {@link SdkClients}; all optional. */
    public static final class Builder {
        private URI endpoint;
        private AwsCredentialsProvider credentials;
        private int maxAttempts = MAX_ATTEMPTS;
        private double controlPlanePerSecond = ControlPlaneQuota.DEFAULT_PER_SECOND;
        /** A TCP connect to an AWS endpoint takes well under a second; one that does not open is not retried. */
        private Duration connectTimeout = Duration.ofSeconds(3);

        private Duration socketTimeout = Duration.ofSeconds(30);
        private Duration attemptTimeout;
        private Duration callTimeout;

        private Builder() {}

        /**
         * A deadline on every call: {@code attempt} for each try, {@code call} for the call with the SDK's retries
         * (the SDK's {@code apiCallAttemptTimeout} and {@code apiCallTimeout}), so that a call AWS never answers ends.
         * Default: none beyond the socket timeout.
         */
        public Builder callTimeouts(Duration attempt, Duration call) {
            this.attemptTimeout = attempt;
            this.callTimeout = call;
            return this;
        }

        /** Sends every service to this endpoint (moto, LocalStack); null for the real AWS endpoints. */
        public Builder endpoint(URI endpoint) {
            this.endpoint = endpoint;
            return this;
        }

        /** Default: the SDK's default credentials chain. */
        public Builder credentials(AwsCredentialsProvider credentials) {
            this.credentials = credentials;
            return this;
        }

        /** Attempts per call on throttling and 5xx (default {@link #MAX_ATTEMPTS}); 1 turns the SDK's retries off. */
        public Builder maxAttempts(int maxAttempts) {
            this.maxAttempts = maxAttempts;
            return this;
        }

        /** KMS control-plane calls per second per account and Region (default 5, KMS's quota); 0 for no pacing. */
        public Builder controlPlanePerSecond(double perSecond) {
            this.controlPlanePerSecond = perSecond;
            return this;
        }

        public Builder timeouts(Duration connect, Duration socket) {
            this.connectTimeout = connect;
            this.socketTimeout = socket;
            return this;
        }

        public SdkClients build() {
            return new SdkClients(this);
        }
    }
}
