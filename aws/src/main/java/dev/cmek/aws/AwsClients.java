package dev.cmek.aws;

import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.sts.StsClient;

/** Where the SDK clients come from; tests wrap them to inject failures or count calls. */
public interface AwsClients extends AutoCloseable {
    /** The KMS client of a region, built on first use and reused. */
    KmsClient kms(Region region);

    /** The (global) IAM client. */
    IamClient iam();

    StsClient sts();

    /** Finds keys by tag in one call per page (Resource Groups Tagging API); empty where it is not available. */
    default java.util.Optional<TaggedKeys> tagging(Region region) {
        return java.util.Optional.empty();
    }

    /** Who the credentials are (STS GetCallerIdentity), asked once and remembered. */
    CallerIdentity caller();

    @Override
    void close();
}
