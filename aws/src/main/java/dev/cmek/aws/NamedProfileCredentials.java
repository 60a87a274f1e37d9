package dev.cmek.aws;

import java.nio.file.Files;
import java.nio.file.Path;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.profiles.ProfileFile;
import software.amazon.awssdk.utils.IoUtils;
import software.amazon.awssdk.utils.SdkAutoCloseable;

/**
 * The SDK's default chain for a profile named in {@code AWS_PROFILE}. When nothing in the chain found credentials and
 * the profile is in neither profile file, it says so, naming the files, instead of the chain's account of everything
 * it tried: a misspelt profile is the likelier cause, and the AWS CLI says the same ("The config profile (x) could
 * not be found").
 */
public final class NamedProfileCredentials implements AwsCredentialsProvider, SdkAutoCloseable {
    /** How the failure starts, for {@link AwsCall#noCredentials}. */
    static final String NOT_FOUND = "AWS profile not found: ";

    private final AwsCredentialsProvider chain;
    private final String profile;
    private final Path configFile;
    private final Path credentialsFile;

    /**
     * @param chain the default chain with {@code profile} set
     * @param configFile the config file the chain reads ({@code AWS_CONFIG_FILE}, else {@code ~/.aws/config})
     * @param credentialsFile the credentials file it reads ({@code AWS_SHARED_CREDENTIALS_FILE}, else
     *     {@code ~/.aws/credentials})
     */
    public NamedProfileCredentials(
            AwsCredentialsProvider chain, String profile, Path configFile, Path credentialsFile) {
        this.chain = chain;
        this.profile = profile;
        this.configFile = configFile;
        this.credentialsFile = credentialsFile;
    }

    @Override
    public AwsCredentials resolveCredentials() {
        try {
            return chain.resolveCredentials();
        } catch (SdkClientException e) {
            if (!inFile(configFile, ProfileFile.Type.CONFIGURATION)
                    && !inFile(credentialsFile, ProfileFile.Type.CREDENTIALS)) {
                throw SdkClientException.create(
                        NOT_FOUND + "profile " + profile + " not found in " + configFile + " (nor in " + credentialsFile
                                + ")",
                        e);
            }
            throw e;
        }
    }

    private boolean inFile(Path file, ProfileFile.Type type) {
        if (!Files.isReadable(file)) {
            return false;
        }
        try {
            return ProfileFile.builder()
                    .content(file)
                    .type(type)
                    .build()
                    .profile(profile)
                    .isPresent();
        } catch (RuntimeException unreadable) {
            return true; // a file the SDK cannot parse is the chain's to report, not a missing profile
        }
    }

    @Override
    public void close() {
        IoUtils.closeIfCloseable(chain, null);
    }
}
