package dev.cmek.azure;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import reactor.core.publisher.Mono;

/**
 * One token per resource, tenant and CAE flag for all the clients of a run, asked for once at a time: each Key Vault
 * client has its own challenge policy and would otherwise ask Entra ID for the same Key Vault token, all at once, once per
 * vault; and the token the run asked for ahead ({@link AzureClients#prefetchKeyVaultToken}) is then the one they use.
 * A request with claims (a continuous access evaluation challenge) always goes to the credential.
 */
final class SharedTokens implements TokenCredential {
    /** A token this close to expiry is asked for again, as azure-core's own token cache does. */
    static final Duration REFRESH_BEFORE_EXPIRY = Duration.ofMinutes(5);

    private final TokenCredential credential;
    private final Map<String, CompletableFuture<AccessToken>> tokens = new ConcurrentHashMap<>();

    SharedTokens(TokenCredential credential) {
        this.credential = credential;
    }

    @Override
    public Mono<AccessToken> getToken(TokenRequestContext request) {
        return Mono.fromSupplier(() -> getTokenSync(request));
    }

    @Override
    public AccessToken getTokenSync(TokenRequestContext request) {
        if (request.getClaims() != null) {
            return credential.getTokenSync(request);
        }
        String key = List.copyOf(request.getScopes()) + "|" + request.getTenantId() + "|" + request.isCaeEnabled();
        while (true) {
            CompletableFuture<AccessToken> mine = new CompletableFuture<>();
            CompletableFuture<AccessToken> known = tokens.putIfAbsent(key, mine);
            if (known == null) {
                try {
                    AccessToken t = credential.getTokenSync(request);
                    mine.complete(t);
                    return t;
                } catch (RuntimeException e) {
                    tokens.remove(key, mine);
                    mine.completeExceptionally(e);
                    throw e;
                }
            }
            AccessToken t;
            try {
                t = known.join();
            } catch (CompletionException e) {
                throw e.getCause() instanceof RuntimeException r ? r : e;
            }
            if (t.getExpiresAt() != null
                    && t.getExpiresAt().isAfter(OffsetDateTime.now().plus(REFRESH_BEFORE_EXPIRY))) {
                return t;
            }
            tokens.remove(key, known);
        }
    }
}
