package dev.cmek.azure;

import dev.cmek.core.Change;
import dev.cmek.core.Change.Action;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The role assignment that lets the cluster app's service principal use a key: Key Vault Crypto User on the key (or,
 * with the broader role, Crypto Officer on its vault), under the name cmek derives for its scope and role, written with
 * {@code principalType}. Read before written unless its scope was just made; the same grant under another name counts
 * as present.
 */
final class KeyGrant {
    private final RoleAssignments assignments;

    KeyGrant(RoleAssignments assignments) {
        this.assignments = assignments;
    }

    /**
     * The role assignment of the cluster app's service principal: read by its deterministic name first (unless its scope
     * was just made), written with {@code principalType}; the same grant under another name counts as present.
     */
    Change ensure(
            ProvisionRun run,
            String region,
            String scope,
            boolean scopeNew,
            Supplier<Optional<RoleAssignments.Assignment>> read) {
        AzureCmekRequest req = run.req;
        BuiltInRole role = req.role();
        String name = name(req, scope);
        String id = RoleAssignments.id(scope, name);
        Optional<ServicePrincipals.Principal> principal = run.principal();
        if (principal.isEmpty()) {
            return change(
                    AzureResource.ROLE_ASSIGNMENT,
                    id,
                    region,
                    Action.WOULD_CREATE,
                    role.roleName() + " for the service principal provision creates");
        }
        String principalId = principal.get().id();
        String wanted = role.roleName() + " for " + principalId;
        if (!scopeNew) {
            Optional<RoleAssignments.Assignment> found = read.get();
            if (found.isPresent()) {
                RoleAssignments.Assignment a = found.get();
                if (a.forPrincipal(principalId) && a.is(role)) {
                    return change(AzureResource.ROLE_ASSIGNMENT, id, region, Action.UNCHANGED, wanted);
                }
                String why = "our assignment name holds " + a.describe() + ", not " + wanted
                        + " (the service principal was made again?): delete it (az role assignment delete --ids " + id
                        + ") and run the same command again";
                if (run.apply) {
                    throw new AzureCmekException("role assignment " + id + ": " + why);
                }
                return change(AzureResource.ROLE_ASSIGNMENT, id, region, Action.BLOCKED, why);
            }
            if (!run.apply) {
                Optional<RoleAssignments.Assignment> other = assignments.forPrincipal(scope, principalId).stream()
                        .filter(a -> a.atScope(scope) && a.is(role))
                        .findFirst();
                return other.map(a -> change(
                                AzureResource.ROLE_ASSIGNMENT,
                                id,
                                region,
                                Action.UNCHANGED,
                                wanted + " (assigned as " + a.name() + ")"))
                        .orElseGet(
                                () -> change(AzureResource.ROLE_ASSIGNMENT, id, region, Action.WOULD_CREATE, wanted));
            }
        } else if (!run.apply) {
            return change(AzureResource.ROLE_ASSIGNMENT, id, region, Action.WOULD_CREATE, wanted);
        }
        run.awaitWritable();
        Duration bound = req.propagationBound();
        RoleAssignments.Written w = Propagation.PRINCIPAL.retry(
                bound,
                () -> assignments.create(
                        scope,
                        name,
                        role.definitionId(req.subscriptionId()),
                        principalId,
                        "cmek-toolkit: CockroachDB cluster " + req.clusterId() + " (" + region + ")"),
                e -> e instanceof RoleAssignments.PrincipalNotFound,
                e -> new PrincipalNotYetVisibleException(principalId, bound, e));
        return w == RoleAssignments.Written.CREATED
                ? change(AzureResource.ROLE_ASSIGNMENT, id, region, Action.CREATED, wanted)
                : change(
                        AzureResource.ROLE_ASSIGNMENT,
                        id,
                        region,
                        Action.UNCHANGED,
                        wanted + " (already assigned under another name: RoleAssignmentExists)");
    }

    /** The deterministic name of our assignment at {@code scope}. */
    static String name(AzureCmekRequest req, String scope) {
        return CmekNames.assignmentName(req.clusterId(), scope, req.role().id());
    }

    /** The assignment's scope: the key, or with the broader role the vault. */
    static String scope(AzureCmekRequest req, String vaultId, KeyUri key) {
        return req.broaderRole() ? vaultId : vaultId + "/keys/" + key.keyName();
    }

    private static Change change(AzureResource type, String resource, String region, Action action, String detail) {
        return new Change(type, resource, region, action, detail);
    }
}
