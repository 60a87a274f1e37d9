package dev.cmek.azure;

import java.util.Optional;

/**
 * A revocation's view of the cluster app's service principal: the app's client id (given, or from our vaults' tags),
 * the principal found for it, or why it could not be read.
 *
 * @param failure set when Graph could not be read: the principal may exist
 */
record PrincipalLookup(
        Optional<String> appId, Optional<ServicePrincipals.Principal> principal, AzureCmekException failure) {
    static PrincipalLookup of(ServicePrincipals principals, Optional<String> appId) {
        if (appId.isEmpty()) {
            return new PrincipalLookup(appId, Optional.empty(), null);
        }
        try {
            return new PrincipalLookup(appId, principals.find(appId.get()), null);
        } catch (AzureCmekException e) {
            return new PrincipalLookup(appId, Optional.empty(), e);
        }
    }

    Optional<String> principalId() {
        return principal.map(ServicePrincipals.Principal::id);
    }
}
