package dev.cmek.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cmek.aws.testing.MotoServer;
import dev.cmek.aws.testing.StrictAws;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.KmsException;

/**
 * KMS's control-plane quotas are per operation: "Each request quota is calculated independently. For example, requests
 * for the CreateKey operation have no effect on the request quota for the CreateAlias operation"
 * (https://docs.aws.amazon.com/kms/latest/developerguide/requests-per-second.html). The stand-in throttles that way,
 * and the process-wide pacer spaces each operation on its own.
 */
class ControlPlaneQuotaTest {
    @RegisterExtension
    static MotoServer moto = MotoServer.create();

    @Test
    void standIn_throttlesTheSixthCreateKeyInASecond_butNotACreateAliasBesideIt() {
        moto.strict().settings(StrictAws.Settings.defaults().withWindows(Duration.ZERO, Duration.ZERO));
        try (SdkClients unpaced = SdkClients.builder()
                .endpoint(moto.endpoint())
                .credentials(MotoServer.sessionCredentials())
                .controlPlanePerSecond(0)
                .maxAttempts(1)
                .build()) {
            KmsClient kms = unpaced.kms(Region.US_EAST_1);
            String first = null;
            for (int i = 0; i < 5; i++) {
                String id =
                        kms.createKey(b -> b.description("quota")).keyMetadata().keyId();
                first = first == null ? id : first;
            }
            KmsException sixth = assertThrows(KmsException.class, () -> kms.createKey(b -> b.description("quota")));
            assertEquals("ThrottlingException", sixth.awsErrorDetails().errorCode());
            String key = first;
            kms.createAlias(b -> b.aliasName("alias/quota-test").targetKeyId(key));
            assertEquals(1, moto.strict().throttled(), moto.strict().counts().toString());
        }
    }

    @Test
    void pacer_holdsTheSixthCreateKey_butNotACreateAliasBesideIt() {
        // A Region of its own: the pacers are process-wide.
        ControlPlaneQuota quota = new ControlPlaneQuota(() -> AccountId.of("111122223333"), "quota-test-1", 5);
        for (int i = 0; i < 5; i++) {
            quota.beforeTransmission(null, attempt("CreateKey"));
        }
        long t0 = System.nanoTime();
        quota.beforeTransmission(null, attempt("CreateAlias"));
        long alias = (System.nanoTime() - t0) / 1_000_000;
        t0 = System.nanoTime();
        quota.beforeTransmission(null, attempt("CreateKey"));
        long sixth = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(alias < 500, "CreateAlias waited " + alias + " ms behind CreateKey's quota");
        assertTrue(sixth >= 500, "the sixth CreateKey in a second went at once (" + sixth + " ms)");
    }

    private static ExecutionAttributes attempt(String operation) {
        return ExecutionAttributes.builder()
                .put(SdkExecutionAttribute.OPERATION_NAME, operation)
                .build();
    }
}
