package dev.cmek.aws;

import dev.cmek.core.Change;

/**
 * Automatic rotation of the cluster's keys: turned on for every key we create, converged on re-runs (a key of ours
 * left without it by a run cut short gets it), a drifted period reported and put back only when asked, and keys the
 * customer brings only reported. It never turns rotation off (DisableKeyRotation is never called). A multi-Region
 * replica shares its primary's rotation, so only the primary is ever set
 * (https://docs.aws.amazon.com/kms/latest/developerguide/multi-region-keys-overview.html#mrk-sync-properties).
 */
final class KeyRotations {
    private final RotationPolicy policy;

    KeyRotations(RotationPolicy policy) {
        this.policy = policy;
    }

    /** A key this run just created (or, planning, would create). */
    Change created(RegionalKeys keys, KeyArn key, String resource, boolean apply) {
        String region = keys.region().id();
        if (!policy.automatic()) {
            return AwsResource.keyRotation(
                    resource, region, Change.Action.UNCHANGED, "automatic rotation not enabled (--no-auto-rotation)");
        }
        if (!apply) {
            return AwsResource.keyRotation(
                    resource, region, Change.Action.WOULD_CREATE, "would enable " + policy.describe());
        }
        RotationStatus now = keys.enableRotation(key, policy.periodInDays());
        return AwsResource.keyRotation(key.value(), region, Change.Action.CREATED, "enabled " + now.describe());
    }

    /** A replica: its rotation is its primary's. */
    Change replica(RegionalKeys keys, String resource, String primaryRegion) {
        return AwsResource.keyRotation(
                resource,
                keys.region().id(),
                Change.Action.UNCHANGED,
                "a multi-Region replica follows its primary's rotation (set in " + primaryRegion + ")");
    }

    /** One of our keys that already exists: rotation turned on when missing, a drifted period reported or repaired. */
    Change ensureOurs(RegionalKeys keys, RegionalKeys.Live live, boolean apply) {
        String region = keys.region().id();
        KeyArn key = live.arn();
        if (live.metadata().keyState() != software.amazon.awssdk.services.kms.model.KeyState.ENABLED) {
            // EnableKeyRotation answers DisabledException or KMSInvalidStateException on a key that is not Enabled.
            return AwsResource.keyRotation(
                    key.value(),
                    region,
                    Change.Action.UNCHANGED,
                    "left as it is: the key is " + live.metadata().keyState() + " (`cmek verify` reports it)");
        }
        RotationStatus now = keys.rotationStatus(key);
        if (!policy.automatic()) {
            return AwsResource.keyRotation(
                    key.value(),
                    region,
                    Change.Action.UNCHANGED,
                    now.describe() + (now.enabled() ? " (--no-auto-rotation never turns it off)" : ""));
        }
        if (!now.enabled()) {
            return setPeriod(
                    keys,
                    key,
                    now,
                    apply,
                    set -> (apply ? "enabled " + set.describe() : "would enable " + policy.describe())
                            + " (it was off)");
        }
        if (now.period() == policy.periodInDays()) {
            return AwsResource.keyRotation(key.value(), region, Change.Action.UNCHANGED, now.describe());
        }
        String drift = "rotates every " + now.period() + " days, asked " + policy.periodInDays();
        if (!policy.repair()) {
            return AwsResource.keyRotation(
                    key.value(), region, Change.Action.DRIFTED, drift + "; --repair-rotation puts it back");
        }
        return setPeriod(
                keys, key, now, apply, set -> drift + (apply ? "; repaired: " + set.describe() : "; would repair"));
    }

    /**
     * Turns rotation on with the asked period (when {@code apply}) and reports it as updated; {@code detail} words the
     * change from the status after it ({@code now}, the status read before, when only planning).
     */
    private Change setPeriod(
            RegionalKeys keys,
            KeyArn key,
            RotationStatus now,
            boolean apply,
            java.util.function.Function<RotationStatus, String> detail) {
        RotationStatus after = apply ? keys.enableRotation(key, policy.periodInDays()) : now;
        return AwsResource.keyRotation(
                key.value(), keys.region().id(), Change.Action.updated(apply), detail.apply(after));
    }

    /** A key the customer brings: read and reported, never changed. */
    Change brought(RegionalKeys keys, KeyArn key) {
        RotationStatus now = keys.rotationStatus(key);
        return AwsResource.keyRotation(
                key.value(),
                keys.region().id(),
                Change.Action.UNCHANGED,
                now.enabled()
                        ? now.describe() + " (your key: left as it is)"
                        : "automatic rotation OFF on your key; cmek never changes a key you bring (AWS Security Hub"
                                + " KMS.4 flags it): aws kms enable-key-rotation --key-id " + key
                                + " --rotation-period-in-days " + RotationPolicy.DEFAULT_DAYS);
    }
}
