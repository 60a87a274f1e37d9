package dev.cmek.aws;

import dev.cmek.core.Control;
import dev.cmek.core.ControlResult;
import dev.cmek.core.Parallel;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import software.amazon.awssdk.services.kms.model.KeyState;
import software.amazon.awssdk.services.kms.model.OriginType;

/**
 * The controls of one region's key, each with the evidence read from KMS: usable, rotating, not public, granting
 * exactly, and (when the cluster's key history is known) no orphan still granted. A key that is gone or unreadable is
 * a failed control, never an exception.
 */
final class KeyControls {
    private final AwsClients clients;
    private final Parallel parallel;
    private final AwsCmekRequest request;

    KeyControls(AwsClients clients, Parallel parallel, AwsCmekRequest request) {
        this.clients = clients;
        this.parallel = parallel;
        this.request = request;
    }

    /**
     * @param asked the key the region uses (null: our alias of the request's generation)
     * @param former keys CockroachDB used before in this cluster; empty: orphans not looked for
     */
    VerifyReport.RegionControls evaluate(RegionalKeys keys, KeyArn asked, RoleArn role, Optional<Set<KeyArn>> former) {
        ResourceNames names = request.names();
        Optional<RegionalKeys.Live> found =
                keys.describe(asked != null ? asked.value() : names.alias(request.generation()));
        if (found.isEmpty()) {
            String why = asked != null
                    ? "key " + asked + " not found (deleted, or not in this account)"
                    : "no key found for " + keys.region();
            List<ControlResult> out = new ArrayList<>();
            out.add(ControlResult.fail(
                    Control.KEY_USABLE,
                    why,
                    "point the region at a key that exists (`cmek rotate --new-key`); a deleted key cannot come back"));
            for (Control c : List.of(
                    Control.KEY_ROTATION,
                    Control.KEY_RECOVERABLE,
                    Control.NO_PUBLIC_ACCESS,
                    Control.EXACT_GRANT,
                    Control.NO_ORPHAN_GRANTS)) {
                out.add(ControlResult.notApplicable(c, why));
            }
            return new VerifyReport.RegionControls(asked, out, null);
        }
        RegionalKeys.Live key = found.get();
        KeyArn arn = key.arn();
        CompletableFuture<List<ControlResult>> policy = parallel.async(() -> policyControls(keys, arn, role));
        CompletableFuture<RotationRead> rotation = parallel.async(() -> rotation(keys, key));
        CompletableFuture<ControlResult> orphans =
                parallel.async(() -> former.map(f -> new OrphanKeys(clients).check(keys, names, arn, f))
                        .orElse(ControlResult.notApplicable(
                                Control.NO_ORPHAN_GRANTS, "not looked for (the cluster's key history was not given)")));
        List<ControlResult> out = new ArrayList<>();
        out.add(usable(key));
        RotationRead r = Parallel.join(rotation, List.of(policy, orphans));
        out.add(r.control());
        out.add(RECOVERABLE);
        out.addAll(policy.join());
        out.add(orphans.join());
        return new VerifyReport.RegionControls(arn, out, r.newestKeyVersion());
    }

    /** KMS has no purge: every deletion waits 7 to 30 days and can be cancelled (key_usable reports one pending). */
    private static final ControlResult RECOVERABLE = ControlResult.notApplicable(
            Control.KEY_RECOVERABLE,
            "AWS KMS has no purge: a key scheduled for deletion waits 7 to 30 days and can be cancelled"
                    + " (https://docs.aws.amazon.com/kms/latest/developerguide/deleting-keys.html)");

    private static ControlResult usable(RegionalKeys.Live key) {
        var m = key.metadata();
        KeyState state = m.keyState();
        String arn = key.arn().value();
        if (state == KeyState.ENABLED) {
            return ControlResult.pass(Control.KEY_USABLE, "key " + arn + " is Enabled");
        }
        String evidence = "key " + arn + " is " + state
                + (m.deletionDate() != null ? " (deletion on " + m.deletionDate() + ")" : "");
        String fix = switch (state) {
            case PENDING_DELETION ->
                "aws kms cancel-key-deletion --key-id " + arn + " && aws kms enable-key --key-id " + arn
                        + " before the deletion date: after it the key, and every data key it wraps, are gone"
                        + " for good";
            case PENDING_REPLICA_DELETION ->
                "aws kms cancel-key-deletion --key-id " + arn + " --region "
                        + key.arn().region() + " before the deletion date";
            case DISABLED -> "aws kms enable-key --key-id " + arn;
            case PENDING_IMPORT ->
                "import its key material (aws kms import-key-material) or point the region at another key";
            case UNAVAILABLE -> "reconnect its custom key store (aws kms connect-custom-key-store)";
            default -> "wait until the key is Enabled, then run `cmek verify` again";
        };
        return ControlResult.fail(
                Control.KEY_USABLE,
                evidence + ": CockroachDB cannot use it, and the region fails once its nodes restart",
                fix);
    }

    private List<ControlResult> policyControls(RegionalKeys keys, KeyArn arn, RoleArn role) {
        PolicyDocument policy;
        try {
            policy = keys.policy(arn);
        } catch (CallFailedException e) {
            String why =
                    "cannot read the policy of key " + arn + ": " + e.getCause().getMessage();
            String fix = "allow kms:GetKeyPolicy on the key to the credentials cmek runs with";
            return List.of(
                    ControlResult.fail(Control.NO_PUBLIC_ACCESS, why, fix),
                    ControlResult.fail(Control.EXACT_GRANT, why, fix));
        }
        KeyPolicyGrant grant = new KeyPolicyGrant(request.names().grantSid(), role);
        List<String> open = grant.publicFindings(policy);
        List<String> inexact = grant.grantFindings(policy);
        return List.of(
                open.isEmpty()
                        ? ControlResult.pass(
                                Control.NO_PUBLIC_ACCESS,
                                "no statement allows a wildcard principal without a condition")
                        : ControlResult.fail(
                                Control.NO_PUBLIC_ACCESS,
                                open,
                                "remove the wildcard principal (or add a condition naming your account) in the key"
                                        + " policy of " + arn),
                inexact.isEmpty()
                        ? ControlResult.pass(
                                Control.EXACT_GRANT,
                                "statement " + grant.sid() + " grants exactly " + role + " "
                                        + String.join(" ", KeyPolicyGrant.ACTIONS))
                        : ControlResult.fail(
                                Control.EXACT_GRANT,
                                inexact,
                                "`cmek provision --aws-repair-drift` puts statement " + grant.sid()
                                        + " back; remove other statements granting the role yourself"));
    }

    private record RotationRead(ControlResult control, Instant newestKeyVersion) {}

    private RotationRead rotation(RegionalKeys keys, RegionalKeys.Live key) {
        CallFailedException statusFailure = null;
        var m = key.metadata();
        if (m.origin() != null && m.origin() != OriginType.AWS_KMS) {
            return new RotationRead(
                    ControlResult.notApplicable(
                            Control.KEY_ROTATION,
                            "key material of origin " + m.origin() + " cannot rotate automatically in KMS"),
                    null);
        }
        if (m.keyState() == KeyState.PENDING_DELETION || m.keyState() == KeyState.PENDING_REPLICA_DELETION) {
            return new RotationRead(ControlResult.notApplicable(Control.KEY_ROTATION, "key is " + m.keyState()), null);
        }
        // The newest material and the rotation status are independent reads: both at once.
        CompletableFuture<Instant> newestF = parallel.async(() -> newestMaterial(keys, key));
        RotationStatus status;
        try {
            status = keys.rotationStatus(key.arn());
        } catch (CallFailedException e) {
            status = null;
            statusFailure = e;
        }
        Instant newest = Parallel.get(newestF);
        String age = newest == null
                ? ""
                : "; newest key material from " + newest.toString().substring(0, 10) + " ("
                        + Duration.between(newest, Instant.now()).toDays() + " days old)";
        if (status == null) {
            CallFailedException e = statusFailure;
            return new RotationRead(
                    ControlResult.fail(
                            Control.KEY_ROTATION,
                            "cannot read the rotation status of key " + key.arn() + ": "
                                    + e.getCause().getMessage(),
                            "allow kms:GetKeyRotationStatus on the key to the credentials cmek runs with"),
                    newest);
        }
        if (status.enabled()) {
            return new RotationRead(ControlResult.pass(Control.KEY_ROTATION, status.describe() + age), newest);
        }
        KeyArn target = rotationTarget(key);
        return new RotationRead(
                ControlResult.fail(
                        Control.KEY_ROTATION,
                        "automatic rotation is off for key " + key.arn() + age,
                        "aws kms enable-key-rotation --key-id " + target + " --rotation-period-in-days "
                                + RotationPolicy.DEFAULT_DAYS + " --region " + target.region()
                                + (target.equals(key.arn()) ? "" : " (on the primary: replicas share it)")),
                newest);
    }

    /** A multi-Region key's material is its primary's. */
    private static KeyArn rotationTarget(RegionalKeys.Live key) {
        var conf = key.metadata().multiRegionConfiguration();
        return conf != null && conf.primaryKey() != null
                ? KeyArn.of(conf.primaryKey().arn())
                : key.arn();
    }

    private Instant newestMaterial(RegionalKeys keys, RegionalKeys.Live key) {
        KeyArn target = rotationTarget(key);
        try {
            if (target.equals(key.arn())) {
                return keys.newestMaterial(key);
            }
            RegionalKeys primaryKeys =
                    new RegionalKeys(clients, target.region(), request.names(), request.principalPropagationBound());
            return primaryKeys
                    .describe(target.value())
                    .map(primaryKeys::newestMaterial)
                    .orElse(null);
        } catch (CallFailedException e) {
            return null;
        }
    }
}
