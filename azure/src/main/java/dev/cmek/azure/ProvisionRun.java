package dev.cmek.azure;

import dev.cmek.core.Parallel;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * What the regions of one plan or provision share: the cluster app's service principal (found, or made), and the gate
 * every write waits for: the principal settled (so a caller that may not create it stops before any change), the
 * subscription's tenant checked, and the resource group there.
 */
final class ProvisionRun {
    final AzureCmekRequest req;
    final boolean apply;
    private final CompletableFuture<Optional<ServicePrincipals.Principal>> principal;
    private final CompletableFuture<?> writable;
    private final Vaults vaults;
    private volatile List<Vaults.Vault> subscriptionVaults;

    ProvisionRun(
            AzureCmekRequest req,
            boolean apply,
            CompletableFuture<Optional<ServicePrincipals.Principal>> principal,
            CompletableFuture<?> writable,
            Vaults vaults) {
        this.req = req;
        this.apply = apply;
        this.principal = principal;
        this.writable = writable;
        this.vaults = vaults;
    }

    /** The service principal; empty only in a plan that would create it. */
    Optional<ServicePrincipals.Principal> principal() {
        return Parallel.get(principal);
    }

    /** Returns once writes may start; throws what stopped them (consent needed, a foreign resource group, ...). */
    void awaitWritable() {
        Parallel.get(writable);
    }

    /** The subscription's vaults, listed once per run (a key the customer brings names its vault only). */
    List<Vaults.Vault> subscriptionVaults() {
        List<Vaults.Vault> v = subscriptionVaults;
        if (v == null) {
            synchronized (this) {
                if (subscriptionVaults == null) {
                    subscriptionVaults = vaults.inSubscription(req.subscriptionId());
                }
                v = subscriptionVaults;
            }
        }
        return v;
    }
}
