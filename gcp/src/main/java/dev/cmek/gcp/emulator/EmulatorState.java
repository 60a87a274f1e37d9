package dev.cmek.gcp.emulator;

import com.google.cloud.kms.v1.CryptoKey;
import com.google.cloud.kms.v1.CryptoKeyVersion;
import com.google.cloud.kms.v1.KeyRing;
import com.google.iam.admin.v1.ServiceAccount;
import com.google.iam.v1.Binding;
import com.google.iam.v1.Policy;
import com.google.protobuf.ByteString;
import com.google.rpc.PreconditionFailure;
import io.grpc.Status;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** The emulated world: key rings, crypto keys, service accounts and IAM policies, guarded by one lock. */
final class EmulatorState {
    static final Pattern PROJECT = Pattern.compile("[a-z][a-z0-9-]{4,28}[a-z0-9]");
    static final Pattern LOCATION = Pattern.compile("[a-z0-9-]{1,63}");
    static final Pattern KMS_ID = Pattern.compile("[a-zA-Z0-9_-]{1,63}");
    static final Pattern ACCOUNT_ID = Pattern.compile("[a-z][a-z0-9-]{4,28}[a-z0-9]");
    static final Pattern MEMBER = Pattern.compile(
            "(user|serviceAccount|group|domain|principal|principalSet|deleted:serviceAccount):.+|allUsers|allAuthenticatedUsers");
    static final Pattern LABEL_KEY = Pattern.compile("[a-z][a-z0-9_-]{0,62}");
    static final Pattern LABEL_VALUE = Pattern.compile("[a-z0-9_-]{0,63}");

    final Map<String, KeyRing> keyRings = new LinkedHashMap<>();
    final Map<String, CryptoKey> cryptoKeys = new LinkedHashMap<>();
    final Map<String, List<CryptoKeyVersion>> versions = new HashMap<>();
    /** By email. */
    final Map<String, ServiceAccount> serviceAccounts = new LinkedHashMap<>();
    /** By resource name (key ring, crypto key, or service account email). */
    final Map<String, Policy> policies = new HashMap<>();
    /** When each new service account becomes visible to reads and to policies naming it. */
    final Map<String, Instant> accountVisibleAt = new HashMap<>();
    /** When each (resource, role, member) binding was added: it becomes effective one propagation delay later. */
    final Map<String, Instant> bindingAddedAt = new HashMap<>();

    long etagCounter = 1;
    long uniqueIdCounter = 100000000000000000L;
    volatile Duration propagationDelay = GcpEmulator.DEFAULT_PROPAGATION;
    volatile Duration accountPropagation = GcpEmulator.DEFAULT_PROPAGATION;
    /** Allowed "customer" domains (see {@link #domainOf}) under domain-restricted sharing; null: not enforced. */
    volatile Set<String> allowedMemberDomains;
    /** KMS locations and whether each offers HSM keys. */
    final Map<String, Boolean> kmsLocations = new LinkedHashMap<>(KmsLocations.DEFAULT);
    /** HSM versions stay PENDING_GENERATION this long, as in Cloud HSM. */
    volatile Duration hsmGenerationDelay = GcpEmulator.DEFAULT_HSM_GENERATION;
    /** When each pending version becomes ENABLED. */
    final Map<String, Instant> versionReadyAt = new HashMap<>();

    static Status invalid(String message) {
        return Status.INVALID_ARGUMENT.withDescription(message);
    }

    ByteString nextEtag() {
        return ByteString.copyFrom(ByteBuffer.allocate(8).putLong(etagCounter++).array());
    }

    /** The policy as stored (version 3 when it holds conditions), created empty on first use. */
    Policy policy(String resource) {
        return policies.computeIfAbsent(
                resource,
                r -> Policy.newBuilder().setVersion(1).setEtag(nextEtag()).build());
    }

    /**
     * The policy as a reader asking for {@code requestedVersion} sees it: conditional bindings are shown to version-1
     * readers as {@code <role>_withcond_<hash>} without their condition, as IAM does.
     * https://cloud.google.com/iam/docs/troubleshooting-withcond
     */
    Policy readPolicy(String resource, int requestedVersion) {
        if (requestedVersion != 0 && requestedVersion != 1 && requestedVersion != 3) {
            throw Rpc.invalid(
                    "Invalid requested policy version " + requestedVersion + ": valid values are 0, 1 and 3.");
        }
        Policy stored = policy(resource);
        boolean conditional = stored.getBindingsList().stream().anyMatch(Binding::hasCondition);
        if (!conditional) {
            return stored.toBuilder().setVersion(1).build();
        }
        if (requestedVersion == 3) {
            return stored.toBuilder().setVersion(3).build();
        }
        Policy.Builder v1 = stored.toBuilder().clearBindings().setVersion(1);
        for (Binding b : stored.getBindingsList()) {
            if (b.hasCondition()) {
                String hash =
                        Integer.toHexString(b.getCondition().getExpression().hashCode());
                v1.addBindings(b.toBuilder().clearCondition().setRole(b.getRole() + "_withcond_" + hash));
            } else {
                v1.addBindings(b);
            }
        }
        return v1.build();
    }

    /**
     * Stores a new policy if its etag matches (or is empty), tracking when each binding appeared. Refuses, as IAM does:
     * a condition in a policy below version 3, a {@code _withcond_} role written back, a role unknown or not grantable
     * on this kind of resource, a service account member that does not exist (yet), and a member the organization's
     * domain-restricted sharing does not allow.
     */
    Policy setPolicy(String resource, Policy requested, Roles.On on) {
        Policy current = policy(resource);
        if (!requested.getEtag().isEmpty() && !requested.getEtag().equals(current.getEtag())) {
            throw Status.ABORTED
                    .withDescription(
                            "There were concurrent policy changes. Please retry the whole read-modify-write with exponential backoff.")
                    .asRuntimeException();
        }
        int version = requested.getVersion();
        if (version != 0 && version != 1 && version != 3) {
            throw Rpc.invalid("Invalid policy version " + version + ": valid values are 0, 1 and 3.");
        }
        for (Binding b : requested.getBindingsList()) {
            if (b.hasCondition() && version != 3) {
                // https://cloud.google.com/iam/docs/policies#versions: conditional role bindings need version 3
                throw Rpc.invalid(
                        "Policy version " + version + " cannot contain conditional role bindings: set" + " version 3.");
            }
            if (b.getRole().contains("_withcond_")) {
                throw Rpc.invalid("Role " + b.getRole() + " is a version-1 view of a conditional binding: read and"
                        + " write the policy with version 3.");
            }
            String refusal = Roles.refusal(b.getRole(), on);
            if (refusal != null) {
                throw Rpc.invalid(refusal);
            }
            for (String m : b.getMembersList()) {
                if (!MEMBER.matcher(m).matches()) {
                    throw invalid("Invalid member: " + m).asRuntimeException();
                }
                boolean added = current.getBindingsList().stream()
                        .noneMatch(cb -> cb.getMembersList().contains(m));
                if (added) {
                    checkServiceAccountMemberExists(m); // only members being added are checked, as GCP does
                    checkDomainRestrictedSharing(resource, m);
                }
            }
        }
        Instant now = Instant.now();
        Map<String, Instant> keep = new HashMap<>();
        for (Binding b : requested.getBindingsList()) {
            if (b.hasCondition()) {
                continue;
            }
            for (String m : b.getMembersList()) {
                String k = bindingKey(resource, b.getRole(), m);
                keep.put(k, bindingAddedAt.getOrDefault(k, now));
            }
        }
        bindingAddedAt.keySet().removeIf(k -> k.startsWith(resource + "|"));
        bindingAddedAt.putAll(keep);
        boolean conditional = requested.getBindingsList().stream().anyMatch(Binding::hasCondition);
        Policy stored = requested.toBuilder()
                .setEtag(nextEtag())
                .setVersion(conditional ? 3 : 1)
                .build();
        policies.put(resource, stored);
        return stored;
    }

    /**
     * Like GCP, refuses a serviceAccount member that does not exist, or was created too recently to be visible, in the
     * projects this emulator holds accounts in ("Service account ... does not exist", a 400 that Terraform retries:
     * google/transport/error_retry_predicates.go IamServiceAccountNotFound).
     */
    private void checkServiceAccountMemberExists(String member) {
        if (!member.startsWith("serviceAccount:")) {
            return;
        }
        String email = member.substring("serviceAccount:".length());
        int at = email.indexOf('@');
        if (at < 0 || !email.endsWith(".iam.gserviceaccount.com")) {
            return;
        }
        String project = email.substring(at + 1, email.length() - ".iam.gserviceaccount.com".length());
        boolean projectKnown = serviceAccounts.values().stream()
                .anyMatch(sa -> sa.getProjectId().equals(project));
        if (projectKnown && visibleAccount(email) == null) {
            throw invalid("Service account " + email + " does not exist.").asRuntimeException();
        }
    }

    /**
     * Domain-restricted sharing ({@code constraints/iam.allowedPolicyMemberDomains}) refuses a member outside the
     * allowed customers with FAILED_PRECONDITION and a PreconditionFailure naming the constraint.
     * https://cloud.google.com/knowledge/kb/organization-policy-violation-when-setting-iam-policy-000004666
     */
    private void checkDomainRestrictedSharing(String resource, String member) {
        Set<String> allowed = allowedMemberDomains;
        if (allowed == null || allowed.contains(domainOf(member))) {
            return;
        }
        throw Rpc.withDetails(
                Status.Code.FAILED_PRECONDITION,
                "One or more users named in the policy do not belong to a permitted customer, perhaps due to an"
                        + " organization policy.",
                PreconditionFailure.newBuilder()
                        .addViolations(PreconditionFailure.Violation.newBuilder()
                                .setType("constraints/iam.allowedPolicyMemberDomains")
                                .setSubject(resource)
                                .setDescription("User " + member + " is not in permitted organization."))
                        .build());
    }

    /** The emulator's stand-in for a customer id: the email domain of a user or group, the project of an account. */
    static String domainOf(String member) {
        String id = member.substring(member.indexOf(':') + 1);
        if (id.endsWith(".iam.gserviceaccount.com")) {
            return id.substring(id.indexOf('@') + 1, id.length() - ".iam.gserviceaccount.com".length());
        }
        return id.substring(id.indexOf('@') + 1);
    }

    /** The account by email if it exists and has become visible (IAM is eventually consistent after creation). */
    ServiceAccount visibleAccount(String email) {
        ServiceAccount sa = serviceAccounts.get(email);
        if (sa == null) {
            return null;
        }
        Instant visible = accountVisibleAt.get(email);
        return visible == null || !visible.isAfter(Instant.now()) ? sa : null;
    }

    static String bindingKey(String resource, String role, String member) {
        return resource + "|" + role + "|" + member;
    }

    boolean effective(String resource, String role, String member, Instant now) {
        Instant added = bindingAddedAt.get(bindingKey(resource, role, member));
        return added != null && !added.plus(propagationDelay).isAfter(now);
    }

    /** The key's versions, with any pending version whose generation time has passed moved to ENABLED. */
    List<CryptoKeyVersion> versionsOf(String cryptoKey) {
        List<CryptoKeyVersion> list = versions.computeIfAbsent(cryptoKey, k -> new ArrayList<>());
        Instant now = Instant.now();
        for (int i = 0; i < list.size(); i++) {
            CryptoKeyVersion v = list.get(i);
            Instant ready = versionReadyAt.get(v.getName());
            if (v.getState() == CryptoKeyVersion.CryptoKeyVersionState.PENDING_GENERATION
                    && ready != null
                    && !ready.isAfter(now)) {
                list.set(
                        i,
                        v.toBuilder()
                                .setState(CryptoKeyVersion.CryptoKeyVersionState.ENABLED)
                                .build());
                versionReadyAt.remove(v.getName());
            }
        }
        return list;
    }

    /** The key as stored, with its primary's state brought up to date. */
    CryptoKey cryptoKey(String name) {
        CryptoKey key = cryptoKeys.get(name);
        if (key == null || !key.hasPrimary()) {
            return key;
        }
        List<CryptoKeyVersion> list = versionsOf(name);
        String primary = key.getPrimary().getName();
        for (CryptoKeyVersion v : list) {
            if (v.getName().equals(primary) && !v.equals(key.getPrimary())) {
                key = key.toBuilder().setPrimary(v).build();
                cryptoKeys.put(name, key);
            }
        }
        return key;
    }
}
