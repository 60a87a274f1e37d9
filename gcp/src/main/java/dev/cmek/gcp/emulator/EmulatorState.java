package dev.cmek.gcp.emulator;

import com.google.cloud.kms.v1.CryptoKey;
import com.google.cloud.kms.v1.CryptoKeyVersion;
import com.google.cloud.kms.v1.KeyRing;
import com.google.iam.admin.v1.ServiceAccount;
import com.google.iam.v1.Binding;
import com.google.iam.v1.Policy;
import com.google.protobuf.ByteString;
import io.grpc.Status;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
    /** When each (resource, role, member) binding was added: it becomes effective one propagation delay later. */
    final Map<String, Instant> bindingAddedAt = new HashMap<>();

    long etagCounter = 1;
    long uniqueIdCounter = 100000000000000000L;
    volatile Duration propagationDelay = Duration.ZERO;
    /** HSM versions stay PENDING_GENERATION this long, as in Cloud HSM. */
    volatile Duration hsmGenerationDelay = Duration.ZERO;
    /** When each pending version becomes ENABLED. */
    final Map<String, Instant> versionReadyAt = new HashMap<>();

    static Status invalid(String message) {
        return Status.INVALID_ARGUMENT.withDescription(message);
    }

    ByteString nextEtag() {
        return ByteString.copyFrom(ByteBuffer.allocate(8).putLong(etagCounter++).array());
    }

    Policy policy(String resource) {
        return policies.computeIfAbsent(
                resource,
                r -> Policy.newBuilder().setVersion(1).setEtag(nextEtag()).build());
    }

    /** Stores a new policy if its etag matches (or is empty), tracking when each binding appeared. */
    Policy setPolicy(String resource, Policy requested) {
        Policy current = policy(resource);
        if (!requested.getEtag().isEmpty() && !requested.getEtag().equals(current.getEtag())) {
            throw Status.ABORTED
                    .withDescription(
                            "There were concurrent policy changes. Please retry the whole read-modify-write with exponential backoff.")
                    .asRuntimeException();
        }
        for (Binding b : requested.getBindingsList()) {
            if (!b.getRole().startsWith("roles/")
                    && !b.getRole().startsWith("projects/")
                    && !b.getRole().startsWith("organizations/")) {
                throw invalid("Role " + b.getRole() + " is not a valid role name.")
                        .asRuntimeException();
            }
            for (String m : b.getMembersList()) {
                if (!MEMBER.matcher(m).matches()) {
                    throw invalid("Invalid member: " + m).asRuntimeException();
                }
                if (!current.getBindingsList().stream()
                        .anyMatch(cb -> cb.getMembersList().contains(m))) {
                    checkServiceAccountMemberExists(m); // only members being added are checked, as GCP does
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
        Policy stored = requested.toBuilder()
                .setEtag(nextEtag())
                .setVersion(Math.max(1, requested.getVersion()))
                .build();
        policies.put(resource, stored);
        return stored;
    }

    /** Like GCP, refuses a serviceAccount member that does not exist, for projects this emulator holds accounts in. */
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
        if (projectKnown && !serviceAccounts.containsKey(email)) {
            throw invalid("Service account " + email + " does not exist.").asRuntimeException();
        }
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
