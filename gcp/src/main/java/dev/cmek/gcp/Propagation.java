package dev.cmek.gcp;

import com.google.api.gax.rpc.ApiException;
import com.google.api.gax.rpc.StatusCode;
import dev.cmek.core.Backoff;
import java.time.Duration;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Bounded waits for a new service account to become usable: IAM is eventually consistent, and right after
 * CreateServiceAccount the account's own reads and policy calls answer NOT_FOUND (or 403 "Permission
 * 'iam.serviceAccounts.get' denied on resource (or it may not exist)"), and a policy naming it as a member answers
 * INVALID_ARGUMENT "Service account ... does not exist". gax cannot tell these from real errors by code, so they are
 * retried here, only while provisioning and only within {@link #bound}.
 *
 * <p>https://cloud.google.com/iam/docs/service-accounts-create ("you might need to wait for 60 seconds or more");
 * Terraform polls the same way: google/services/resourcemanager/resource_google_service_account.go, and retries
 * google/transport/error_retry_predicates.go IamServiceAccountNotFound and IsForbiddenIamServiceAccountRetryableError.
 */
final class Propagation {
    /** A service account's own calls while it is not yet visible. */
    static final Predicate<ApiException> ACCOUNT_NOT_VISIBLE = e -> {
        StatusCode.Code code = e.getStatusCode().getCode();
        String d = CallFailedException.description(e);
        return code == StatusCode.Code.NOT_FOUND
                || code == StatusCode.Code.PERMISSION_DENIED
                        && d.contains("iam.serviceAccounts.")
                        && d.contains("(or it may not exist)");
    };

    /** A policy write naming the account as a member while it is not yet visible. */
    static final Predicate<ApiException> MEMBER_NOT_VISIBLE = e -> {
        String d = CallFailedException.description(e);
        return e.getStatusCode().getCode() == StatusCode.Code.INVALID_ARGUMENT
                && d.contains("Service account")
                && d.contains("does not exist");
    };

    /** Each pause about an eighth of the time waited so far, so a wait ends at most about 12% after the account appears. */
    static final Backoff VISIBILITY = Backoff.growing(Duration.ofMillis(25), 8.0 / 7, Duration.ofSeconds(2));

    private final Duration bound;

    Propagation(Duration bound) {
        this.bound = bound;
    }

    Duration bound() {
        return bound;
    }

    /**
     * Runs {@code call} again while it fails as {@code notVisible} says, until the bound; then throws
     * {@link PrincipalNotYetVisibleException}.
     */
    <T> T retry(String principal, Predicate<ApiException> notVisible, Supplier<T> call) {
        return VISIBILITY.retry(
                bound,
                call,
                e -> e instanceof ApiException a && notVisible.test(a),
                e -> new PrincipalNotYetVisibleException(principal, bound, e));
    }
}
