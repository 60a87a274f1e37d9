package dev.cmek.aws;

import dev.cmek.core.Change;
import dev.cmek.core.Parallel;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.EntityAlreadyExistsException;
import software.amazon.awssdk.services.iam.model.NoSuchEntityException;
import software.amazon.awssdk.services.iam.model.Role;
import software.amazon.awssdk.services.iam.model.Tag;

/** The cluster's cross-account IAM role: found by its derived name, proven ours by its tag, never given a permission policy. */
final class CrossAccountRole {
    private final IamClient iam;
    private final ResourceNames names;
    private final java.time.Duration propagationBound;
    private final java.util.SortedSet<String> regions;

    /** @param propagationBound how long a trust policy just written may read back stale (IAM is eventually consistent) */
    CrossAccountRole(IamClient iam, ResourceNames names, java.time.Duration propagationBound) {
        this(iam, names, propagationBound, java.util.List.of());
    }

    /** @param regions Regions provisioning serves: recorded in the role's tags, added to those already there */
    CrossAccountRole(
            IamClient iam,
            ResourceNames names,
            java.time.Duration propagationBound,
            java.util.Collection<String> regions) {
        this.iam = iam;
        this.names = names;
        this.propagationBound = propagationBound;
        this.regions = new java.util.TreeSet<>(regions);
    }

    record Live(RoleArn arn, Map<String, String> tags, PolicyDocument trust) {}

    record Outcome(RoleArn arn, Change change) {}

    Optional<Live> find() {
        try {
            Role r = AwsCall.run(
                    "iam:GetRole",
                    null,
                    () -> iam.getRole(b -> b.roleName(names.roleName())).role());
            Map<String, String> tags = r.tags().stream().collect(Collectors.toMap(Tag::key, Tag::value, (a, b) -> b));
            return Optional.of(new Live(RoleArn.of(r.arn()), tags, PolicyDocument.parse(r.assumeRolePolicyDocument())));
        } catch (CallFailedException e) {
            if (e.getCause() instanceof NoSuchEntityException) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /**
     * Applies, with the read {@code found} of the role still under way: a fresh provision's CreateRole need not wait for
     * the GetRole beside it. If that read has not answered once the trust policy is known, CreateRole goes at once, one
     * round trip where a read then a write took two. When IAM refuses it (the name is taken, or the caller may not
     * create roles but one exists), the read decides, as {@link #ensure(TrustPolicy, boolean, boolean, Optional,
     * CallerIdentity)} does; a refused CreateRole changes nothing. A read that has answered decides alone.
     */
    Outcome ensure(
            TrustPolicy trust,
            boolean repairDrift,
            java.util.concurrent.CompletableFuture<Optional<Live>> found,
            CallerIdentity caller) {
        if (found.isDone()) {
            return ensure(trust, repairDrift, true, Parallel.get(found), caller);
        }
        try {
            return create(trust);
        } catch (CallFailedException refused) {
            Optional<Live> live;
            try {
                live = Parallel.get(found);
                if (live.isEmpty() && refused.getCause() instanceof EntityAlreadyExistsException) {
                    // Made by someone else between our read and our write: read it again.
                    live = find();
                }
            } catch (RuntimeException readFailed) {
                refused.addSuppressed(readFailed);
                throw refused;
            }
            if (live.isEmpty()) {
                throw refused;
            }
            return ensure(trust, repairDrift, true, live, caller);
        }
    }

    /** Finds before it creates; a foreign role of our name is refused (apply) or reported (plan). */
    Outcome ensure(TrustPolicy trust, boolean repairDrift, boolean apply, Optional<Live> found, CallerIdentity caller) {
        String name = names.roleName();
        if (found.isEmpty()) {
            if (!apply) {
                return new Outcome(
                        RoleArn.of(caller.partition(), caller.account(), names.roleName()),
                        AwsResource.role(
                                name,
                                Change.Action.WOULD_CREATE,
                                "would create with trust " + trust.document().json()));
            }
            return create(trust);
        }
        Live live = found.get();
        if (!names.isOurs(live.tags())) {
            if (!apply) {
                return new Outcome(
                        live.arn(),
                        AwsResource.role(
                                name,
                                Change.Action.BLOCKED,
                                "exists without tag " + ResourceNames.CLUSTER_TAG + "=" + names.clusterId()
                                        + "; if it is the cluster's: `" + names.tagRoleCommand() + "`"));
            }
            throw new NotOursException(
                    AwsResource.ROLE,
                    name,
                    null,
                    "no tag " + ResourceNames.CLUSTER_TAG + "=" + names.clusterId(),
                    names.tagRoleCommand());
        }
        java.util.SortedSet<String> recorded = ResourceNames.regionsIn(live.tags());
        boolean regionsRecorded = recorded.containsAll(regions);
        if (!regionsRecorded && apply) {
            recordRegions(recorded);
        }
        String regionsNote = regionsRecorded
                ? ""
                : "; Regions " + String.join(" ", regions) + " recorded in tag " + ResourceNames.REGIONS_TAG;
        if (live.trust().sameAs(trust.document())) {
            return new Outcome(
                    live.arn(),
                    regionsRecorded
                            ? AwsResource.role(name, Change.Action.UNCHANGED, "trust policy as intended")
                            : AwsResource.role(
                                    name, Change.Action.updated(apply), "trust policy as intended" + regionsNote));
        }
        String drift = String.join("; ", trust.findings(live.trust()));
        if (!repairDrift) {
            return new Outcome(live.arn(), AwsResource.role(name, Change.Action.DRIFTED, drift + regionsNote));
        }
        if (apply) {
            writeTrust(trust.document());
        }
        return new Outcome(
                live.arn(),
                AwsResource.role(name, Change.Action.updated(apply), "trust policy repaired: " + drift + regionsNote));
    }

    /** Adds this run's Regions to the role's tag, keeping those already there (another run's, an earlier add-region). */
    private void recordRegions(java.util.SortedSet<String> recorded) {
        java.util.SortedSet<String> all = new java.util.TreeSet<>(recorded);
        all.addAll(regions);
        AwsCall.run(
                "iam:TagRole",
                null,
                () -> iam.tagRole(b -> b.roleName(names.roleName())
                        .tags(Tag.builder()
                                .key(ResourceNames.REGIONS_TAG)
                                .value(ResourceNames.regionsTag(all))
                                .build())));
    }

    private Outcome create(TrustPolicy trust) {
        Role r = AwsCall.run(
                "iam:CreateRole",
                null,
                () -> iam.createRole(b -> b.roleName(names.roleName())
                                .description(names.roleDescription())
                                .assumeRolePolicyDocument(trust.document().json())
                                .tags(names.roleTags(regions).entrySet().stream()
                                        .map(t -> Tag.builder()
                                                .key(t.getKey())
                                                .value(t.getValue())
                                                .build())
                                        .toList()))
                        .role());
        return new Outcome(
                RoleArn.of(r.arn()), AwsResource.role(names.roleName(), Change.Action.CREATED, "created " + r.arn()));
    }

    /**
     * Writes the trust policy and reads it back until consecutive reads agree (IAM changes "are not always immediately
     * visible": https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_general.html#troubleshoot_general_eventual-consistency);
     * fails if IAM still holds something else after the propagation bound.
     */
    PolicyDocument writeTrust(PolicyDocument trust) {
        AwsCall.run(
                "iam:UpdateAssumeRolePolicy",
                null,
                () -> iam.updateAssumeRolePolicy(
                        b -> b.roleName(names.roleName()).policyDocument(trust.json())));
        PolicyDocument back = EventualConsistency.untilConsistent(
                        propagationBound,
                        () -> find().orElseThrow(() -> new AwsCmekException("role " + names.roleName()
                                + " vanished while its trust policy was being written; run `cmek provision` to make"
                                + " it again")),
                        live -> live.trust().sameAs(trust))
                .trust();
        if (!back.sameAs(trust)) {
            throw new ReadBackMismatchException("role " + names.roleName(), trust.json(), back.json());
        }
        return back;
    }

    Optional<PolicyDocument> inlinePolicy(String name) {
        try {
            String doc = AwsCall.run(
                    "iam:GetRolePolicy",
                    null,
                    () -> iam.getRolePolicy(b -> b.roleName(names.roleName()).policyName(name))
                            .policyDocument());
            return Optional.of(PolicyDocument.parse(doc));
        } catch (CallFailedException e) {
            if (e.getCause() instanceof NoSuchEntityException) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** Removes only the session-deny policy revoke itself added, to undo that revocation. */
    void deleteRevocationPolicy() {
        AwsCall.run(
                "iam:DeleteRolePolicy",
                null,
                () -> iam.deleteRolePolicy(
                        b -> b.roleName(names.roleName()).policyName(ResourceNames.REVOKE_SESSIONS_POLICY)));
    }
}
