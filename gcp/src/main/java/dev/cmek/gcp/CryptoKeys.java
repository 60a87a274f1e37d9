package dev.cmek.gcp;

import static com.google.api.gax.rpc.StatusCode.Code.ALREADY_EXISTS;
import static com.google.api.gax.rpc.StatusCode.Code.NOT_FOUND;

import com.google.api.gax.rpc.ApiException;
import com.google.cloud.kms.v1.CreateCryptoKeyRequest;
import com.google.cloud.kms.v1.CreateKeyRingRequest;
import com.google.cloud.kms.v1.CryptoKey;
import com.google.cloud.kms.v1.CryptoKey.CryptoKeyPurpose;
import com.google.cloud.kms.v1.CryptoKeyName;
import com.google.cloud.kms.v1.CryptoKeyVersion;
import com.google.cloud.kms.v1.CryptoKeyVersion.CryptoKeyVersionAlgorithm;
import com.google.cloud.kms.v1.CryptoKeyVersion.CryptoKeyVersionState;
import com.google.cloud.kms.v1.CryptoKeyVersionName;
import com.google.cloud.kms.v1.KeyManagementServiceClient;
import com.google.cloud.kms.v1.KeyRingName;
import com.google.cloud.kms.v1.LocationMetadata;
import com.google.cloud.kms.v1.LocationName;
import com.google.cloud.kms.v1.ProtectionLevel;
import com.google.cloud.location.GetLocationRequest;
import com.google.cloud.location.Location;
import com.google.iam.v1.Policy;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.cmek.core.Backoff;
import dev.cmek.core.Change;
import dev.cmek.core.Change.Action;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Key rings and crypto keys: finds or creates them (never adopting a key without our labels), checks a key can serve
 * as a CMEK, grants our service account encrypter/decrypter on it, and rotates key material. Nothing here destroys a
 * version, disables a key or schedules deletion.
 */
final class CryptoKeys {
    /** How long a new key version may stay PENDING_GENERATION (HSM) before rotation gives up. */
    static final Duration VERSION_READY_TIMEOUT = Duration.ofSeconds(60);
    /** Polling a new HSM version until it leaves PENDING_GENERATION (seconds in Cloud HSM). */
    static final Backoff VERSION_POLL = Backoff.fixed(Duration.ofMillis(500));

    private final GcpClients clients;

    CryptoKeys(GcpClients clients) {
        this.clients = clients;
    }

    /**
     * The target's key ring and key: created when {@code apply} (plan: WOULD_CREATE); a key that exists is checked,
     * and one that is not ours or unfit is BLOCKED in a plan and thrown when applying. The last change is the key's.
     */
    List<Change> ensure(GcpCmekRequest req, KeyTarget t, boolean apply) {
        if (t.brought()) {
            return List.of(ensureBrought(t, apply));
        }
        List<Change> out = new ArrayList<>();
        if (apply) {
            out.add(ringChange(t, createRing(t) ? Action.CREATED : Action.UNCHANGED));
            if (createKey(req, t)) {
                out.add(keyChange(t, Action.CREATED, req.protectionLevel().name()));
                return out;
            }
        }
        Optional<CryptoKey> key = find(t.name());
        if (key.isEmpty()) {
            if (apply) {
                throw new GcpCmekException("Crypto key " + t.name()
                        + " was reported as existing but cannot be read; run the same command" + " again.");
            }
            out.add(ringChange(t, ringExists(t.ring()) ? Action.UNCHANGED : Action.WOULD_CREATE));
            Optional<String> unusable = locationProblem(req, t);
            out.add(
                    unusable.isPresent()
                            ? keyChange(t, Action.BLOCKED, unusable.get())
                            : keyChange(
                                    t,
                                    Action.WOULD_CREATE,
                                    req.protectionLevel().name()));
            return out;
        }
        boolean ours = CmekNames.isOurs(key.get().getLabelsMap(), req.clusterId());
        if (apply && !ours) {
            throw new NotOursException(t.name().toString(), "labels " + CmekNames.labels(req.clusterId()));
        }
        List<String> problems = new ArrayList<>(fitness(key.get(), req));
        if (apply && !problems.isEmpty()) {
            throw new UnfitKeyException(t.name(), problems);
        }
        if (!ours) {
            problems.add(0, "exists without our labels");
        }
        out.add(
                problems.isEmpty()
                        ? keyChange(t, Action.UNCHANGED, "")
                        : keyChange(t, Action.BLOCKED, String.join("; ", problems)));
        return out;
    }

    private Change ensureBrought(KeyTarget t, boolean apply) {
        Optional<CryptoKey> key = find(t.name());
        if (key.isEmpty()) {
            if (apply) {
                throw new GcpCmekException("Existing crypto key " + t.name() + " given for regions " + t.regions()
                        + " does not exist or is not visible to these credentials.");
            }
            return keyChange(t, Action.BLOCKED, "existing key not found");
        }
        List<String> problems = fitness(key.get(), null);
        if (!problems.isEmpty()) {
            if (apply) {
                throw new UnfitKeyException(t.name(), problems);
            }
            return keyChange(t, Action.BLOCKED, String.join("; ", problems));
        }
        return keyChange(t, Action.UNCHANGED, "brought by the customer");
    }

    /** Grants our service account encrypter/decrypter on the key; {@code exists}: whether the key exists yet. */
    Change grantEncrypterDecrypter(GcpCmekRequest req, KeyTarget t, boolean apply, boolean exists) {
        Grant grant = req.keyGrant();
        if (!apply) {
            boolean has = exists && PolicyBindings.has(readPolicy(t.name()), grant);
            // The policy of a key still to be made is made with it: created, not updated.
            return policyChange(
                    t,
                    has ? Action.UNCHANGED : exists ? Action.WOULD_UPDATE : Action.WOULD_CREATE,
                    (has ? "has " : "add ") + grant);
        }
        PolicyEdit.Outcome o = grant(t.name(), grant, req.maxPolicyAttempts(), new Propagation(req.propagationBound()));
        return policyChange(
                t, o.changed() ? Action.UPDATED : Action.UNCHANGED, (o.changed() ? "added " : "has ") + grant);
    }

    /** Creates a new key version and makes it primary; the key's URI, and so the KeySpec, stays the same. */
    CryptoKeyVersionName rotateMaterial(CryptoKeyName key) {
        KeyManagementServiceClient kms = kms();
        // Not retried on UNAVAILABLE: a lost reply would make a second version (harmless, but not what was asked).
        CryptoKeyVersion created;
        try {
            created = kms.createCryptoKeyVersion(key, CryptoKeyVersion.getDefaultInstance());
        } catch (ApiException e) {
            throw CallFailedException.of("createCryptoKeyVersion", key.toString(), e);
        }
        CryptoKeyVersionName version = CryptoKeyVersionName.parse(created.getName());
        CryptoKeyVersion v = created.getState() != CryptoKeyVersionState.PENDING_GENERATION
                ? created
                : VERSION_POLL.until(
                        VERSION_READY_TIMEOUT,
                        () -> GoogleCall.call("getCryptoKeyVersion", version, () -> kms.getCryptoKeyVersion(version)),
                        read -> read.getState() != CryptoKeyVersionState.PENDING_GENERATION);
        if (v.getState() == CryptoKeyVersionState.PENDING_GENERATION) {
            throw new GcpCmekException("Key version " + version + " is still PENDING_GENERATION after "
                    + VERSION_READY_TIMEOUT + "; make it primary later with: gcloud kms keys set-primary-version.");
        }
        if (v.getState() != CryptoKeyVersionState.ENABLED) {
            throw new GcpCmekException(
                    "New key version " + version + " is " + v.getState() + ", not ENABLED; the primary is unchanged.");
        }
        GoogleCall.call(
                "updateCryptoKeyPrimaryVersion",
                key,
                () -> kms.updateCryptoKeyPrimaryVersion(key, version.getCryptoKeyVersion()));
        return version;
    }

    /**
     * Problems that stop a key serving as a CMEK; with a request (provisioning), also a protection level other than the
     * one asked, and a primary still in PENDING_GENERATION is accepted (new HSM keys start so, and become ENABLED).
     */
    static List<String> fitness(CryptoKey key, GcpCmekRequest req) {
        List<String> problems = new ArrayList<>();
        if (key.getPurpose() != CryptoKeyPurpose.ENCRYPT_DECRYPT) {
            problems.add("purpose is " + key.getPurpose());
        }
        if (key.getVersionTemplate().getAlgorithm() != CryptoKeyVersionAlgorithm.GOOGLE_SYMMETRIC_ENCRYPTION) {
            problems.add("algorithm is " + key.getVersionTemplate().getAlgorithm());
        }
        if (req != null && key.getVersionTemplate().getProtectionLevel() != req.protectionLevel()) {
            problems.add("protection level is " + key.getVersionTemplate().getProtectionLevel() + ", asked "
                    + req.protectionLevel());
        }
        CryptoKeyVersionState primary = key.hasPrimary()
                ? key.getPrimary().getState()
                : CryptoKeyVersionState.CRYPTO_KEY_VERSION_STATE_UNSPECIFIED;
        boolean pendingOk = req != null && primary == CryptoKeyVersionState.PENDING_GENERATION;
        if (primary != CryptoKeyVersionState.ENABLED && !pendingOk) {
            problems.add(key.hasPrimary() ? "primary version is " + primary : "no primary version");
        }
        return problems;
    }

    Optional<CryptoKey> find(CryptoKeyName name) {
        try {
            return Optional.of(GoogleCall.call("getCryptoKey", name, () -> kms().getCryptoKey(name), NOT_FOUND));
        } catch (ApiException notFound) {
            return Optional.empty();
        }
    }

    /** Every version of the key, to find one scheduled for destruction. */
    List<CryptoKeyVersion> versions(CryptoKeyName key) {
        List<CryptoKeyVersion> out = new ArrayList<>();
        GoogleCall.call("listCryptoKeyVersions", key, () -> {
            kms().listCryptoKeyVersions(key).iterateAll().forEach(out::add);
            return out;
        });
        return out;
    }

    /** Every crypto key of a key ring (none when the ring does not exist). */
    List<CryptoKey> list(KeyRingName ring) {
        List<CryptoKey> out = new ArrayList<>();
        try {
            GoogleCall.call(
                    "listCryptoKeys",
                    ring,
                    () -> {
                        kms().listCryptoKeys(ring).iterateAll().forEach(out::add);
                        return out;
                    },
                    NOT_FOUND);
        } catch (ApiException notFound) {
            return List.of();
        }
        return out;
    }

    Policy readPolicy(CryptoKeyName key) {
        return GoogleCall.call(
                "getIamPolicy", key, () -> kms().getIamPolicy(ServiceAccount.policyRead(key.toString())));
    }

    /** A key ring's policy: its roles reach every key in the ring. */
    Policy readRingPolicy(String ring) {
        return GoogleCall.call("getIamPolicy", ring, () -> kms().getIamPolicy(ServiceAccount.policyRead(ring)));
    }

    /**
     * Makes the key's policy hold the grant.
     *
     * @param propagation while provisioning, retries while our new service account is not yet a valid member; else null
     */
    PolicyEdit.Outcome grant(CryptoKeyName key, Grant grant, int attempts, Propagation propagation) {
        return new PolicyEdit(policy(key), attempts, propagation, Propagation.MEMBER_NOT_VISIBLE)
                .apply(PolicyEdit.Edit.granting(grant));
    }

    /** Where the key's policy lives. */
    PolicyEdit.Holder policy(CryptoKeyName key) {
        KeyManagementServiceClient kms = kms();
        return PolicyEdit.Holder.of(key.toString(), key.toString(), kms::getIamPolicy, kms::setIamPolicy);
    }

    /** Key rings carry no labels in Cloud KMS, so one with our name is simply used; the key carries the mark. */
    private boolean createRing(KeyTarget t) {
        LocationName location = LocationName.of(t.name().getProject(), t.name().getLocation());
        try {
            GoogleCall.call(
                    "createKeyRing",
                    t.ring(),
                    () -> kms().createKeyRing(CreateKeyRingRequest.newBuilder()
                            .setParent(location.toString())
                            .setKeyRingId(t.name().getKeyRing())
                            .build()),
                    ALREADY_EXISTS);
            return true;
        } catch (ApiException alreadyExists) {
            return false;
        }
    }

    private boolean createKey(GcpCmekRequest req, KeyTarget t) {
        try {
            GoogleCall.call(
                    "createCryptoKey",
                    t.name(),
                    () -> kms().createCryptoKey(CreateCryptoKeyRequest.newBuilder()
                            .setParent(t.ring().toString())
                            .setCryptoKeyId(t.name().getCryptoKey())
                            .setCryptoKey(withRotation(req.cryptoKeyToCreate().toBuilder(), req.rotation()))
                            .build()),
                    ALREADY_EXISTS);
            return true;
        } catch (ApiException alreadyExists) {
            return false;
        }
    }

    /**
     * The key with the rotation schedule asked: the period, and the first rotation one period from now (Cloud KMS
     * needs both: "If rotation_period is set, next_rotation_time must also be set").
     */
    private static CryptoKey.Builder withRotation(CryptoKey.Builder key, RotationSchedule rotation) {
        if (rotation.automatic()) {
            Instant next = Instant.now().plus(rotation.period());
            key.setRotationPeriod(com.google.protobuf.Duration.newBuilder()
                            .setSeconds(rotation.period().toSeconds()))
                    .setNextRotationTime(
                            com.google.protobuf.Timestamp.newBuilder().setSeconds(next.getEpochSecond()));
        }
        return key;
    }

    /**
     * The rotation of the target's key after {@link #ensure}: set at creation on a key we made; turned on when missing
     * and a drifted period reported (repaired only when asked) on one of ours that exists; only reported on a key the
     * customer brings. Never turned off.
     *
     * @param key the key's change from {@link #ensure}
     */
    Change ensureRotation(GcpCmekRequest req, KeyTarget t, Change key, boolean apply) {
        RotationSchedule asked = req.rotation();
        if (key.action() == Action.CREATED || key.action() == Action.WOULD_CREATE) {
            if (!asked.automatic()) {
                return rotationChange(t, Action.UNCHANGED, "automatic rotation not set (--no-auto-rotation)");
            }
            return rotationChange(
                    t,
                    key.action() == Action.CREATED ? Action.CREATED : Action.WOULD_CREATE,
                    (key.action() == Action.CREATED ? "" : "would set ") + asked.describe());
        }
        Optional<CryptoKey> found = find(t.name());
        if (found.isEmpty()) {
            return rotationChange(t, Action.UNCHANGED, "key not found");
        }
        CryptoKey live = found.get();
        Optional<Duration> period = rotationPeriod(live);
        String now = describeRotation(live);
        if (t.brought()) {
            return rotationChange(
                    t,
                    Action.UNCHANGED,
                    period.isPresent()
                            ? now + " (your key: left as it is)"
                            : "automatic rotation OFF on your key; cmek never changes a key you bring (CIS GCP 1.10"
                                    + " asks for at most 90 days): "
                                    + gcloudSchedule(t.name(), RotationSchedule.DEFAULT_DAYS));
        }
        if (!asked.automatic()) {
            return rotationChange(
                    t, Action.UNCHANGED, now + (period.isPresent() ? " (--no-auto-rotation never turns it off)" : ""));
        }
        if (period.isEmpty()) {
            if (apply) {
                setRotation(t.name(), asked);
            }
            return rotationChange(
                    t,
                    apply ? Action.UPDATED : Action.WOULD_UPDATE,
                    (apply ? "set " : "would set ") + asked.describe() + " (it was off)");
        }
        if (period.get().equals(asked.period())) {
            return rotationChange(t, Action.UNCHANGED, now);
        }
        String drift = "rotates every " + period.get().toDays() + " days, asked " + asked.periodInDays();
        if (!asked.repair()) {
            return rotationChange(t, Action.DRIFTED, drift + "; --repair-rotation puts it back");
        }
        if (apply) {
            setRotation(t.name(), asked);
        }
        return rotationChange(
                t, apply ? Action.UPDATED : Action.WOULD_UPDATE, drift + (apply ? "; repaired" : "; would repair"));
    }

    /** UpdateCryptoKey of the rotation schedule only (the update mask names just its two fields). */
    private void setRotation(CryptoKeyName key, RotationSchedule asked) {
        CryptoKey update = withRotation(CryptoKey.newBuilder().setName(key.toString()), asked)
                .build();
        GoogleCall.call(
                "updateCryptoKey",
                key,
                () -> kms().updateCryptoKey(
                                update,
                                com.google.protobuf.FieldMask.newBuilder()
                                        .addPaths("rotation_period")
                                        .addPaths("next_rotation_time")
                                        .build()));
    }

    static Optional<Duration> rotationPeriod(CryptoKey key) {
        return key.hasRotationPeriod()
                ? Optional.of(Duration.ofSeconds(key.getRotationPeriod().getSeconds()))
                : Optional.empty();
    }

    static String describeRotation(CryptoKey key) {
        return rotationPeriod(key)
                .map(p -> "automatic rotation every " + p.toDays() + " days"
                        + (key.hasNextRotationTime()
                                ? ", next "
                                        + Instant.ofEpochSecond(key.getNextRotationTime()
                                                        .getSeconds())
                                                .toString()
                                                .substring(0, 10)
                                : ""))
                .orElse("automatic rotation off");
    }

    static String gcloudSchedule(CryptoKeyName key, int days) {
        return "gcloud kms keys update " + key.getCryptoKey() + " --keyring " + key.getKeyRing() + " --location "
                + key.getLocation() + " --project " + key.getProject() + " --rotation-period " + days
                + "d --next-rotation-time "
                + Instant.now().plus(Duration.ofDays(days)).toString().substring(0, 10);
    }

    private static Change rotationChange(KeyTarget t, Action action, String detail) {
        return new Change(GcpResource.CRYPTO_KEY_ROTATION, t.name().toString(), t.regionList(), action, detail);
    }

    /**
     * Why a key cannot be made in the target's location: Cloud KMS does not serve it, or HSM is asked and the
     * location's {@code LocationMetadata.hsm_available} is false.
     * https://cloud.google.com/kms/docs/reference/rest/v1/projects.locations
     */
    private Optional<String> locationProblem(GcpCmekRequest req, KeyTarget t) {
        String location = t.name().getLocation();
        String name = LocationName.of(t.name().getProject(), location).toString();
        Location found;
        try {
            found = GoogleCall.call(
                    "getLocation",
                    name,
                    () -> kms().getLocation(GetLocationRequest.newBuilder()
                            .setName(name)
                            .build()),
                    NOT_FOUND);
        } catch (ApiException notFound) {
            return Optional.of("location " + location + " is not a Cloud KMS location: check the cluster's regions or"
                    + " give one with --gcp-key-location");
        }
        if (req.protectionLevel() == ProtectionLevel.HSM) {
            boolean hsm;
            try {
                hsm = found.getMetadata().unpack(LocationMetadata.class).getHsmAvailable();
            } catch (InvalidProtocolBufferException e) {
                hsm = false;
            }
            if (!hsm) {
                return Optional.of("HSM keys are not available in location " + location + ": give another with"
                        + " --gcp-key-location, or use --gcp-protection SOFTWARE");
            }
        }
        return Optional.empty();
    }

    boolean ringExists(KeyRingName ring) {
        try {
            GoogleCall.call("getKeyRing", ring, () -> kms().getKeyRing(ring), NOT_FOUND);
            return true;
        } catch (ApiException notFound) {
            return false;
        }
    }

    private static Change ringChange(KeyTarget t, Action action) {
        return new Change(GcpResource.KEY_RING, t.ring().toString(), t.regionList(), action, "");
    }

    private static Change keyChange(KeyTarget t, Action action, String detail) {
        return new Change(GcpResource.CRYPTO_KEY, t.name().toString(), t.regionList(), action, detail);
    }

    private static Change policyChange(KeyTarget t, Action action, String detail) {
        return new Change(GcpResource.CRYPTO_KEY_POLICY, t.name().toString(), t.regionList(), action, detail);
    }

    private KeyManagementServiceClient kms() {
        return clients.kms();
    }
}
