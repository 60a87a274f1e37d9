package dev.cmek.azure;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * The claims of the caller's own access token, read without checking its signature (the service it is for does):
 * who the caller is, and what Graph permissions it holds
 * (https://learn.microsoft.com/entra/identity-platform/access-token-claims-reference#payload-claims).
 */
final class TokenClaims {
    private TokenClaims() {}

    /** The claims of a token for {@code resource} ({@code https://graph.microsoft.com}, ...); empty when unreadable. */
    static Optional<JsonNode> of(AzureClients clients, String resource) {
        String token;
        try {
            token = clients.credential()
                    .getTokenSync(AzureClients.tokenRequest(resource))
                    .getToken();
        } catch (RuntimeException e) {
            String host = resource.substring("https://".length());
            throw AzureCall.failure(clients, CallFailedException.Service.ENTRA, "get a token", resource, host, e);
        }
        return parse(token);
    }

    static Optional<JsonNode> parse(String jwt) {
        String[] parts = jwt.split("\\.");
        if (parts.length < 2) {
            return Optional.empty();
        }
        try {
            JsonNode claims = Json.parse(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
            return claims.isObject() ? Optional.of(claims) : Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** Who the caller is, as its ARM token says: a user's name or an app's id, and its object id. */
    static String caller(AzureClients clients) {
        try {
            return of(clients, AzureClients.ARM)
                    .map(c -> {
                        String who = Json.text(c, "upn") != null
                                ? Json.text(c, "upn")
                                : Json.text(c, "unique_name") != null
                                        ? Json.text(c, "unique_name")
                                        : "app " + Json.text(c, "appid");
                        return who + " (object id " + Json.text(c, "oid") + ")";
                    })
                    .orElse(System.getProperty("user.name", "unknown"));
        } catch (AzureCmekException e) {
            return System.getProperty("user.name", "unknown");
        }
    }
}
