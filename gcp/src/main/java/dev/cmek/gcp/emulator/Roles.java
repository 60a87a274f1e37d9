package dev.cmek.gcp.emulator;

import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The predefined roles the emulator knows, and on which kind of resource each can be granted. IAM refuses a role that
 * does not exist ("Role (roles/x) does not exist in the resource's hierarchy") and one that exists but cannot be
 * granted on that resource ("Role roles/x is not supported for this resource"); custom roles
 * ({@code projects/P/roles/R}, {@code organizations/O/roles/R}) are accepted as they are.
 * https://cloud.google.com/iam/docs/roles-overview#grantable-roles
 */
final class Roles {
    enum On {
        KMS,
        SERVICE_ACCOUNT,
        PROJECT
    }

    static final Set<String> BASIC = Set.of("roles/owner", "roles/editor", "roles/viewer");
    // https://cloud.google.com/kms/docs/reference/permissions-and-roles
    static final Set<String> KMS = Set.of(
            "roles/cloudkms.admin",
            "roles/cloudkms.cryptoKeyEncrypterDecrypter",
            "roles/cloudkms.cryptoKeyEncrypter",
            "roles/cloudkms.cryptoKeyDecrypter",
            "roles/cloudkms.cryptoKeyEncrypterDecrypterViaDelegation",
            "roles/cloudkms.cryptoOperator",
            "roles/cloudkms.viewer",
            "roles/cloudkms.publicKeyViewer",
            "roles/cloudkms.signer",
            "roles/cloudkms.signerVerifier",
            "roles/cloudkms.importer");
    // https://cloud.google.com/iam/docs/service-account-permissions
    static final Set<String> SERVICE_ACCOUNT = Set.of(
            "roles/iam.serviceAccountTokenCreator",
            "roles/iam.serviceAccountUser",
            "roles/iam.serviceAccountAdmin",
            "roles/iam.serviceAccountKeyAdmin",
            "roles/iam.serviceAccountOpenIdTokenCreator",
            "roles/iam.workloadIdentityUser",
            "roles/iam.serviceAccountViewer");
    static final Set<String> PROJECT_ONLY =
            Set.of("roles/iam.securityReviewer", "roles/resourcemanager.projectIamAdmin", "roles/browser");

    private static final Set<String> ALL = Stream.of(BASIC, KMS, SERVICE_ACCOUNT, PROJECT_ONLY)
            .flatMap(Set::stream)
            .collect(Collectors.toUnmodifiableSet());

    private Roles() {}

    /** Null when the role may be granted on this kind of resource, else IAM's reason. */
    static String refusal(String role, On on) {
        if (role.matches("(projects|organizations)/[^/]+/roles/[A-Za-z0-9_.]+")) {
            return null;
        }
        if (!ALL.contains(role)) {
            return "Role (" + role + ") does not exist in the resource's hierarchy.";
        }
        boolean fits = switch (on) {
            case PROJECT -> true;
            case KMS -> BASIC.contains(role) || KMS.contains(role);
            case SERVICE_ACCOUNT -> BASIC.contains(role) || SERVICE_ACCOUNT.contains(role);
        };
        return fits ? null : "Role " + role + " is not supported for this resource.";
    }
}
