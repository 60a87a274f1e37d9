package dev.cmek.azure;

import dev.cmek.core.Backoff;
import java.time.Duration;

/**
 * The adapter's own waits, each for one documented Azure propagation case the SDK's retry cannot see, each bounded by
 * the request's propagation bound ({@code --propagation-bound}). Throttling and 5xx are {@link CallRetry}'s.
 */
final class Propagation {
    /**
     * ARM's 400 {@code PrincipalNotFound} for a service principal the directory has not replicated yet. Writing
     * {@code principalType} avoids it
     * (https://learn.microsoft.com/azure/role-based-access-control/role-assignments-template#new-service-principal), so
     * this is the fallback; each pause about a third of the time waited so far.
     */
    static final Backoff PRINCIPAL = Backoff.growing(Duration.ofMillis(250), 4.0 / 3, Duration.ofSeconds(5));

    /**
     * A new vault whose {@code provisioningState} is {@code RegisteringDns}: its data-plane host does not resolve yet
     * (https://learn.microsoft.com/rest/api/keyvault/keyvault/vaults/create-or-update#vaultprovisioningstate).
     */
    static final Backoff VAULT_DNS = Backoff.growing(Duration.ofMillis(250), 4.0 / 3, Duration.ofSeconds(5));

    private Propagation() {}
}
