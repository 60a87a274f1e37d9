package dev.cmek.azure;

import dev.cmek.core.Change;
import dev.cmek.core.Change.Action;
import dev.cmek.core.Parallel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Restore after a revocation: once {@link RecordCheck} found every intent to be this toolkit's own, it writes back each
 * role assignment the intents say was removed, under the same name, and then turns the principal's sign-in on again.
 * What it cannot put back is said, not thrown.
 */
final class Restoration {
    private final ServicePrincipals principals;
    private final Vaults vaults;
    private final RoleAssignments assignments;

    Restoration(ServicePrincipals principals, Vaults vaults, RoleAssignments assignments) {
        this.principals = principals;
        this.vaults = vaults;
        this.assignments = assignments;
    }

    RestoreResult restore(RestoreRequest req) {
        RecordCheck.Checked checked = new RecordCheck(req, principals, vaults).check();
        // A record appended over several runs may name a document more than once.
        Map<String, RevocationRecord.Intent> byResource = new LinkedHashMap<>();
        req.intents().forEach(i -> byResource.putIfAbsent(i.resource().toLowerCase(Locale.ROOT), i));
        List<String> couldNot = Collections.synchronizedList(new ArrayList<>());
        List<Supplier<Optional<Change>>> puts = new ArrayList<>();
        RevocationRecord.Intent signIn = null;
        for (RevocationRecord.Intent i : byResource.values()) {
            if (i.document() == RevocationRecord.Document.SERVICE_PRINCIPAL) {
                signIn = i;
            } else {
                puts.add(() -> putBack(req, i, couldNot));
            }
        }
        List<Change> changes = new ArrayList<>();
        Parallel.all(puts).forEach(c -> c.ifPresent(changes::add));
        if (signIn != null) {
            enable(signIn, couldNot).ifPresent(changes::add);
        }
        List<String> warnings = new ArrayList<>(checked.warnings());
        if (req.intents().isEmpty()) {
            warnings.add("the record holds nothing that was removed");
        }
        return new RestoreResult(changes, couldNot, warnings);
    }

    private Optional<Change> putBack(RestoreRequest req, RevocationRecord.Intent i, List<String> couldNot) {
        RevocationRecord.Assignment a = i.assignment();
        String what = BuiltInRole.describe(a.roleDefinitionId()) + " for " + a.principalId() + " at " + a.scope();
        try {
            RoleAssignments.Written w = assignments.create(
                    a.scope(),
                    a.name(),
                    a.roleDefinitionId(),
                    a.principalId(),
                    "cmek-toolkit: CockroachDB cluster " + req.clusterId() + " (restored)");
            return Optional.of(new Change(
                    AzureResource.ROLE_ASSIGNMENT,
                    i.resource(),
                    i.region(),
                    w == RoleAssignments.Written.CREATED ? Action.CREATED : Action.UNCHANGED,
                    (w == RoleAssignments.Written.CREATED ? "put back " : "already there: ") + what));
        } catch (AzureCmekException | RoleAssignments.PrincipalNotFound e) {
            couldNot.add(what + " (" + i.resource() + "): " + e.getMessage());
            return Optional.empty();
        }
    }

    private Optional<Change> enable(RevocationRecord.Intent i, List<String> couldNot) {
        RevocationRecord.SignIn s = i.signIn();
        try {
            Optional<ServicePrincipals.Principal> p = principals.find(s.appId());
            if (p.isEmpty()) {
                couldNot.add("the sign-in of app " + s.appId() + ": its service principal no longer exists; an"
                        + " administrator consents again at "
                        + ConsentRequiredException.consentUrl(s.tenantId(), s.appId()));
                return Optional.empty();
            }
            boolean off = !p.get().accountEnabled();
            if (off) {
                principals.setAccountEnabled(p.get(), true);
            }
            return Optional.of(new Change(
                    AzureResource.SERVICE_PRINCIPAL,
                    i.resource(),
                    null,
                    off ? Action.UPDATED : Action.UNCHANGED,
                    p.get().describe() + (off ? ": sign-in enabled" : ": sign-in already enabled")));
        } catch (AzureCmekException e) {
            couldNot.add("the sign-in of " + i.resource() + ": " + e.getMessage());
            return Optional.empty();
        }
    }
}
