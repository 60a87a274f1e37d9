package dev.cmek.azure;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashSet;
import java.util.Set;

/**
 * Whether the caller may create a service principal, read from its own Microsoft Graph token, so that a plan (which
 * writes nothing) can tell that an administrator must consent first. An app-only token lists its application permissions
 * in {@code roles}; a user's lists its scopes in {@code scp} and its directory roles in {@code wids}
 * (https://learn.microsoft.com/entra/identity-platform/access-token-claims-reference#payload-claims); creating a service
 * principal takes Application.ReadWrite.OwnedBy or .All
 * (https://learn.microsoft.com/graph/api/serviceprincipal-post-serviceprincipals#permissions).
 */
final class GraphPermissions {
    enum Verdict {
        MAY,
        MAY_NOT,
        /** A user's token that does not settle it: provision will find out, before any other change. */
        UNKNOWN
    }

    private static final Set<String> APP_PERMISSIONS =
            Set.of("Application.ReadWrite.All", "Application.ReadWrite.OwnedBy");
    private static final Set<String> USER_SCOPES = Set.of("Application.ReadWrite.All", "Directory.AccessAsUser.All");
    /** Global, Application, Cloud Application and Hybrid Identity Administrator (role template ids). */
    private static final Set<String> ADMIN_ROLES = Set.of(
            "62e90394-69f5-4237-9190-012177145e10",
            "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3",
            "158c047a-c907-4556-b7ef-446551a6b5f7",
            "8ac3fc64-6eca-42ea-9e69-59f4c7b60eb2");

    private GraphPermissions() {}

    static Verdict mayCreateServicePrincipals(AzureClients clients) {
        return judge(TokenClaims.of(clients, AzureClients.GRAPH).orElse(null));
    }

    static Verdict judge(JsonNode claims) {
        if (claims == null || !claims.has("tid")) {
            return Verdict.UNKNOWN;
        }
        Set<String> roles = strings(claims.path("roles"));
        if (!claims.has("scp")) {
            return roles.stream().anyMatch(APP_PERMISSIONS::contains) ? Verdict.MAY : Verdict.MAY_NOT;
        }
        Set<String> scopes = Set.of(claims.path("scp").asText("").split(" "));
        boolean scoped = scopes.stream().anyMatch(USER_SCOPES::contains);
        boolean admin = strings(claims.path("wids")).stream().anyMatch(ADMIN_ROLES::contains);
        return scoped && admin ? Verdict.MAY : Verdict.UNKNOWN;
    }

    private static Set<String> strings(JsonNode array) {
        Set<String> out = new HashSet<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
