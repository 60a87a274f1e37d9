package dev.cmek.aws;

import java.util.function.Supplier;
import software.amazon.awssdk.core.exception.SdkException;

/** Names a failing AWS call in the exception, so the caller knows what to fix. */
final class AwsCall {
    private AwsCall() {}

    static <T> T run(String operation, String region, Supplier<T> call) {
        try {
            return call.get();
        } catch (SdkException e) {
            throw new AwsCallFailedException(operation, region, e);
        }
    }
}
