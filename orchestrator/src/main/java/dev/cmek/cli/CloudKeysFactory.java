package dev.cmek.cli;

import com.google.cloud.kms.v1.ProtectionLevel;
import dev.cmek.CmekException;
import dev.cmek.aws.AwsCmek;
import dev.cmek.aws.NamedProfileCredentials;
import dev.cmek.aws.SdkClients;
import dev.cmek.azure.AzureClients;
import dev.cmek.azure.AzureCmek;
import dev.cmek.gcp.GcpClients;
import dev.cmek.gcp.GcpCmek;
import dev.cmek.model.CloudProvider;
import dev.cmek.workflow.AwsKeys;
import dev.cmek.workflow.AzureKeys;
import dev.cmek.workflow.CloudKeys;
import dev.cmek.workflow.GcpKeys;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import java.util.function.Function;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.profiles.ProfileFile;
import software.amazon.awssdk.profiles.ProfileFileLocation;
import software.amazon.awssdk.regions.Region;

/**
 * Builds the cloud side for a cluster's cloud, once per process and only when a command needs it: SDK clients are
 * expensive to start, and most commands touch one cloud or none.
 *
 * <p>AWS credentials are the SDK's default chain, read from the command's environment: keys there (with
 * {@code AWS_SESSION_TOKEN} for temporary credentials: SSO exports, assumed roles, CI with OIDC), else the chain with
 * {@code AWS_PROFILE} / {@code AWS_CONFIG_FILE} / {@code AWS_SHARED_CREDENTIALS_FILE} as given there (profiles, SSO,
 * web identity, container, instance). Endpoints for emulators: {@code AWS_ENDPOINT_URL}, and the Google convention
 * {@code CLOUDKMS_EMULATOR_HOST} / {@code IAM_EMULATOR_HOST}. Azure credentials are DefaultAzureCredential's chain over
 * the same environment ({@code AZURE_TENANT_ID}, {@code AZURE_CLIENT_ID}, {@code AZURE_CLIENT_SECRET}, workload and
 * managed identity, the Azure CLI); its emulator: {@code AZURE_EMULATOR_HOST} with {@code AZURE_EMULATOR_CA}.
 */
final class CloudKeysFactory implements Function<CloudProvider, CloudKeys>, AutoCloseable {
    static final String GCP_PROJECT_ENV = GcpKeys.PROJECT_ENV;

    private final CloudOptions options;
    private final Map<String, String> env;
    private final Duration propagationBound;
    private final Map<CloudProvider, CloudKeys> built = new EnumMap<>(CloudProvider.class);
    private final List<AutoCloseable> toClose = new ArrayList<>();

    private final Consumer<String> notices;
    private Duration callDeadline;
    private CompletableFuture<AwsCmek> aws;
    private CompletableFuture<AzureCmek> azure;
    private CompletableFuture<Void> prepared = CompletableFuture.completedFuture(null);

    CloudKeysFactory(CloudOptions options, Map<String, String> env, Duration propagationBound) {
        this(options, env, propagationBound, line -> {});
    }

    /** @param notices progress lines for stderr (which GCP endpoints are used) */
    CloudKeysFactory(
            CloudOptions options, Map<String, String> env, Duration propagationBound, Consumer<String> notices) {
        this.options = options;
        this.env = env;
        this.propagationBound = propagationBound;
        this.notices = notices;
    }

    /**
     * Puts a deadline inside {@code timeout} on every cloud call the adapters make from now on (at most 10 s per try and
     * 30 s per call with its retries, as Google's own budget), so that no call, however the cloud behaves, outlives
     * the command's {@code --timeout}.
     */
    synchronized void callDeadline(Duration timeout) {
        this.callDeadline = timeout;
    }

    private static Duration callTotal(Duration deadline) {
        return min(deadline, GcpClients.CallBudget.DEFAULT.total());
    }

    private static Duration callAttempt(Duration deadline) {
        return min(callTotal(deadline), GcpClients.CallBudget.DEFAULT.attempt());
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) < 0 ? a : b;
    }

    @Override
    public synchronized CloudKeys apply(CloudProvider cloud) {
        return built.computeIfAbsent(cloud, this::create);
    }

    private CloudKeys create(CloudProvider cloud) {
        // Bad input is refused when the cloud side is made, before the first client is built.
        if (cloud == CloudProvider.AWS) {
            awsEndpoint(env);
        } else if (cloud == CloudProvider.AZURE) {
            checkAzureSettings();
        }
        return switch (cloud) {
            case AWS ->
                new AwsKeys(
                        this::aws,
                        new AwsKeys.Options(
                                options.awsMultiRegionKey,
                                options.existingKeyMap(),
                                options.awsRepairDrift,
                                propagationBound,
                                options.rotation()));
            case GCP ->
                new GcpKeys(
                        this::gcp,
                        new GcpKeys.Options(
                                gcpProject(),
                                Optional.ofNullable(options.gcpKeyLocation),
                                protection(),
                                options.existingKeyMap(),
                                propagationBound,
                                options.rotation()));
            case AZURE ->
                new AzureKeys(
                        this::azure,
                        new AzureKeys.Options(
                                azureSetting(options.azureSubscription, AzureClients.SUBSCRIPTION_ENV),
                                azureSetting(options.azureTenant, "AZURE_TENANT_ID"),
                                Optional.ofNullable(options.azureResourceGroup).filter(g -> !g.isBlank()),
                                azureProtection(),
                                options.existingKeyMap(),
                                options.azureCryptoOfficer,
                                Optional.ofNullable(options.azureVaultPrefix).filter(p -> !p.isBlank()),
                                propagationBound,
                                options.rotation(),
                                Optional.ofNullable(options.azureAppId)));
            default ->
                throw new CmekException.InvalidInput(
                        "clusters on " + cloud + " are not supported by this toolkit (AWS, GCP and Azure are)");
        };
    }

    /** The option when given, else the environment variable; empty when neither is set. */
    private Optional<String> azureSetting(String option, String variable) {
        return Optional.ofNullable(option)
                .or(() -> Optional.ofNullable(env.get(variable)))
                .map(String::strip)
                .filter(v -> !v.isBlank());
    }

    /** The Azure side: the one {@link #prepare} started, else built now. The lock is not held while waiting for it. */
    private AzureCmek azure() {
        CompletableFuture<AzureCmek> building;
        synchronized (this) {
            if (azure == null) {
                azure = CompletableFuture.completedFuture(buildAzure());
            }
            building = azure;
        }
        return joined(building);
    }

    /** The Azure settings building the clients would refuse, refused now: no file is read, nothing is sent. */
    private void checkAzureSettings() {
        try {
            AzureClients.checkSettings(
                    env,
                    azureSetting(options.azureSubscription, AzureClients.SUBSCRIPTION_ENV)
                            .orElse(null));
        } catch (dev.cmek.azure.InvalidInputException | IllegalArgumentException e) {
            throw new CmekException.InvalidInput(e.getMessage());
        }
    }

    /** Builds the Azure side on a daemon thread, then gets its ARM and Graph tokens there ({@link AzureCmek#prepare}). */
    private void prepareAzure() {
        if (azure != null) {
            return;
        }
        // Bad input is refused here, before the command writes or sends anything, not on the background thread.
        checkAzureSettings();
        CompletableFuture<AzureCmek> built = new CompletableFuture<>();
        Thread t = new Thread(
                () -> {
                    AzureCmek adapter;
                    try {
                        adapter = buildAzure();
                    } catch (RuntimeException | Error e) {
                        built.completeExceptionally(e); // thrown where the adapter is first used
                        return;
                    }
                    built.complete(adapter);
                    adapter.prepare();
                },
                "cmek-azure-clients");
        t.setDaemon(true);
        azure = built;
        t.start();
    }

    /**
     * DefaultAzureCredential over this command's environment (and the emulator's proxy and CA when {@code
     * AZURE_EMULATOR_HOST} and {@code AZURE_EMULATOR_CA} are set); bad emulator settings are bad input.
     */
    private AzureCmek buildAzure() {
        AzureClients clients;
        try {
            AzureClients.Builder b = AzureClients.builder().environment(env);
            azureSetting(options.azureSubscription, AzureClients.SUBSCRIPTION_ENV)
                    .ifPresent(b::subscriptionId);
            clients = b.build();
        } catch (dev.cmek.azure.InvalidInputException | IllegalArgumentException e) {
            throw new CmekException.InvalidInput(e.getMessage());
        }
        return new AzureCmek(clients);
    }

    private dev.cmek.azure.Protection azureProtection() {
        return switch (options.azureProtection.toUpperCase(java.util.Locale.ROOT)) {
            case "SOFTWARE" -> dev.cmek.azure.Protection.SOFTWARE;
            case "HSM" -> dev.cmek.azure.Protection.HSM;
            default ->
                throw new CmekException.InvalidInput(
                        "--azure-protection must be SOFTWARE or HSM (got " + options.azureProtection + ")");
        };
    }

    /**
     * Starts building the clients for {@code cloud} in {@code regions} on a background thread, for a command that will
     * need them and has other work to do first (checking and starting its evidence record). In a cold process the SDK
     * clients take about 150 ms of CPU to build (a wall-clock profile of {@code revoke --cloud-only}); built beside that
     * work, on the core it leaves idle, they are ready when the first call is made. Nothing is sent on AWS; on Azure the
     * ARM and Graph tokens are asked for too (a sign-in, nothing written), as the revocation's first calls wait for
     * them: in a cold process the clients and the two tokens took about 1 s (BENCHMARKS.md, the cold Azure revocation).
     * A failure to build is thrown where the clients are first used, and a token that could not be had is asked for
     * again by the call that needs it, as without this. Not GCP: its clients announce their endpoints on stderr when
     * built, which must stay in order.
     */
    synchronized void prepare(CloudProvider cloud, List<String> regions) {
        if (cloud == CloudProvider.AZURE) {
            prepareAzure();
            return;
        }
        if (cloud != CloudProvider.AWS || aws != null) {
            return;
        }
        // Bad input is refused here, before the command writes or sends anything, not on the background thread.
        awsEndpoint(env);
        List<Region> in = regions.stream().distinct().map(Region::of).toList();
        Duration deadline = callDeadline;
        CompletableFuture<AwsCmek> built = new CompletableFuture<>();
        CompletableFuture<Void> done = new CompletableFuture<>();
        // The adapter is handed over as soon as it exists; its clients (IAM, STS, KMS of each Region) are built next on
        // this thread, and a call that needs one first builds it or waits for it (SdkClients builds each once).
        Thread t = new Thread(
                () -> {
                    try {
                        AwsCmek adapter = buildAws(deadline);
                        built.complete(adapter);
                        adapter.prepare(in);
                    } catch (RuntimeException | Error e) {
                        // Before the hand-over: thrown where the adapter is first used. After it (a client that cannot
                        // be built): the call that needs that client builds it again and reports the failure there.
                        built.completeExceptionally(e);
                    } finally {
                        done.complete(null);
                    }
                },
                "cmek-aws-clients");
        t.setDaemon(true);
        aws = built;
        prepared = done;
        t.start();
    }

    /** The AWS side: the one {@link #prepare} started, else built now. The lock is not held while waiting for it. */
    private AwsCmek aws() {
        CompletableFuture<AwsCmek> building;
        synchronized (this) {
            if (aws == null) {
                aws = CompletableFuture.completedFuture(buildAws(callDeadline));
            }
            building = aws;
        }
        return joined(building);
    }

    /** The adapter built on another thread, or what stopped it, thrown here. */
    private static <T> T joined(CompletableFuture<T> building) {
        try {
            return building.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw e;
        }
    }

    private AwsCmek buildAws(Duration deadline) {
        SdkClients.Builder clients = SdkClients.builder();
        awsEndpoint(env).ifPresent(clients::endpoint);
        clients.credentials(awsCredentials(env));
        if (deadline != null) {
            clients.callTimeouts(callAttempt(deadline), callTotal(deadline))
                    .timeouts(min(Duration.ofSeconds(5), callAttempt(deadline)), callAttempt(deadline));
        }
        SdkClients built = clients.build();
        AwsCmek aws = new AwsCmek(built);
        synchronized (toClose) {
            toClose.add(aws);
            toClose.add(built);
        }
        return aws;
    }

    /**
     * {@code AWS_ENDPOINT_URL} (an emulator's), checked: anything but an absolute http(s) URL with a host is bad input.
     * The message names what is wrong without repeating the value, which may carry credentials.
     */
    static Optional<URI> awsEndpoint(Map<String, String> env) {
        String endpoint = env.get("AWS_ENDPOINT_URL");
        if (endpoint == null || endpoint.isBlank()) {
            return Optional.empty();
        }
        URI uri;
        try {
            uri = new URI(endpoint.strip());
        } catch (URISyntaxException e) {
            throw new CmekException.InvalidInput("AWS_ENDPOINT_URL is not a URL (" + e.getReason() + " at index "
                    + e.getIndex() + "): give one such as http://127.0.0.1:5000, or unset it for AWS itself");
        }
        if (uri.getHost() == null
                || !("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme()))) {
            throw new CmekException.InvalidInput("AWS_ENDPOINT_URL must be an http:// or https:// URL with a host, such"
                    + " as http://127.0.0.1:5000; unset it for AWS itself");
        }
        return Optional.of(uri);
    }

    /**
     * The default chain as the SDK builds it, but reading this command's environment (tests pass their own): keys
     * with their session token when given, else the chain with the profile and files named there.
     */
    static AwsCredentialsProvider awsCredentials(Map<String, String> env) {
        String id = env.get("AWS_ACCESS_KEY_ID");
        String secret = env.get("AWS_SECRET_ACCESS_KEY");
        String token = env.get("AWS_SESSION_TOKEN");
        if (id != null && !id.isBlank() && secret != null && !secret.isBlank()) {
            return StaticCredentialsProvider.create(
                    token == null || token.isBlank()
                            ? AwsBasicCredentials.create(id, secret)
                            : AwsSessionCredentials.create(id, secret, token));
        }
        DefaultCredentialsProvider.Builder chain = DefaultCredentialsProvider.builder();
        String config = env.get("AWS_CONFIG_FILE");
        String credentials = env.get("AWS_SHARED_CREDENTIALS_FILE");
        if (config != null || credentials != null) {
            ProfileFile.Aggregator files = ProfileFile.aggregator();
            if (config != null) {
                files.addFile(ProfileFile.builder()
                        .content(Path.of(config))
                        .type(ProfileFile.Type.CONFIGURATION)
                        .build());
            }
            if (credentials != null) {
                files.addFile(ProfileFile.builder()
                        .content(Path.of(credentials))
                        .type(ProfileFile.Type.CREDENTIALS)
                        .build());
            }
            ProfileFile profiles = files.build();
            chain.profileFile(() -> profiles);
        }
        String profile = env.get("AWS_PROFILE");
        if (profile != null && !profile.isBlank()) {
            chain.profileName(profile.strip());
            return new NamedProfileCredentials(
                    chain.build(),
                    profile.strip(),
                    config != null ? Path.of(config) : ProfileFileLocation.configurationFilePath(),
                    credentials != null ? Path.of(credentials) : ProfileFileLocation.credentialsFilePath());
        }
        return chain.build();
    }

    /** Both emulator variables or neither, checked before anything is sent; says on stderr where calls go. */
    private synchronized GcpCmek gcp() {
        GcpClients clients;
        try {
            clients = callDeadline == null
                    ? GcpClients.fromEnvironment(env)
                    : GcpClients.fromEnvironment(
                            env,
                            new GcpClients.CallBudget(
                                    callTotal(callDeadline),
                                    callAttempt(callDeadline),
                                    GcpClients.CallBudget.DEFAULT.firstBackoff(),
                                    GcpClients.CallBudget.DEFAULT.maxBackoff()));
        } catch (dev.cmek.gcp.InvalidInputException e) {
            throw new CmekException.InvalidInput(e.getMessage());
        }
        synchronized (toClose) {
            toClose.add(clients);
        }
        notices.accept(clients.endpoints());
        return new GcpCmek(clients);
    }

    private String gcpProject() {
        Optional<String> project = givenGcpProject(options.gcpProject, env);
        if (project.isEmpty() && !options.makesKeys) {
            return ""; // verify, revoke and restore read the project from each key's name
        }
        return project.orElseThrow(() -> new CmekException.InvalidInput(
                "this is a GCP cluster: give --gcp-project (your project that holds the keys), or set "
                        + GCP_PROJECT_ENV));
    }

    /** The GCP project from {@code --gcp-project}, else {@code $CMEK_GCP_PROJECT}; empty when neither names one. */
    static Optional<String> givenGcpProject(String option, Map<String, String> env) {
        return Optional.ofNullable(option != null ? option : env.get(GCP_PROJECT_ENV))
                .map(String::strip)
                .filter(p -> !p.isEmpty());
    }

    private ProtectionLevel protection() {
        return switch (options.gcpProtection.toUpperCase()) {
            case "SOFTWARE" -> ProtectionLevel.SOFTWARE;
            case "HSM" -> ProtectionLevel.HSM;
            default ->
                throw new CmekException.InvalidInput(
                        "--gcp-protection must be SOFTWARE or HSM (got " + options.gcpProtection + ")");
        };
    }

    @Override
    public void close() {
        CompletableFuture<Void> building;
        synchronized (this) {
            building = prepared;
        }
        // Clients still being built are closed too, once built.
        building.join();
        synchronized (toClose) {
            for (AutoCloseable c : toClose) {
                try {
                    c.close();
                } catch (Exception e) {
                    // Closing clients at exit: nothing left to do with a failure here.
                }
            }
            toClose.clear();
        }
    }
}
