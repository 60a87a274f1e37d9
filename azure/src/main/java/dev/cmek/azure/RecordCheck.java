package dev.cmek.azure;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Restore trusts nothing it did not write. Before anything is written, every intent must be for this cluster's tenant
 * and subscription, and exactly one of the shapes this toolkit writes: the sign-in of the cluster app's service
 * principal, or that principal's Key Vault Crypto User on a key (Crypto Officer on a vault only when the request
 * allows the broader role). Then, reading only: the principal must be the cluster app's, and each vault exist and be
 * ours for the cluster or hold a key in use. The first entry that is not is named in an {@link UntrustedRecordException}.
 */
final class RecordCheck {
    /** The record's principal, the cluster app, and what was noticed. */
    record Checked(Optional<String> principalId, Optional<String> appId, List<String> warnings) {}

    private static final Pattern SCOPE = Pattern.compile(
            "/subscriptions/([^/]+)/resourceGroups/([^/]+)/providers/Microsoft\\.KeyVault/vaults/([^/]+)(?:/keys/([^/]+))?",
            Pattern.CASE_INSENSITIVE);

    private final RestoreRequest request;
    private final ServicePrincipals principals;
    private final Vaults vaults;

    RecordCheck(RestoreRequest request, ServicePrincipals principals, Vaults vaults) {
        this.request = request;
        this.principals = principals;
        this.vaults = vaults;
    }

    Checked check() {
        List<String> warnings = new ArrayList<>();
        String principalId = null;
        String appId = request.clusterAppId().orElse(null);
        List<Matcher> scopes = new ArrayList<>();
        for (int i = 0; i < request.intents().size(); i++) {
            RevocationRecord.Intent intent = request.intents().get(i);
            String entry = "intent " + (i + 1) + " ("
                    + (intent == null ? "null" : intent.document() + " " + intent.resource()) + ")";
            if (intent == null || intent.document() == null || intent.resource() == null) {
                throw refuse(entry, "it lacks its document kind or resource");
            }
            switch (intent.document()) {
                case SERVICE_PRINCIPAL -> {
                    RevocationRecord.SignIn s = intent.signIn();
                    if (s == null || intent.assignment() != null) {
                        throw refuse(entry, "a sign-in intent carries its principal and nothing else");
                    }
                    // A record names no tenant when revoke could not read the subscription's; the principal is then
                    // held to the cluster app's in the tenant restore writes in (checkPrincipal).
                    if (s.tenantId() != null && !request.tenantId().equalsIgnoreCase(s.tenantId())) {
                        throw refuse(entry, "it is for tenant " + s.tenantId() + ", not " + request.tenantId());
                    }
                    if (!Guid.is(s.servicePrincipalId()) || !Guid.is(s.appId())) {
                        throw refuse(entry, "its principal or app id is not a GUID");
                    }
                    if (!intent.resource().equalsIgnoreCase("servicePrincipals/" + s.servicePrincipalId())) {
                        throw refuse(entry, "its resource is not its principal");
                    }
                    if (!s.accountEnabledBefore()) {
                        throw refuse(entry, "the principal's sign-in was off before: there is nothing to turn on");
                    }
                    if (appId == null) {
                        appId = s.appId().toLowerCase(Locale.ROOT);
                    } else if (!appId.equalsIgnoreCase(s.appId())) {
                        throw refuse(entry, "it is for app " + s.appId() + ", not the cluster's app " + appId);
                    }
                    principalId = samePrincipal(entry, principalId, s.servicePrincipalId());
                }
                case ROLE_ASSIGNMENT -> {
                    RevocationRecord.Assignment a = intent.assignment();
                    if (a == null || intent.signIn() != null) {
                        throw refuse(entry, "an assignment intent carries its assignment and nothing else");
                    }
                    scopes.add(checkAssignment(entry, intent, a));
                    principalId = samePrincipal(entry, principalId, a.principalId());
                }
            }
        }
        if (principalId != null) {
            checkPrincipal(principalId, appId, warnings);
        }
        checkVaults(scopes);
        if (request.clusterAppId().isEmpty() && appId != null) {
            warnings.add("the cluster app " + appId + " is the record's own (the Cloud API was not read); its"
                    + " principal's name and owner tenant were checked: check it with `cmek verify`");
        }
        return new Checked(Optional.ofNullable(principalId), Optional.ofNullable(appId), List.copyOf(warnings));
    }

    private Matcher checkAssignment(String entry, RevocationRecord.Intent intent, RevocationRecord.Assignment a) {
        if (!Guid.is(a.name())) {
            throw refuse(entry, "its assignment name is not a GUID");
        }
        if (!Guid.is(a.principalId()) || !RoleAssignments.SERVICE_PRINCIPAL.equals(a.principalType())) {
            throw refuse(entry, "it is not for a service principal");
        }
        Matcher m = SCOPE.matcher(String.valueOf(a.scope()));
        if (!m.matches()) {
            throw refuse(entry, "its scope " + a.scope() + " is neither a Key Vault key nor a vault");
        }
        if (!m.group(1).equalsIgnoreCase(request.subscriptionId())) {
            throw refuse(entry, "it is in subscription " + m.group(1) + ", not " + request.subscriptionId());
        }
        boolean key = m.group(4) != null;
        if (!key && !request.vaultCryptoOfficer()) {
            throw refuse(
                    entry,
                    "it would put back " + BuiltInRole.describe(String.valueOf(a.roleDefinitionId()))
                            + " on the whole vault " + m.group(3)
                            + ", broader than the Crypto User on a key cmek grants"
                            + " by default: if the cluster was provisioned with --azure-crypto-officer, restore with it");
        }
        BuiltInRole wanted = key ? BuiltInRole.KEY_VAULT_CRYPTO_USER : BuiltInRole.KEY_VAULT_CRYPTO_OFFICER;
        if (!wanted.definitionId(request.subscriptionId()).equalsIgnoreCase(String.valueOf(a.roleDefinitionId()))) {
            throw refuse(
                    entry,
                    "it would grant " + BuiltInRole.describe(String.valueOf(a.roleDefinitionId())) + " on a "
                            + (key ? "key" : "vault") + ", and cmek grants only " + wanted.roleName() + " there");
        }
        if (!intent.resource().equalsIgnoreCase(RoleAssignments.id(a.scope(), a.name()))) {
            throw refuse(entry, "its resource is not the assignment it describes");
        }
        return m;
    }

    private static String samePrincipal(String entry, String known, String next) {
        if (known != null && !known.equalsIgnoreCase(next)) {
            throw refuse(entry, "it names principal " + next + ", and the record's other intents " + known);
        }
        return next.toLowerCase(Locale.ROOT);
    }

    /**
     * The principal must be the cluster app's: by the app id the Cloud API gave; else (the app id is the record's own,
     * or there is none) by what only CockroachDB's app for the cluster has: the name CockroachDB gives it
     * ("CockroachDB Cloud - <cluster id>", managing-cmek.md) and an owner tenant other than the customer's (a
     * multi-tenant app registered by CockroachDB, https://learn.microsoft.com/graph/api/resources/serviceprincipal).
     */
    private void checkPrincipal(String principalId, String appId, List<String> warnings) {
        Optional<ServicePrincipals.Principal> p;
        if (appId != null) {
            p = principals.find(appId);
            if (p.isEmpty()) {
                warnings.add("app " + appId + " has no service principal in the tenant any more: the assignments cannot"
                        + " be put back until an administrator consents again");
                return;
            }
            if (!p.get().id().equalsIgnoreCase(principalId)) {
                throw refuse(
                        "the record",
                        "its principal " + principalId + " is not the service principal of the cluster's app " + appId
                                + " (" + p.get().id() + "; made again since?): run `cmek provision` instead");
            }
        } else {
            p = principals.findById(principalId);
        }
        if (request.clusterAppId().isPresent()) {
            return;
        }
        String name = "CockroachDB Cloud - " + request.clusterId();
        boolean cockroachs = p.isPresent()
                && name.equalsIgnoreCase(p.get().displayName())
                && p.get().appOwnerOrganizationId() != null
                && !p.get().appOwnerOrganizationId().equalsIgnoreCase(request.tenantId());
        if (!cockroachs) {
            throw refuse(
                    "the record",
                    "without the cluster's app id from the Cloud API, its principal " + principalId + " must be"
                            + " CockroachDB's app for the cluster (\"" + name + "\", registered outside your tenant),"
                            + " and it is "
                            + p.map(x -> "\"" + x.displayName() + "\" of tenant " + x.appOwnerOrganizationId())
                                    .orElse("not found"));
        }
    }

    /** Each vault must exist, and be ours for the cluster or hold a key in use named by the assignment. */
    private void checkVaults(List<Matcher> scopes) {
        Map<String, Optional<Vaults.Vault>> read = new HashMap<>();
        for (Matcher m : scopes) {
            String vault = m.group(3).toLowerCase(Locale.ROOT);
            Optional<Vaults.Vault> v = read.computeIfAbsent(
                    m.group(2).toLowerCase(Locale.ROOT) + "/" + vault,
                    k -> vaults.find(request.subscriptionId(), m.group(2), m.group(3)));
            if (v.isEmpty()) {
                throw refuse(
                        "the record",
                        "vault " + m.group(3) + " is not in resource group " + m.group(2) + " of subscription "
                                + request.subscriptionId()
                                + " (deleted or moved since?), so its grant cannot be put back");
            }
            if (CmekNames.isOurs(v.get().tags(), request.clusterId())) {
                continue;
            }
            boolean inUse = request.keysInUse().stream()
                    .anyMatch(k -> k.vaultName().equals(vault)
                            && (m.group(4) == null || k.keyName().equalsIgnoreCase(m.group(4))));
            if (!inUse) {
                throw refuse(
                        "the record",
                        "vault " + m.group(3) + " is not tagged for cluster " + request.clusterId()
                                + " and holds no key" + " the cluster uses, so cmek would not have granted on it");
            }
        }
    }

    private static UntrustedRecordException refuse(String entry, String why) {
        return new UntrustedRecordException("the revocation record's " + entry + " is refused: " + why
                + "; restore puts back only what cmek itself removed, so nothing was written");
    }
}
