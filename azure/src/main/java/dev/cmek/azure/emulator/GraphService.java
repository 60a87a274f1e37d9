package dev.cmek.azure.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Microsoft Graph v1.0 service principals: list with $filter, get by id or appId, create for a multi-tenant app, and
 * PATCH accountEnabled (https://learn.microsoft.com/graph/api/resources/serviceprincipal).
 */
final class GraphService implements Service {
    private static final Pattern VERSIONED = Pattern.compile("/([^/]+)(/.*)?");
    private static final Pattern BY_ID = Pattern.compile("/servicePrincipals/([^/()]+)");
    private static final Pattern BY_APP_ID = Pattern.compile("/servicePrincipals\\(appId='([^']+)'\\)");
    private static final Pattern EQ = Pattern.compile("\\s*(appId|displayName|id)\\s+eq\\s+'([^']*)'\\s*");
    private static final Pattern SPN =
            Pattern.compile("\\s*servicePrincipalNames/any\\(\\w+:\\s*\\w+\\s+eq\\s+'([^']*)'\\)\\s*");

    private final AzureEmulator emulator;

    GraphService(AzureEmulator emulator) {
        this.emulator = emulator;
    }

    @Override
    public String operation(Http.Request r) {
        String rest = rest(r);
        if (rest == null) {
            return "graph.unknown";
        }
        if (rest.equals("/servicePrincipals")) {
            return r.method().equals("POST") ? "graph.servicePrincipals.create" : "graph.servicePrincipals.list";
        }
        if (BY_ID.matcher(rest).matches() || BY_APP_ID.matcher(rest).matches()) {
            return switch (r.method()) {
                case "PATCH" -> "graph.servicePrincipals.patch";
                case "DELETE" -> "graph.servicePrincipals.delete";
                default -> "graph.servicePrincipals.get";
            };
        }
        return "graph.unknown";
    }

    /** The path after {@code /v1.0} (or {@code /beta}); null for a version Graph does not serve. */
    private static String rest(Http.Request r) {
        Matcher m = VERSIONED.matcher(r.path());
        if (!m.matches() || !(m.group(1).equals("v1.0") || m.group(1).equals("beta"))) {
            return null;
        }
        return m.group(2) == null ? "" : m.group(2);
    }

    @Override
    public Http.Response handle(Http.Request r, String operation) {
        if (rest(r) == null) {
            return error(
                    400,
                    "BadRequest",
                    "Invalid version: " + VERSIONED.matcher(r.path()).replaceAll("$1"));
        }
        Auth.Check auth =
                Auth.check(emulator.tokens, r, "https://graph.microsoft.com", "00000003-0000-0000-c000-000000000000");
        if (!auth.ok()) {
            String message = switch (auth.problem()) {
                case MISSING -> "Access token is empty.";
                case EXPIRED -> "Lifetime validation failed, the token is expired.";
                case WRONG_AUDIENCE -> "Access token validation failure. Invalid audience.";
                default -> "Access token validation failure.";
            };
            return error(401, "InvalidAuthenticationToken", message)
                    .header(
                            "WWW-Authenticate",
                            "Bearer realm=\"\", authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\", client_id=\"00000003-0000-0000-c000-000000000000\"");
        }
        Tokens.Claims caller = auth.claims();
        String rest = rest(r);
        synchronized (emulator.lock) {
            Directory dir = emulator.directory;
            switch (operation) {
                case "graph.servicePrincipals.list":
                    return list(r, dir, caller.tenantId());
                case "graph.servicePrincipals.create":
                    return create(r, dir, caller);
                case "graph.servicePrincipals.get": {
                    Optional<Directory.ServicePrincipal> sp = find(dir, caller.tenantId(), rest);
                    return sp.map(p -> Http.Response.json(200, entity(p, true))).orElseGet(() -> notFound(rest));
                }
                case "graph.servicePrincipals.patch":
                    return patch(r, dir, caller, rest);
                default:
                    return error(
                            400,
                            "BadRequest",
                            "Resource not found for the segment '" + rest.replaceAll("^/([^/(]+).*", "$1") + "'.");
            }
        }
    }

    private static Optional<Directory.ServicePrincipal> find(Directory dir, String tenant, String rest) {
        Matcher byApp = BY_APP_ID.matcher(rest);
        if (byApp.matches()) {
            return dir.principal(tenant, byApp.group(1));
        }
        Matcher byId = BY_ID.matcher(rest);
        byId.matches();
        return dir.principalById(tenant, byId.group(1));
    }

    private Http.Response notFound(String rest) {
        Matcher byApp = BY_APP_ID.matcher(rest);
        String id = byApp.matches() ? "appId='" + byApp.group(1) + "'" : rest.substring(rest.lastIndexOf('/') + 1);
        return error(
                404,
                "Request_ResourceNotFound",
                "Resource '" + id + "' does not exist or one of its queried"
                        + " reference-property objects are not present.");
    }

    private Http.Response list(Http.Request r, Directory dir, String tenant) {
        Predicate<Directory.ServicePrincipal> filter = sp -> true;
        String f = r.param("$filter");
        if (f != null && !f.isBlank()) {
            Matcher eq = EQ.matcher(f);
            Matcher spn = SPN.matcher(f);
            if (eq.matches()) {
                String field = eq.group(1);
                String value = eq.group(2);
                filter = sp -> switch (field) {
                    case "appId" -> sp.appId.equalsIgnoreCase(value);
                    case "displayName" -> sp.displayName.equals(value);
                    default -> sp.id.equalsIgnoreCase(value);
                };
            } else if (spn.matches()) {
                String value = spn.group(1);
                filter = sp -> sp.appId.equalsIgnoreCase(value);
            } else {
                return error(400, "Request_UnsupportedQuery", "Unsupported Query.");
            }
        }
        ObjectNode body =
                Http.object().put("@odata.context", "https://graph.microsoft.com/v1.0/$metadata#servicePrincipals");
        ArrayNode value = body.putArray("value");
        List<Directory.ServicePrincipal> all = dir.principalsIn(tenant);
        int top = r.param("$top") == null ? Integer.MAX_VALUE : Integer.parseInt(r.param("$top"));
        all.stream().filter(filter).limit(top).forEach(sp -> value.add(entity(sp, false)));
        return Http.Response.json(200, body);
    }

    private Http.Response create(Http.Request r, Directory dir, Tokens.Claims caller) {
        if (!writer(dir, caller)) {
            return insufficientPrivileges();
        }
        JsonNode body;
        try {
            body = r.json();
        } catch (Http.BadBody e) {
            return error(
                    400,
                    "BadRequest",
                    "Unable to read JSON request payload. Please ensure Content-Type header is"
                            + " set and payload is of valid JSON format.");
        }
        String appId = body.path("appId").asText("");
        Directory.App app = dir.apps.get(appId);
        if (app == null || (!app.multiTenant && !app.homeTenant.equals(caller.tenantId()))) {
            // The authorization library retries exactly this (RetryUtils.backoffRetryFor400BadRequest).
            return error(
                    400,
                    "Request_BadRequest",
                    "The appId '" + appId + "' of the service principal does not"
                            + " reference a valid application object.");
        }
        if (dir.principal(caller.tenantId(), appId).isPresent()) {
            return error(
                    409,
                    "Request_MultipleObjectsWithSameKeyValue",
                    "Another object with the same value for" + " property servicePrincipalNames already exists.");
        }
        Directory.ServicePrincipal sp = dir.createPrincipal(app, caller.tenantId(), Instant.now());
        if (body.has("accountEnabled")) {
            sp.accountEnabled = body.get("accountEnabled").asBoolean(true);
        }
        return Http.Response.json(201, entity(sp, true))
                .header(
                        "Location",
                        "https://graph.microsoft.com/v2/" + caller.tenantId() + "/directoryObjects/" + sp.id
                                + "/Microsoft.DirectoryServices.ServicePrincipal");
    }

    private Http.Response patch(Http.Request r, Directory dir, Tokens.Claims caller, String rest) {
        Optional<Directory.ServicePrincipal> found = find(dir, caller.tenantId(), rest);
        if (found.isEmpty()) {
            return notFound(rest);
        }
        if (!writer(dir, caller)) {
            return insufficientPrivileges();
        }
        JsonNode body;
        try {
            body = r.json();
        } catch (Http.BadBody e) {
            return error(400, "BadRequest", "Unable to read JSON request payload.");
        }
        JsonNode enabled = body.get("accountEnabled");
        if (enabled != null && !enabled.isNull()) {
            if (!enabled.isBoolean()) {
                return error(
                        400,
                        "BadRequest",
                        "Invalid value specified for property 'accountEnabled' of resource" + " 'ServicePrincipal'.");
            }
            found.get().accountEnabled = enabled.asBoolean();
        }
        return Http.Response.empty(204);
    }

    private static boolean writer(Directory dir, Tokens.Claims caller) {
        Directory.ServicePrincipal sp = dir.principals.get(caller.objectId());
        return sp != null && sp.directoryWriter;
    }

    private Http.Response insufficientPrivileges() {
        return error(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.");
    }

    ObjectNode entity(Directory.ServicePrincipal sp, boolean withContext) {
        Directory.App app = emulator.directory.apps.get(sp.appId);
        ObjectNode n = Http.object();
        if (withContext) {
            n.put("@odata.context", "https://graph.microsoft.com/v1.0/$metadata#servicePrincipals/$entity");
        }
        n.put("id", sp.id)
                .put("accountEnabled", sp.accountEnabled)
                .put("appDisplayName", sp.displayName)
                .put("appId", sp.appId)
                .put("appOwnerOrganizationId", app == null ? sp.tenantId : app.homeTenant)
                .put("displayName", sp.displayName)
                .put("servicePrincipalType", "Application")
                .put("signInAudience", app != null && app.multiTenant ? "AzureADMultipleOrgs" : "AzureADMyOrg")
                .put("createdDateTime", sp.createdAt.toString());
        n.putArray("servicePrincipalNames").add(sp.appId);
        n.putArray("tags");
        n.putArray("passwordCredentials");
        n.putArray("keyCredentials");
        return n;
    }

    static Http.Response error(int status, String code, String message) {
        ObjectNode body = Http.object();
        ObjectNode error = body.putObject("error").put("code", code).put("message", message);
        String id = UUID.randomUUID().toString();
        error.putObject("innerError")
                .put("date", Instant.now().toString().replaceAll("\\.\\d+Z$", ""))
                .put("request-id", id)
                .put("client-request-id", id);
        return Http.Response.json(status, body).header("request-id", id);
    }

    @Override
    public Http.Response throttled(Http.Request r, String operation, long retryAfterSeconds) {
        // Directory throttling: https://learn.microsoft.com/graph/throttling-limits#identity-and-access-service-limits
        return error(
                        429,
                        "Request_ThrottledTemporarily",
                        "Your request is throttled temporarily. Please try after " + retryAfterSeconds + " seconds.")
                .header("Retry-After", Long.toString(retryAfterSeconds));
    }

    @Override
    public Http.Response denied(Http.Request r, String operation) {
        return insufficientPrivileges();
    }

    @Override
    public Http.Response serverError(Http.Request r, String operation, int status) {
        return error(status, status == 503 ? "serviceNotAvailable" : "generalException", "Injected by the emulator.");
    }
}
