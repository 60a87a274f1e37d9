package dev.cmek.azure;

import com.azure.security.keyvault.keys.models.KeyRotationPolicy;
import dev.cmek.core.Change;
import dev.cmek.core.Change.Action;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The rotation policy of a key of ours: Rotate after the period asked, no expiry on new versions. Set on a key just
 * made; on a key found, set when it does not rotate (a run stopped before this step), and reported DRIFTED when it
 * rotates otherwise than asked, unless a repair is asked for. Keys the customer brings are never touched.
 */
final class KeyRotation {
    private final VaultKeys keys;

    KeyRotation(VaultKeys keys) {
        this.keys = keys;
    }

    /** What a plan says of a key not made yet. */
    static Change planned(AzureCmekRequest req, KeyUri key, String region) {
        return change(
                AzureResource.KEY_ROTATION,
                key + "/rotationpolicy",
                region,
                req.rotation().automatic() ? Action.WOULD_CREATE : Action.UNCHANGED,
                req.rotation().describe());
    }

    /**
     * The key's rotation policy: set on a key just made; on a key found, set when no rotation is there (a run stopped
     * before it), and reported DRIFTED when it rotates otherwise than asked, unless a repair is asked for.
     */
    Change ensure(ProvisionRun run, String region, KeyUri key, boolean keyMade, Supplier<KeyRotationPolicy> read) {
        RotationSchedule want = run.req.rotation();
        String resource = key + "/rotationpolicy";
        if (keyMade) {
            if (!want.automatic()) {
                return change(AzureResource.KEY_ROTATION, resource, region, Action.UNCHANGED, want.describe());
            }
            keys.setRotationPolicy(key, want);
            return change(AzureResource.KEY_ROTATION, resource, region, Action.CREATED, want.describe());
        }
        KeyRotationPolicy policy = read.get();
        boolean rotates = VaultKeys.rotates(policy);
        Optional<Duration> after = VaultKeys.rotatesAfter(policy);
        boolean expires =
                policy.getExpiresIn() != null && !policy.getExpiresIn().isBlank();
        boolean asWanted =
                want.automatic() ? after.equals(Optional.of(want.period())) && !expires : !rotates && !expires;
        if (asWanted) {
            return change(AzureResource.KEY_ROTATION, resource, region, Action.UNCHANGED, want.describe());
        }
        if (rotates || expires) {
            String now = (rotates
                            ? after.map(d -> "rotates " + d.toDays() + " days after each version")
                                    .orElse("rotates before expiry")
                            : "does not rotate")
                    + (expires ? ", new versions expire after " + policy.getExpiresIn() : "");
            if (!want.repair()) {
                return change(
                        AzureResource.KEY_ROTATION,
                        resource,
                        region,
                        Action.DRIFTED,
                        now + "; asked: " + want.describe() + " without expiry (`--repair-rotation` sets it)");
            }
        }
        if (run.apply) {
            run.awaitWritable();
            keys.setRotationPolicy(key, want);
        }
        return change(AzureResource.KEY_ROTATION, resource, region, Action.updated(run.apply), want.describe());
    }

    private static Change change(AzureResource type, String resource, String region, Action action, String detail) {
        return new Change(type, resource, region, action, detail);
    }
}
