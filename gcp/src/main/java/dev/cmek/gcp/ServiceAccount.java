package dev.cmek.gcp;

import static com.google.api.gax.rpc.StatusCode.Code.ALREADY_EXISTS;
import static com.google.api.gax.rpc.StatusCode.Code.NOT_FOUND;

import com.google.api.gax.rpc.ApiException;
import com.google.cloud.iam.admin.v1.IAMClient;
import com.google.iam.admin.v1.CreateServiceAccountRequest;
import com.google.iam.admin.v1.DisableServiceAccountRequest;
import com.google.iam.admin.v1.EnableServiceAccountRequest;
import com.google.iam.admin.v1.GetServiceAccountRequest;
import com.google.iam.v1.GetIamPolicyRequest;
import com.google.iam.v1.GetPolicyOptions;
import com.google.iam.v1.Policy;
import dev.cmek.core.Change;
import dev.cmek.core.Change.Action;
import java.util.Optional;

/**
 * The per-cluster service account CockroachDB impersonates: finds or creates it (never adopting one without our mark),
 * grants CockroachDB's identity token creator on it, disables and enables it. It is never deleted.
 */
final class ServiceAccount {
    /** IAM policy version asked for on reads, so conditional bindings others added survive our writes. */
    static final int POLICY_VERSION = 3;

    private final GcpClients clients;

    ServiceAccount(GcpClients clients) {
        this.clients = clients;
    }

    /** The account as IAM shows it, or empty when IAM answers NOT_FOUND. */
    Optional<com.google.iam.admin.v1.ServiceAccount> find(ServiceAccountEmail sa) {
        try {
            return Optional.of(GoogleCall.call(
                    "getServiceAccount",
                    sa,
                    () -> iam().getServiceAccount(GetServiceAccountRequest.newBuilder()
                            .setName(sa.resourceName())
                            .build()),
                    NOT_FOUND));
        } catch (ApiException notFound) {
            return Optional.empty();
        }
    }

    /**
     * Our account for the request: created when {@code apply} and missing (plan: WOULD_CREATE); one with our name but
     * without our mark is BLOCKED in a plan and {@link NotOursException} when applying.
     */
    Change ensure(GcpCmekRequest req, boolean apply) {
        ServiceAccountEmail sa = req.serviceAccountEmail();
        Optional<com.google.iam.admin.v1.ServiceAccount> seen = Optional.empty();
        if (apply) {
            try {
                GoogleCall.call(
                        "createServiceAccount",
                        sa,
                        () -> iam().createServiceAccount(CreateServiceAccountRequest.newBuilder()
                                .setName("projects/" + req.customerProject())
                                .setAccountId(sa.accountId())
                                .setServiceAccount(com.google.iam.admin.v1.ServiceAccount.newBuilder()
                                        .setDisplayName(CmekNames.serviceAccountDisplayName(req.clusterId()))
                                        .setDescription(CmekNames.serviceAccountDescription(req.clusterId())))
                                .build()),
                        ALREADY_EXISTS);
                awaitVisible(sa, new Propagation(req.propagationBound()));
                return GcpResource.account(GcpResource.SERVICE_ACCOUNT, sa.value(), Action.CREATED, "");
            } catch (ApiException alreadyExists) {
                // Ours from an earlier run (maybe one whose reply was lost, so not visible yet), or someone else's.
                seen = Optional.of(awaitVisible(sa, new Propagation(req.propagationBound())));
            }
        }
        Optional<com.google.iam.admin.v1.ServiceAccount> found = seen.isPresent() ? seen : find(sa);
        if (found.isEmpty()) {
            if (apply) {
                throw new GcpCmekException("Service account " + sa
                        + " was reported as existing but cannot be read; run the same command again.");
            }
            return GcpResource.account(GcpResource.SERVICE_ACCOUNT, sa.value(), Action.WOULD_CREATE, "");
        }
        String mark = CmekNames.serviceAccountMark(req.clusterId());
        if (!found.get().getDescription().contains(mark)) {
            if (apply) {
                throw new NotOursException(sa.value(), "description containing " + mark);
            }
            return GcpResource.account(
                    GcpResource.SERVICE_ACCOUNT, sa.value(), Action.BLOCKED, "exists without our mark");
        }
        return GcpResource.account(
                GcpResource.SERVICE_ACCOUNT,
                sa.value(),
                Action.UNCHANGED,
                found.get().getDisabled() ? "disabled (left as is; restore enables it)" : "");
    }

    /**
     * Lets CockroachDB's identity create tokens for the account. {@code exists}: whether the account exists (in a
     * plan it may not yet, and then the grant would simply be added).
     */
    Change grantTokenCreator(GcpCmekRequest req, boolean apply, boolean exists) {
        ServiceAccountEmail sa = req.serviceAccountEmail();
        Grant grant = req.tokenCreatorGrant();
        if (!apply) {
            boolean has = exists && PolicyBindings.has(readPolicy(sa), grant);
            // The policy of an account still to be made is made with it: created, not updated.
            return GcpResource.account(
                    GcpResource.SERVICE_ACCOUNT_POLICY,
                    sa.value(),
                    has ? Action.UNCHANGED : exists ? Action.WOULD_UPDATE : Action.WOULD_CREATE,
                    (has ? "has " : "add ") + grant);
        }
        PolicyEdit.Outcome o = grant(sa, grant, req.maxPolicyAttempts(), new Propagation(req.propagationBound()));
        return GcpResource.account(
                GcpResource.SERVICE_ACCOUNT_POLICY,
                sa.value(),
                o.changed() ? Action.UPDATED : Action.UNCHANGED,
                (o.changed() ? "added " : "has ") + grant);
    }

    /** Disables the account (reversible); false when it already was. */
    boolean disable(ServiceAccountEmail sa) {
        com.google.iam.admin.v1.ServiceAccount found = find(sa).orElseThrow(
                        () -> new GcpCmekException("Service account " + sa
                                + " not found, so it cannot be disabled; check --gcp-project and the cluster id."));
        boolean disabledNow = false;
        if (!found.getDisabled()) {
            GoogleCall.run(
                    "disableServiceAccount",
                    sa,
                    () -> iam().disableServiceAccount(DisableServiceAccountRequest.newBuilder()
                            .setName(sa.resourceName())
                            .build()));
            disabledNow = true;
        }
        if (!find(sa).map(com.google.iam.admin.v1.ServiceAccount::getDisabled).orElse(false)) {
            throw new GcpCmekException(
                    "Service account " + sa + " still reads as enabled after disabling it; check it in the console.");
        }
        return disabledNow;
    }

    /** Enables the account again and checks that it reads as enabled. */
    void enable(ServiceAccountEmail sa) {
        GoogleCall.run(
                "enableServiceAccount",
                sa,
                () -> iam().enableServiceAccount(EnableServiceAccountRequest.newBuilder()
                        .setName(sa.resourceName())
                        .build()));
        if (find(sa).map(com.google.iam.admin.v1.ServiceAccount::getDisabled).orElse(true)) {
            throw new GcpCmekException(
                    "Service account " + sa + " does not read as enabled after enabling it; check it in the console.");
        }
    }

    Policy readPolicy(ServiceAccountEmail sa) {
        return GoogleCall.call("getIamPolicy", sa, () -> iam().getIamPolicy(policyRead(sa.resourceName())));
    }

    /** Polls the new account until IAM shows it, within the propagation bound. */
    private com.google.iam.admin.v1.ServiceAccount awaitVisible(ServiceAccountEmail sa, Propagation propagation) {
        try {
            return propagation.retry(
                    sa.value(),
                    Propagation.ACCOUNT_NOT_VISIBLE,
                    () -> iam().getServiceAccount(GetServiceAccountRequest.newBuilder()
                            .setName(sa.resourceName())
                            .build()));
        } catch (ApiException e) {
            throw CallFailedException.of("getServiceAccount", sa.value(), e);
        }
    }

    /**
     * Makes the account's policy hold the grant.
     *
     * @param propagation while provisioning, retries while the new account is not yet visible; else null
     */
    PolicyEdit.Outcome grant(ServiceAccountEmail sa, Grant grant, int attempts, Propagation propagation) {
        return new PolicyEdit(policy(sa), attempts, propagation, Propagation.ACCOUNT_NOT_VISIBLE)
                .apply(PolicyEdit.Edit.granting(grant));
    }

    /** Where the account's own policy lives. */
    PolicyEdit.Holder policy(ServiceAccountEmail sa) {
        IAMClient iam = iam();
        return PolicyEdit.Holder.of(sa.value(), sa.resourceName(), iam::getIamPolicy, iam::setIamPolicy);
    }

    static GetIamPolicyRequest policyRead(String resource) {
        return GetIamPolicyRequest.newBuilder()
                .setResource(resource)
                .setOptions(GetPolicyOptions.newBuilder().setRequestedPolicyVersion(POLICY_VERSION))
                .build();
    }

    private IAMClient iam() {
        return clients.iam();
    }
}
