package dev.cmek.cli;

import com.google.cloud.kms.v1.ProtectionLevel;
import dev.cmek.CmekException;
import dev.cmek.aws.AwsCmek;
import dev.cmek.aws.SdkClients;
import dev.cmek.gcp.GcpClients;
import dev.cmek.gcp.GcpCmek;
import dev.cmek.model.CloudProvider;
import dev.cmek.workflow.AwsKeys;
import dev.cmek.workflow.CloudKeys;
import dev.cmek.workflow.GcpKeys;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * Builds the cloud side for a cluster's cloud, once per process and only when a command needs it: SDK clients are
 * expensive to start, and most commands touch one cloud or none.
 *
 * <p>Endpoints for emulators come from the command's environment: {@code AWS_ENDPOINT_URL} (with
 * {@code AWS_ACCESS_KEY_ID}/{@code AWS_SECRET_ACCESS_KEY} when given there), and the Google convention
 * {@code CLOUDKMS_EMULATOR_HOST} / {@code IAM_EMULATOR_HOST}.
 */
final class CloudKeysFactory implements Function<CloudProvider, CloudKeys>, AutoCloseable {
    static final String GCP_PROJECT_ENV = "CMEK_GCP_PROJECT";

    private final CloudOptions options;
    private final Map<String, String> env;
    private final Duration propagationBound;
    private final Map<CloudProvider, CloudKeys> built = new EnumMap<>(CloudProvider.class);
    private final List<AutoCloseable> toClose = new ArrayList<>();

    private final Consumer<String> notices;

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

    @Override
    public synchronized CloudKeys apply(CloudProvider cloud) {
        return built.computeIfAbsent(cloud, this::create);
    }

    private CloudKeys create(CloudProvider cloud) {
        return switch (cloud) {
            case AWS ->
                new AwsKeys(
                        this::aws,
                        new AwsKeys.Options(
                                options.awsMultiRegionKey,
                                options.existingKeyMap(),
                                options.awsRepairDrift,
                                propagationBound));
            case GCP ->
                new GcpKeys(
                        this::gcp,
                        new GcpKeys.Options(
                                gcpProject(),
                                Optional.ofNullable(options.gcpKeyLocation),
                                protection(),
                                options.existingKeyMap(),
                                propagationBound));
            default ->
                throw new CmekException.InvalidInput(
                        "clusters on " + cloud + " are not supported by this toolkit (AWS and GCP are)");
        };
    }

    private synchronized AwsCmek aws() {
        SdkClients.Builder clients = SdkClients.builder();
        String endpoint = env.get("AWS_ENDPOINT_URL");
        if (endpoint != null && !endpoint.isBlank()) {
            clients.endpoint(URI.create(endpoint.strip()));
        }
        String id = env.get("AWS_ACCESS_KEY_ID");
        String secret = env.get("AWS_SECRET_ACCESS_KEY");
        if (id != null && secret != null) {
            clients.credentials(StaticCredentialsProvider.create(AwsBasicCredentials.create(id, secret)));
        }
        SdkClients built = clients.build();
        AwsCmek aws = new AwsCmek(built);
        toClose.add(aws);
        toClose.add(built);
        return aws;
    }

    /** Both emulator variables or neither, checked before anything is sent; says on stderr where calls go. */
    private synchronized GcpCmek gcp() {
        GcpClients clients;
        try {
            clients = GcpClients.fromEnvironment(env);
        } catch (dev.cmek.gcp.InvalidInputException e) {
            throw new CmekException.InvalidInput(e.getMessage());
        }
        toClose.add(clients);
        notices.accept(clients.endpoints());
        return new GcpCmek(clients);
    }

    private String gcpProject() {
        String project = options.gcpProject != null ? options.gcpProject : env.get(GCP_PROJECT_ENV);
        if ((project == null || project.isBlank()) && !options.makesKeys) {
            return ""; // verify, revoke and restore read the project from each key's name
        }
        if (project == null || project.isBlank()) {
            throw new CmekException.InvalidInput(
                    "this is a GCP cluster: give --gcp-project (your project that holds the keys), or set "
                            + GCP_PROJECT_ENV);
        }
        return project.strip();
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
    public synchronized void close() {
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
