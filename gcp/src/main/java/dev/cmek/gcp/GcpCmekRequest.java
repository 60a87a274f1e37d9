package dev.cmek.gcp;

import com.google.cloud.kms.v1.CryptoKey;
import com.google.cloud.kms.v1.CryptoKeyName;
import com.google.cloud.kms.v1.CryptoKeyVersion.CryptoKeyVersionAlgorithm;
import com.google.cloud.kms.v1.CryptoKeyVersionTemplate;
import com.google.cloud.kms.v1.ProtectionLevel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What to provision for one cluster, in plain inputs: the customer project, the cluster, the member allowed to
 * impersonate, the regions and where each region's key lives.
 *
 * @param keyLocations location per region; a region absent here uses the region itself as the location
 * @param existingKeys keys the customer brings, per region; only our binding is added to them
 * @param maxPolicyAttempts bound on whole read-modify-write cycles of one IAM policy when etags conflict
 * @param propagationBound how long provisioning waits for a new service account to become visible to IAM
 * @param rotation automatic rotation of the keys this request creates (brought keys are never changed)
 */
public record GcpCmekRequest(
        String customerProject,
        ClusterId clusterId,
        Member cockroachMember,
        List<String> regions,
        Map<String, String> keyLocations,
        String keyRingId,
        String keyIdBase,
        ProtectionLevel protectionLevel,
        Map<String, CryptoKeyName> existingKeys,
        int maxPolicyAttempts,
        Duration propagationBound,
        RotationSchedule rotation) {
    /** As the AWS adapter's: IAM usually settles within a minute or two. */
    public static final Duration DEFAULT_PROPAGATION_BOUND = Duration.ofMinutes(2);

    public GcpCmekRequest {
        if (customerProject == null || !customerProject.matches("[a-z][a-z0-9-]{4,28}[a-z0-9]")) {
            throw new InvalidInputException(
                    "The customer project (--gcp-project) must be a GCP project id (6-30 of [a-z0-9-], starting with a letter), got "
                            + customerProject);
        }
        Objects.requireNonNull(clusterId, "clusterId");
        Objects.requireNonNull(cockroachMember, "cockroachMember");
        regions = List.copyOf(regions);
        if (regions.isEmpty()) {
            throw new InvalidInputException("At least one region is required");
        }
        if (regions.stream().distinct().count() != regions.size()) {
            throw new InvalidInputException("Duplicate regions: " + regions);
        }
        keyLocations = Map.copyOf(keyLocations);
        for (String r : regions) {
            if (r == null || !r.matches("[a-z0-9-]+")) {
                throw new InvalidInputException("Not a region name: " + r);
            }
        }
        for (String l : keyLocations.values()) {
            if (l == null || !l.matches("[a-z0-9-]+")) {
                throw new InvalidInputException("Not a KMS location (--gcp-key-location): " + l);
            }
        }
        existingKeys = Map.copyOf(existingKeys);
        for (String r : keyLocations.keySet()) {
            if (!regions.contains(r)) {
                throw new InvalidInputException("Key location given for unknown region " + r);
            }
        }
        for (String r : existingKeys.keySet()) {
            if (!regions.contains(r)) {
                throw new InvalidInputException("--existing-key names region " + r
                        + ", which the cluster does not have; its regions: " + regions);
            }
        }
        if (protectionLevel != ProtectionLevel.SOFTWARE && protectionLevel != ProtectionLevel.HSM) {
            throw new InvalidInputException("--gcp-protection must be SOFTWARE or HSM, got " + protectionLevel);
        }
        if (maxPolicyAttempts < 1) {
            throw new InvalidInputException("maxPolicyAttempts must be at least 1");
        }
        if (propagationBound == null || propagationBound.isNegative()) {
            throw new InvalidInputException("The propagation bound must be zero or more, got " + propagationBound);
        }
        Objects.requireNonNull(rotation, "rotation");
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The per-cluster service account in the customer project. */
    public ServiceAccountEmail serviceAccountEmail() {
        return CmekNames.serviceAccountEmail(customerProject, clusterId);
    }

    public String locationOf(String region) {
        return keyLocations.getOrDefault(region, region);
    }

    /** The key a region uses at this generation: the one brought for it, else our deterministic name. */
    public CryptoKeyName keyNameOf(String region, int generation) {
        CryptoKeyName existing = existingKeys.get(region);
        if (existing != null && generation == 1) {
            return existing;
        }
        return CryptoKeyName.of(
                customerProject, locationOf(region), keyRingId, CmekNames.cryptoKeyId(keyIdBase, generation));
    }

    /**
     * The crypto key provision creates: for encryption, Google's symmetric algorithm at the protection level asked, our
     * labels, and the rotation period when rotation is automatic (the first rotation, one period after creation, is
     * set when it is created).
     */
    public CryptoKey cryptoKeyToCreate() {
        CryptoKey.Builder key = CryptoKey.newBuilder()
                .setPurpose(CryptoKey.CryptoKeyPurpose.ENCRYPT_DECRYPT)
                .setVersionTemplate(CryptoKeyVersionTemplate.newBuilder()
                        .setAlgorithm(CryptoKeyVersionAlgorithm.GOOGLE_SYMMETRIC_ENCRYPTION)
                        .setProtectionLevel(protectionLevel))
                .putAllLabels(CmekNames.labels(clusterId));
        if (rotation.automatic()) {
            key.setRotationPeriod(com.google.protobuf.Duration.newBuilder()
                    .setSeconds(rotation.period().toSeconds()));
        }
        return key.build();
    }

    /** The one grant on the service account: CockroachDB's identity may create tokens for it. */
    public Grant tokenCreatorGrant() {
        return new Grant(Grant.TOKEN_CREATOR, cockroachMember);
    }

    /** The one grant on each key: the service account may encrypt and decrypt with it. */
    public Grant keyGrant() {
        return new Grant(Grant.ENCRYPTER_DECRYPTER, Member.serviceAccount(serviceAccountEmail()));
    }

    /** Builds a request with defaults: location = region, SOFTWARE, deterministic names, 5 policy attempts. */
    public static final class Builder {
        private String customerProject;
        private ClusterId clusterId;
        private Member cockroachMember;
        private String cockroachAccountId;
        private final List<String> regions = new ArrayList<>();
        private final Map<String, String> keyLocations = new LinkedHashMap<>();
        private String sharedLocation;
        private String keyRingId;
        private String keyIdBase = CmekNames.DEFAULT_KEY_BASE;
        private ProtectionLevel protectionLevel = ProtectionLevel.SOFTWARE;
        private final Map<String, CryptoKeyName> existingKeys = new LinkedHashMap<>();
        private int maxPolicyAttempts = 5;
        private Duration propagationBound = DEFAULT_PROPAGATION_BOUND;
        private RotationSchedule rotation = RotationSchedule.defaults();

        public Builder customerProject(String v) {
            customerProject = v;
            return this;
        }

        public Builder clusterId(String v) {
            clusterId = ClusterId.of(v);
            return this;
        }

        public Builder clusterId(ClusterId v) {
            clusterId = v;
            return this;
        }
        /** The cluster's {@code account_id} (a GCP project id); the member becomes {@code crl-kms-user-<last12>@<account_id>...}. */
        public Builder cockroachAccountId(String v) {
            cockroachAccountId = v;
            return this;
        }
        /** The member to allow directly, instead of deriving it from the account id. */
        public Builder cockroachMember(Member v) {
            cockroachMember = v;
            return this;
        }

        public Builder regions(List<String> v) {
            regions.clear();
            regions.addAll(v);
            return this;
        }

        public Builder region(String v) {
            regions.add(v);
            return this;
        }

        public Builder keyLocation(String region, String location) {
            keyLocations.put(region, location);
            return this;
        }
        /** One location ({@code global}, {@code us}, ...) for every region: they then share one key. */
        public Builder sharedLocation(String v) {
            sharedLocation = v;
            return this;
        }

        public Builder keyRingId(String v) {
            keyRingId = v;
            return this;
        }

        public Builder keyIdBase(String v) {
            keyIdBase = v;
            return this;
        }

        public Builder protectionLevel(ProtectionLevel v) {
            protectionLevel = v;
            return this;
        }

        public Builder existingKey(String region, CryptoKeyName key) {
            existingKeys.put(region, key);
            return this;
        }

        public Builder maxPolicyAttempts(int v) {
            maxPolicyAttempts = v;
            return this;
        }

        public Builder propagationBound(Duration v) {
            propagationBound = v;
            return this;
        }

        /** Automatic rotation of the keys this request creates (default: every 90 days). */
        public Builder rotation(RotationSchedule v) {
            rotation = v;
            return this;
        }

        public GcpCmekRequest build() {
            Objects.requireNonNull(clusterId, "clusterId");
            Member member = cockroachMember != null
                    ? cockroachMember
                    : Member.cockroachIdentity(
                            clusterId,
                            Objects.requireNonNull(cockroachAccountId, "cockroachAccountId or cockroachMember"));
            Map<String, String> locations = new LinkedHashMap<>();
            if (sharedLocation != null) {
                regions.forEach(r -> locations.put(r, sharedLocation));
            }
            locations.putAll(keyLocations);
            return new GcpCmekRequest(
                    customerProject,
                    clusterId,
                    member,
                    regions,
                    locations,
                    keyRingId != null ? keyRingId : CmekNames.keyRingId(clusterId),
                    keyIdBase,
                    protectionLevel,
                    existingKeys,
                    maxPolicyAttempts,
                    propagationBound,
                    rotation);
        }
    }
}
