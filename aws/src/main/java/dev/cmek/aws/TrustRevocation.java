package dev.cmek.aws;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cmek.core.Fate;
import dev.cmek.core.RevocationLedger;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.services.iam.IamClient;

/**
 * The master switch of an AWS revocation: the cluster account's trust on our role, which cuts every key at once. It is
 * read, its intent kept and written first, on its own; {@code switched} runs once that write has ended (or once there
 * is nothing to write), and only then do the keys' writes begin. With {@code --immediate} the role then gets an inline
 * deny for sessions issued before a cutoff taken once the trust write succeeded.
 */
final class TrustRevocation {
    private final IamClient iam;
    private final RevocationRequest request;
    private final ResourceNames names;
    private final RevocationLedger<RevocationRecord.Intent> ledger;
    private final Clock clock;
    private final Runnable switched;

    TrustRevocation(
            IamClient iam,
            RevocationRequest request,
            RevocationLedger<RevocationRecord.Intent> ledger,
            Clock clock,
            Runnable switched) {
        this.iam = iam;
        this.request = request;
        this.names = request.names();
        this.ledger = ledger;
        this.clock = clock;
        this.switched = switched;
    }

    void run() {
        try {
            revoke();
        } finally {
            switched.run();
        }
    }

    private void revoke() {
        String role = names.roleName();
        CrossAccountRole roles = new CrossAccountRole(iam, names, request.propagationBound());
        Optional<CrossAccountRole.Live> found;
        try {
            found = roles.find();
        } catch (CallFailedException e) {
            left(
                    role,
                    "cannot read role " + role + ": " + CallFailedException.reason(e) + "; "
                            + CallFailedException.whatToDo(e, "iam:GetRole"));
            return;
        }
        if (found.isEmpty()) {
            ledger.note("role " + role + " does not exist: nothing can assume it, so there is no trust to remove");
            ledger.outcome(RevocationRecord.Document.TRUST, role, null, Fate.ALREADY_ABSENT, "role does not exist");
            return;
        }
        CrossAccountRole.Live live = found.get();
        PolicyDocument before = live.trust();
        PolicyDocument after = request.trustedAccount().isPresent()
                ? new TrustPolicy(
                                request.trustedAccount().get(),
                                request.externalId().orElse(null),
                                live.arn().partition())
                        .revoked(before, names.trustDenySid())
                : TrustPolicy.revokedEveryAllow(before, names.trustDenySid());
        List<String> removed = PolicyDocument.difference(before, after);
        boolean grants =
                before.statements().stream().anyMatch(s -> TrustPolicy.isAllow(s) && removed.contains(s.toString()));
        if (!names.isOurs(live.tags())) {
            if (grants) {
                left(
                        role,
                        "role " + live.arn() + " is not tagged " + ResourceNames.CLUSTER_TAG + "=" + names.clusterId()
                                + ", so it was left untouched, and its trust still allows "
                                + principals(before, removed)
                                + " to assume it; if the role is yours, remove those statements (aws iam"
                                + " update-assume-role-policy --role-name " + role + ")");
            } else {
                ledger.note("role " + role + " is not tagged as ours and does not trust the cluster: left untouched");
                ledger.outcome(
                        RevocationRecord.Document.TRUST,
                        role,
                        null,
                        Fate.ALREADY_ABSENT,
                        "not ours, and trusts no one to remove");
            }
            return;
        }
        if (!grants) {
            ledger.outcome(
                    RevocationRecord.Document.TRUST, role, null, Fate.ALREADY_ABSENT, "the trust was already revoked");
            switched.run();
            denyOlderSessions(live);
            return;
        }
        if (request.dryRun()) {
            ledger.outcome(
                    RevocationRecord.Document.TRUST,
                    role,
                    null,
                    Fate.WOULD_REMOVE,
                    "would remove the trust of " + principals(before, removed) + " in role " + live.arn()
                            + " (and add an explicit Deny for them)");
            denyOlderSessions(live);
            return;
        }
        ledger.intent(new RevocationRecord.Intent(
                RevocationRecord.Document.TRUST,
                role,
                null,
                live.arn(),
                before.json(),
                after.json(),
                removed,
                PolicyDocument.difference(after, before),
                clock.instant()));
        try {
            AwsCall.run(
                    "iam:UpdateAssumeRolePolicy",
                    null,
                    () -> iam.updateAssumeRolePolicy(b -> b.roleName(role).policyDocument(after.json())));
        } catch (CallFailedException e) {
            boolean inPlace = removedInPlace(roles, before, removed);
            switched.run();
            if (!inPlace) {
                left(
                        role,
                        "cannot write the trust of role " + role + ": " + CallFailedException.reason(e) + "; "
                                + CallFailedException.whatToDo(e, "iam:UpdateAssumeRolePolicy"));
                return;
            }
        }
        switched.run();
        if (!readsBackRemoved(roles, before, removed)) {
            left(
                    role,
                    "its trust was written, but still allows " + principals(before, removed) + " after "
                            + request.propagationBound().toSeconds()
                            + "s: someone else is writing it; re-run with the same"
                            + " --evidence");
            return;
        }
        ledger.outcome(
                RevocationRecord.Document.TRUST,
                role,
                null,
                Fate.REMOVED,
                "no longer trusts " + principals(before, removed));
        denyOlderSessions(live);
    }

    /**
     * Reads the trust back until consecutive reads agree the statements are gone (IAM is eventually consistent:
     * https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_general.html#troubleshoot_general_eventual-consistency);
     * the cutoff for older sessions is taken only after that. A read that fails does not undo the write that succeeded.
     */
    private boolean readsBackRemoved(CrossAccountRole roles, PolicyDocument before, List<String> removed) {
        try {
            return EventualConsistency.untilConsistent(
                    request.propagationBound(), () -> removedInPlace(roles, before, removed), ok -> ok);
        } catch (CallFailedException e) {
            return true;
        }
    }

    /** After a failed write: whether a fresh read shows every statement we meant to remove gone (a lost reply). */
    private static boolean removedInPlace(CrossAccountRole roles, PolicyDocument before, List<String> removed) {
        List<ObjectNode> gone = before.statements().stream()
                .filter(b -> removed.contains(b.toString()))
                .toList();
        try {
            return roles.find()
                    .map(l -> l.trust().statements().stream()
                            .noneMatch(s -> gone.stream().anyMatch(g -> PolicyDocument.sameStatement(g, s))))
                    .orElse(false);
        } catch (CallFailedException e) {
            return false;
        }
    }

    /**
     * {@code --immediate}: denies every session issued before a cutoff taken now that the trust is cut, plus a margin
     * for clock skew and propagation ({@link TrustPolicy#SESSION_CUTOFF_MARGIN}).
     */
    private void denyOlderSessions(CrossAccountRole.Live live) {
        if (!request.denyOlderSessions()) {
            return;
        }
        String role = names.roleName();
        if (request.dryRun()) {
            ledger.outcome(
                    RevocationRecord.Document.SESSION_DENY,
                    role,
                    null,
                    Fate.WOULD_REMOVE,
                    "would deny the role's sessions issued before the cutoff (inline policy "
                            + ResourceNames.REVOKE_SESSIONS_POLICY + ")");
            return;
        }
        Instant cutoff = TrustPolicy.sessionCutoff(clock.instant());
        PolicyDocument deny = TrustPolicy.denySessionsIssuedBefore(cutoff);
        ledger.intent(new RevocationRecord.Intent(
                RevocationRecord.Document.SESSION_DENY,
                role,
                null,
                live.arn(),
                null,
                deny.json(),
                List.of(),
                deny.statements().stream().map(ObjectNode::toString).toList(),
                clock.instant()));
        try {
            AwsCall.run(
                    "iam:PutRolePolicy",
                    null,
                    () -> iam.putRolePolicy(b -> b.roleName(role)
                            .policyName(ResourceNames.REVOKE_SESSIONS_POLICY)
                            .policyDocument(deny.json())));
        } catch (CallFailedException e) {
            boolean inPlace;
            try {
                inPlace = new CrossAccountRole(iam, names, request.propagationBound())
                        .inlinePolicy(ResourceNames.REVOKE_SESSIONS_POLICY)
                        .map(p -> p.sameAs(deny))
                        .orElse(false);
            } catch (CallFailedException again) {
                inPlace = false;
            }
            if (!inPlace) {
                ledger.outcome(
                        RevocationRecord.Document.SESSION_DENY,
                        role,
                        null,
                        Fate.LEFT,
                        "cannot deny the role's older sessions (inline policy " + ResourceNames.REVOKE_SESSIONS_POLICY
                                + "): " + CallFailedException.reason(e) + "; sessions already issued last until they"
                                + " expire (at most 12 hours); "
                                + CallFailedException.whatToDo(e, "iam:PutRolePolicy"));
                return;
            }
        }
        ledger.outcome(
                RevocationRecord.Document.SESSION_DENY,
                role,
                null,
                Fate.REMOVED,
                "sessions issued before " + cutoff + " denied");
    }

    private void left(String role, String detail) {
        ledger.outcome(RevocationRecord.Document.TRUST, role, null, Fate.LEFT, detail);
    }

    private static String principals(PolicyDocument before, List<String> removed) {
        List<String> out = before.statements().stream()
                .filter(s -> TrustPolicy.isAllow(s) && removed.contains(s.toString()))
                .flatMap(s -> PolicyDocument.values(s.path("Principal").get("AWS")).stream())
                .distinct()
                .toList();
        return out.isEmpty() ? "its principals" : String.join(", ", out);
    }
}
