package dev.cmek.gcp.emulator;

import com.google.cloud.kms.v1.CreateCryptoKeyRequest;
import com.google.cloud.kms.v1.CreateCryptoKeyVersionRequest;
import com.google.cloud.kms.v1.CreateKeyRingRequest;
import com.google.cloud.kms.v1.CryptoKey;
import com.google.cloud.kms.v1.CryptoKey.CryptoKeyPurpose;
import com.google.cloud.kms.v1.CryptoKeyVersion;
import com.google.cloud.kms.v1.CryptoKeyVersion.CryptoKeyVersionAlgorithm;
import com.google.cloud.kms.v1.CryptoKeyVersion.CryptoKeyVersionState;
import com.google.cloud.kms.v1.CryptoKeyVersionTemplate;
import com.google.cloud.kms.v1.GetCryptoKeyRequest;
import com.google.cloud.kms.v1.GetCryptoKeyVersionRequest;
import com.google.cloud.kms.v1.GetKeyRingRequest;
import com.google.cloud.kms.v1.KeyManagementServiceGrpc;
import com.google.cloud.kms.v1.KeyRing;
import com.google.cloud.kms.v1.ListCryptoKeyVersionsRequest;
import com.google.cloud.kms.v1.ListCryptoKeyVersionsResponse;
import com.google.cloud.kms.v1.ListCryptoKeysRequest;
import com.google.cloud.kms.v1.ListCryptoKeysResponse;
import com.google.cloud.kms.v1.ListKeyRingsRequest;
import com.google.cloud.kms.v1.ListKeyRingsResponse;
import com.google.cloud.kms.v1.ProtectionLevel;
import com.google.cloud.kms.v1.UpdateCryptoKeyPrimaryVersionRequest;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Cloud KMS key rings, crypto keys and versions; nothing here can be deleted, as in GCP. */
final class KmsService extends KeyManagementServiceGrpc.KeyManagementServiceImplBase {
    private static final Pattern LOCATION_NAME = Pattern.compile("projects/([^/]+)/locations/([^/]+)");
    private static final Pattern KEY_RING_NAME = Pattern.compile("projects/([^/]+)/locations/([^/]+)/keyRings/([^/]+)");
    private static final Pattern CRYPTO_KEY_NAME = Pattern.compile(KEY_RING_NAME.pattern() + "/cryptoKeys/([^/]+)");
    private static final Pattern VERSION_NAME =
            Pattern.compile(CRYPTO_KEY_NAME.pattern() + "/cryptoKeyVersions/([0-9]+)");

    private final EmulatorState state;

    KmsService(EmulatorState state) {
        this.state = state;
    }

    static Matcher parse(Pattern pattern, String name, String kind) {
        Matcher m = pattern.matcher(name);
        if (!m.matches()) {
            throw Rpc.invalid("Resource name [" + name + "] does not represent a valid " + kind + ".");
        }
        if (!EmulatorState.PROJECT.matcher(m.group(1)).matches()) {
            throw Rpc.invalid("Invalid project id [" + m.group(1) + "] in " + name);
        }
        if (!EmulatorState.LOCATION.matcher(m.group(2)).matches()) {
            throw Rpc.invalid("Invalid location [" + m.group(2) + "] in " + name);
        }
        return m;
    }

    static boolean isKmsResource(String name) {
        return KEY_RING_NAME.matcher(name).matches()
                || CRYPTO_KEY_NAME.matcher(name).matches();
    }

    /** A location Cloud KMS does not serve is refused, as Google does for a region without KMS. */
    private void checkLocation(String location) {
        if (!state.kmsLocations.containsKey(location)) {
            throw Rpc.invalid("Location " + location + " is not a valid Cloud KMS location.");
        }
    }

    @Override
    public void createKeyRing(CreateKeyRingRequest req, StreamObserver<KeyRing> out) {
        Rpc.answer(state, out, () -> {
            checkLocation(parse(LOCATION_NAME, req.getParent(), "location").group(2));
            if (!EmulatorState.KMS_ID.matcher(req.getKeyRingId()).matches()) {
                throw Rpc.invalid("Invalid key ring id [" + req.getKeyRingId() + "]: must match [a-zA-Z0-9_-]{1,63}.");
            }
            String name = req.getParent() + "/keyRings/" + req.getKeyRingId();
            if (state.keyRings.containsKey(name)) {
                throw Status.ALREADY_EXISTS
                        .withDescription("KeyRing " + name + " already exists.")
                        .asRuntimeException();
            }
            KeyRing ring =
                    KeyRing.newBuilder().setName(name).setCreateTime(Rpc.now()).build();
            state.keyRings.put(name, ring);
            return ring;
        });
    }

    @Override
    public void getKeyRing(GetKeyRingRequest req, StreamObserver<KeyRing> out) {
        Rpc.answer(state, out, () -> {
            parse(KEY_RING_NAME, req.getName(), "key ring");
            KeyRing ring = state.keyRings.get(req.getName());
            if (ring == null) {
                throw Rpc.notFound("KeyRing " + req.getName());
            }
            return ring;
        });
    }

    @Override
    public void listKeyRings(ListKeyRingsRequest req, StreamObserver<ListKeyRingsResponse> out) {
        Rpc.answer(state, out, () -> {
            parse(LOCATION_NAME, req.getParent(), "location");
            List<KeyRing> rings = state.keyRings.values().stream()
                    .filter(r -> r.getName().startsWith(req.getParent() + "/keyRings/"))
                    .toList();
            return ListKeyRingsResponse.newBuilder()
                    .addAllKeyRings(rings)
                    .setTotalSize(rings.size())
                    .build();
        });
    }

    @Override
    public void createCryptoKey(CreateCryptoKeyRequest req, StreamObserver<CryptoKey> out) {
        Rpc.answer(state, out, () -> {
            parse(KEY_RING_NAME, req.getParent(), "key ring");
            if (!state.keyRings.containsKey(req.getParent())) {
                throw Rpc.notFound("KeyRing " + req.getParent());
            }
            if (!EmulatorState.KMS_ID.matcher(req.getCryptoKeyId()).matches()) {
                throw Rpc.invalid(
                        "Invalid crypto key id [" + req.getCryptoKeyId() + "]: must match [a-zA-Z0-9_-]{1,63}.");
            }
            CryptoKey asked = req.getCryptoKey();
            if (asked.getPurpose() == CryptoKeyPurpose.CRYPTO_KEY_PURPOSE_UNSPECIFIED) {
                throw Rpc.invalid("CryptoKey.purpose must be specified.");
            }
            CryptoKeyVersionAlgorithm algorithm = asked.getVersionTemplate().getAlgorithm();
            if (asked.getPurpose() == CryptoKeyPurpose.ENCRYPT_DECRYPT) {
                if (algorithm == CryptoKeyVersionAlgorithm.CRYPTO_KEY_VERSION_ALGORITHM_UNSPECIFIED) {
                    algorithm = CryptoKeyVersionAlgorithm.GOOGLE_SYMMETRIC_ENCRYPTION;
                } else if (algorithm != CryptoKeyVersionAlgorithm.GOOGLE_SYMMETRIC_ENCRYPTION) {
                    throw Rpc.invalid("Algorithm " + algorithm + " is not valid for purpose ENCRYPT_DECRYPT.");
                }
            } else if (algorithm == CryptoKeyVersionAlgorithm.CRYPTO_KEY_VERSION_ALGORITHM_UNSPECIFIED) {
                throw Rpc.invalid(
                        "CryptoKey.version_template.algorithm must be specified for purpose " + asked.getPurpose());
            }
            for (Map.Entry<String, String> l : asked.getLabelsMap().entrySet()) {
                if (!EmulatorState.LABEL_KEY.matcher(l.getKey()).matches()
                        || !EmulatorState.LABEL_VALUE.matcher(l.getValue()).matches()) {
                    throw Rpc.invalid("Invalid label " + l.getKey() + "=" + l.getValue());
                }
            }
            checkRotationSchedule(asked, asked.getPurpose());
            ProtectionLevel protection = asked.getVersionTemplate().getProtectionLevel();
            if (protection == ProtectionLevel.PROTECTION_LEVEL_UNSPECIFIED) {
                protection = ProtectionLevel.SOFTWARE;
            }
            String location = parse(KEY_RING_NAME, req.getParent(), "key ring").group(2);
            if (protection == ProtectionLevel.HSM && !state.kmsLocations.getOrDefault(location, false)) {
                // LocationMetadata.hsm_available says where HSM keys can be made.
                throw Status.FAILED_PRECONDITION
                        .withDescription("Protection level HSM is not available in location " + location + ".")
                        .asRuntimeException();
            }
            String name = req.getParent() + "/cryptoKeys/" + req.getCryptoKeyId();
            if (state.cryptoKeys.containsKey(name)) {
                throw Status.ALREADY_EXISTS
                        .withDescription("CryptoKey " + name + " already exists.")
                        .asRuntimeException();
            }
            CryptoKey.Builder key = asked.toBuilder()
                    .setName(name)
                    .setCreateTime(Rpc.now())
                    .setVersionTemplate(CryptoKeyVersionTemplate.newBuilder()
                            .setAlgorithm(algorithm)
                            .setProtectionLevel(protection));
            key.clearPrimary();
            state.cryptoKeys.put(name, key.build());
            if (!req.getSkipInitialVersionCreation()) {
                CryptoKeyVersion v = newVersion(name);
                if (asked.getPurpose() == CryptoKeyPurpose.ENCRYPT_DECRYPT) {
                    state.cryptoKeys.put(
                            name,
                            state.cryptoKeys.get(name).toBuilder().setPrimary(v).build());
                }
            }
            return state.cryptoKeys.get(name);
        });
    }

    /** The shortest and longest rotation periods Cloud KMS accepts: "at least 24 hours and at most 876,000 hours". */
    static final java.time.Duration MIN_ROTATION = java.time.Duration.ofHours(24);

    static final java.time.Duration MAX_ROTATION = java.time.Duration.ofHours(876_000);

    /**
     * As Cloud KMS documents CryptoKey.rotation_period: "Must be at least 24 hours and at most 876,000 hours. If
     * rotation_period is set, next_rotation_time must also be set. Keys with purpose ENCRYPT_DECRYPT support automatic
     * rotation. For other keys, this field must be omitted."
     * (https://cloud.google.com/kms/docs/reference/rest/v1/projects.locations.keyRings.cryptoKeys, and
     * googleapis google/cloud/kms/v1/resources.proto)
     */
    private static void checkRotationSchedule(CryptoKey key, CryptoKeyPurpose purpose) {
        if (!key.hasRotationPeriod()) {
            return;
        }
        if (purpose != CryptoKeyPurpose.ENCRYPT_DECRYPT) {
            throw Rpc.invalid("CryptoKey.rotation_period is only supported for purpose ENCRYPT_DECRYPT.");
        }
        java.time.Duration period = java.time.Duration.ofSeconds(
                key.getRotationPeriod().getSeconds(), key.getRotationPeriod().getNanos());
        if (period.compareTo(MIN_ROTATION) < 0 || period.compareTo(MAX_ROTATION) > 0) {
            throw Rpc.invalid("CryptoKey.rotation_period must be at least 24 hours and at most 876,000 hours, got "
                    + period.toSeconds() + "s.");
        }
        if (!key.hasNextRotationTime()) {
            throw Rpc.invalid("CryptoKey.next_rotation_time must be set when rotation_period is set.");
        }
    }

    /** The fields UpdateCryptoKey may change here: the rotation schedule and the labels. */
    private static final java.util.Set<String> UPDATABLE =
            java.util.Set.of("rotation_period", "next_rotation_time", "labels");

    @Override
    public void updateCryptoKey(com.google.cloud.kms.v1.UpdateCryptoKeyRequest req, StreamObserver<CryptoKey> out) {
        Rpc.answer(state, out, () -> {
            CryptoKey current = existingKey(req.getCryptoKey().getName());
            // update_mask is required
            // (https://cloud.google.com/kms/docs/reference/rest/v1/projects.locations.keyRings.cryptoKeys/patch).
            if (req.getUpdateMask().getPathsCount() == 0) {
                throw Rpc.invalid("UpdateCryptoKeyRequest.update_mask is required.");
            }
            CryptoKey.Builder b = current.toBuilder();
            for (String path : req.getUpdateMask().getPathsList()) {
                if (!UPDATABLE.contains(path)) {
                    throw Rpc.invalid(
                            "Field " + path + " of CryptoKey cannot be updated here (supported: " + UPDATABLE + ").");
                }
                CryptoKey asked = req.getCryptoKey();
                switch (path) {
                    case "rotation_period" -> {
                        if (asked.hasRotationPeriod()) {
                            b.setRotationPeriod(asked.getRotationPeriod());
                        } else {
                            b.clearRotationPeriod();
                        }
                    }
                    case "next_rotation_time" -> {
                        if (asked.hasNextRotationTime()) {
                            b.setNextRotationTime(asked.getNextRotationTime());
                        } else {
                            b.clearNextRotationTime();
                        }
                    }
                    default -> b.clearLabels().putAllLabels(asked.getLabelsMap());
                }
            }
            CryptoKey updated = b.build();
            checkRotationSchedule(updated, updated.getPurpose());
            state.cryptoKeys.put(updated.getName(), updated);
            return state.cryptoKey(updated.getName());
        });
    }

    private CryptoKeyVersion newVersion(String cryptoKey) {
        CryptoKey key = state.cryptoKeys.get(cryptoKey);
        List<CryptoKeyVersion> list = state.versionsOf(cryptoKey);
        boolean pending = key.getVersionTemplate().getProtectionLevel() == ProtectionLevel.HSM
                && !state.hsmGenerationDelay.isZero();
        String name = cryptoKey + "/cryptoKeyVersions/" + (list.size() + 1);
        if (pending) {
            state.versionReadyAt.put(name, java.time.Instant.now().plus(state.hsmGenerationDelay));
        }
        CryptoKeyVersion v = CryptoKeyVersion.newBuilder()
                .setName(name)
                .setState(pending ? CryptoKeyVersionState.PENDING_GENERATION : CryptoKeyVersionState.ENABLED)
                .setAlgorithm(key.getVersionTemplate().getAlgorithm())
                .setProtectionLevel(key.getVersionTemplate().getProtectionLevel())
                .setCreateTime(Rpc.now())
                .build();
        list.add(v);
        return v;
    }

    private CryptoKey existingKey(String name) {
        parse(CRYPTO_KEY_NAME, name, "crypto key");
        CryptoKey key = state.cryptoKey(name);
        if (key == null) {
            throw Rpc.notFound("CryptoKey " + name);
        }
        return key;
    }

    @Override
    public void getCryptoKey(GetCryptoKeyRequest req, StreamObserver<CryptoKey> out) {
        Rpc.answer(state, out, () -> existingKey(req.getName()));
    }

    @Override
    public void listCryptoKeys(ListCryptoKeysRequest req, StreamObserver<ListCryptoKeysResponse> out) {
        Rpc.answer(state, out, () -> {
            parse(KEY_RING_NAME, req.getParent(), "key ring");
            if (!state.keyRings.containsKey(req.getParent())) {
                throw Rpc.notFound("KeyRing " + req.getParent());
            }
            List<CryptoKey> keys = state.cryptoKeys.values().stream()
                    .filter(k -> k.getName().startsWith(req.getParent() + "/cryptoKeys/"))
                    .toList();
            return ListCryptoKeysResponse.newBuilder()
                    .addAllCryptoKeys(keys)
                    .setTotalSize(keys.size())
                    .build();
        });
    }

    @Override
    public void createCryptoKeyVersion(CreateCryptoKeyVersionRequest req, StreamObserver<CryptoKeyVersion> out) {
        Rpc.answer(state, out, () -> {
            existingKey(req.getParent());
            return newVersion(req.getParent());
        });
    }

    @Override
    public void getCryptoKeyVersion(GetCryptoKeyVersionRequest req, StreamObserver<CryptoKeyVersion> out) {
        Rpc.answer(state, out, () -> version(req.getName()));
    }

    private CryptoKeyVersion version(String name) {
        Matcher m = parse(VERSION_NAME, name, "crypto key version");
        String key = name.substring(0, name.lastIndexOf("/cryptoKeyVersions/"));
        existingKey(key);
        int n = Integer.parseInt(m.group(5));
        List<CryptoKeyVersion> list = state.versionsOf(key);
        if (n < 1 || n > list.size()) {
            throw Rpc.notFound("CryptoKeyVersion " + name);
        }
        return list.get(n - 1);
    }

    @Override
    public void listCryptoKeyVersions(
            ListCryptoKeyVersionsRequest req, StreamObserver<ListCryptoKeyVersionsResponse> out) {
        Rpc.answer(state, out, () -> {
            existingKey(req.getParent());
            List<CryptoKeyVersion> list = state.versionsOf(req.getParent());
            return ListCryptoKeyVersionsResponse.newBuilder()
                    .addAllCryptoKeyVersions(list)
                    .setTotalSize(list.size())
                    .build();
        });
    }

    @Override
    public void updateCryptoKeyPrimaryVersion(UpdateCryptoKeyPrimaryVersionRequest req, StreamObserver<CryptoKey> out) {
        Rpc.answer(state, out, () -> {
            CryptoKey key = existingKey(req.getName());
            if (key.getPurpose() != CryptoKeyPurpose.ENCRYPT_DECRYPT) {
                throw Status.FAILED_PRECONDITION
                        .withDescription("Only ENCRYPT_DECRYPT keys have a primary version.")
                        .asRuntimeException();
            }
            CryptoKeyVersion v = version(req.getName() + "/cryptoKeyVersions/" + req.getCryptoKeyVersionId());
            if (v.getState() != CryptoKeyVersionState.ENABLED) {
                throw Status.FAILED_PRECONDITION
                        .withDescription("Version " + v.getName() + " is not ENABLED.")
                        .asRuntimeException();
            }
            CryptoKey updated = key.toBuilder().setPrimary(v).build();
            state.cryptoKeys.put(req.getName(), updated);
            return updated;
        });
    }
}
