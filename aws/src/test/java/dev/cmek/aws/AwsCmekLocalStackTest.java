package dev.cmek.aws;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.localstack.LocalStackContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.utility.DockerImageName;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;

/** The create/revoke/restore scenario on LocalStack; skipped where there is no Docker engine. */
@Testcontainers(disabledWithoutDocker = true)
class AwsCmekLocalStackTest {
    @Container
    static final LocalStackContainer LOCALSTACK = new LocalStackContainer(
                    DockerImageName.parse("localstack/localstack:4.14.0"))
            .withServices(
                    LocalStackContainer.EnabledService.named("kms"),
                    LocalStackContainer.EnabledService.named("iam"),
                    LocalStackContainer.EnabledService.named("sts"));

    @Test
    void createRevokeRestore_onLocalStack() throws Exception {
        try (SdkClients clients = SdkClients.builder()
                .endpoint(LOCALSTACK.getEndpoint())
                .credentials(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(LOCALSTACK.getAccessKey(), LOCALSTACK.getSecretKey())))
                .build()) {
            AwsCmekRequest request = AwsCmekRequest.of(
                            ClusterId.of("7d2f0c1a-5b6e-4f70-9a8b-c0d1e2f3a4b5"),
                            AccountId.of("999988887777"),
                            ExternalId.of("org-localstack"),
                            List.of(Region.US_EAST_1, Region.EU_WEST_1))
                    .withPrincipalPropagationBound(Duration.ofSeconds(30));
            CreateRevokeRestoreScenario.run(clients, request);
        }
    }
}
