package dev.cmek.aws;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cmek.core.Change;
import java.util.Optional;
import software.amazon.awssdk.regions.Region;

/** Ensures the cluster's grant statement on live key policies: read-modify-write that keeps every other statement. */
final class KeyPolicyGrants {
    private final AwsCmekRequest request;

    KeyPolicyGrants(AwsCmekRequest request) {
        this.request = request;
    }

    /** Adds our statement (or repairs it when asked), keeping every other statement as it is. */
    Change ensure(RegionalKeys keys, RegionalKeys.Live key, RoleArn role, boolean apply) {
        return ensure(keys, key, role, keys.policy(key.arn()), apply);
    }

    /** {@link #ensure} from the key's policy as just read (a key this run made: the read that first found it). */
    Change ensure(RegionalKeys keys, RegionalKeys.Live key, RoleArn role, PolicyDocument current, boolean apply) {
        Region region = keys.region();
        KeyPolicyGrant grant = new KeyPolicyGrant(request.names().grantSid(), role);
        PolicyDocument target = grant.mergeInto(current);
        if (target.sameAs(current)) {
            return AwsResource.keyPolicy(
                    key.arn().value(), region.id(), Change.Action.UNCHANGED, "grant to " + role + " as intended");
        }
        Optional<ObjectNode> ours = current.statement(grant.sid());
        if (ours.isPresent() && !request.repairDrift()) {
            return AwsResource.keyPolicy(
                    key.arn().value(), region.id(), Change.Action.DRIFTED, String.join("; ", grant.findings(current)));
        }
        if (apply) {
            keys.writePolicy(key.arn(), target, role.value());
        }
        return AwsResource.keyPolicy(
                key.arn().value(),
                region.id(),
                Change.Action.updated(apply),
                ours.isPresent() ? "grant statement repaired" : "grant to " + role + " added");
    }
}
