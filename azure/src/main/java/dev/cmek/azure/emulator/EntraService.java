package dev.cmek.azure.emulator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Entra ID's v2 token endpoint for the client-credentials grant with a client secret, and the discovery documents MSAL
 * reads first (https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow).
 */
final class EntraService implements Service {
    private static final Pattern TOKEN = Pattern.compile("/([^/]+)/oauth2/v2\\.0/token");
    private static final Pattern OPENID = Pattern.compile("/([^/]+)/v2\\.0/\\.well-known/openid-configuration");
    private static final Pattern KEYS = Pattern.compile("/([^/]+)/discovery/v2\\.0/keys");
    /** An {@code authorization_endpoint} as MSAL sends it to instance discovery: its host and tenant. */
    private static final Pattern AUTHORIZE = Pattern.compile("https://([^/:]+)(?::\\d+)?/([^/]+)/.*");
    /**
     * Entra's own instances, the public and sovereign clouds' hosts MSAL itself trusts
     * (https://github.com/AzureAD/microsoft-authentication-library-for-java/blob/dev/msal4j-sdk/src/main/java/com/microsoft/aad/msal4j/AadInstanceDiscoveryProvider.java,
     * {@code TRUSTED_HOSTS_SET}).
     */
    private static final Set<String> ENTRA_INSTANCES = Set.of(
            "login.microsoftonline.com",
            "login.windows.net",
            "login.microsoft.com",
            "sts.windows.net",
            "login.chinacloudapi.cn",
            "login-us.microsoftonline.com",
            "login.microsoftonline.de",
            "login.microsoftonline.us");
    /** The resources a client-credentials token can be asked for here, and the audience each token names. */
    private static final Map<String, String> AUDIENCES = Map.of(
            "https://vault.azure.net", "https://vault.azure.net",
            "https://management.azure.com", "https://management.azure.com/",
            "https://management.core.windows.net", "https://management.core.windows.net/",
            "https://graph.microsoft.com", "https://graph.microsoft.com");

    private final AzureEmulator emulator;

    EntraService(AzureEmulator emulator) {
        this.emulator = emulator;
    }

    @Override
    public String operation(Http.Request r) {
        if (TOKEN.matcher(r.path()).matches()) {
            return "entra.token";
        }
        if (r.path().equals("/common/discovery/instance")) {
            return "entra.instanceDiscovery";
        }
        if (OPENID.matcher(r.path()).matches()) {
            return "entra.openidConfiguration";
        }
        if (KEYS.matcher(r.path()).matches()) {
            return "entra.keys";
        }
        return "entra.unknown";
    }

    @Override
    public Http.Response handle(Http.Request r, String operation) {
        String base = "https://" + r.authority();
        switch (operation) {
            case "entra.token":
                if (!r.method().equals("POST")) {
                    return Http.Response.empty(405);
                }
                Matcher m = TOKEN.matcher(r.path());
                m.matches();
                return token(m.group(1), Http.parseForm(r.body()));
            case "entra.instanceDiscovery":
                return instanceDiscovery(r, base);
            case "entra.openidConfiguration": {
                Matcher o = OPENID.matcher(r.path());
                o.matches();
                String tenant = o.group(1);
                ObjectNode doc = Http.object()
                        .put("token_endpoint", base + "/" + tenant + "/oauth2/v2.0/token")
                        .put("jwks_uri", base + "/" + tenant + "/discovery/v2.0/keys")
                        .put("issuer", "https://login.microsoftonline.com/" + tenant + "/v2.0")
                        .put("authorization_endpoint", base + "/" + tenant + "/oauth2/v2.0/authorize")
                        .put("tenant_region_scope", "NA")
                        .put("cloud_instance_name", "microsoftonline.com");
                doc.putArray("token_endpoint_auth_methods_supported")
                        .add("client_secret_post")
                        .add("private_key_jwt")
                        .add("client_secret_basic");
                doc.putArray("response_types_supported")
                        .add("code")
                        .add("id_token")
                        .add("code id_token");
                return Http.Response.json(200, doc);
            }
            case "entra.keys":
                return Http.Response.json(200, emulator.tokens.jwks());
            default:
                return error(404, "invalid_request", 90002, "Endpoint not found: " + r.path());
        }
    }

    /**
     * MSAL asks login.microsoftonline.com about any authority host it does not know itself; Entra answers with the
     * clouds' aliases for one of its own instances, and 400 {@code invalid_instance} (AADSTS50049) for any other host,
     * which MSAL throws (https://learn.microsoft.com/entra/identity-platform/msal-net-instance-discovery ;
     * https://learn.microsoft.com/entra/identity-platform/reference-error-codes, NoSuchInstanceForDiscovery;
     * msal4j {@code AadInstanceDiscoveryProvider.sendInstanceDiscoveryRequest}). So an authority at this emulator's own
     * address, like any private cloud's, is used with instance discovery off.
     */
    private Http.Response instanceDiscovery(Http.Request r, String base) {
        String authorize = r.param("authorization_endpoint");
        String tenant = "common";
        if (authorize != null) {
            Matcher m = AUTHORIZE.matcher(authorize);
            if (!m.matches() || !ENTRA_INSTANCES.contains(m.group(1).toLowerCase(Locale.ROOT))) {
                return error(400, "invalid_instance", 50049, "Unknown or invalid instance.");
            }
            tenant = m.group(2);
        }
        ObjectNode doc = Http.object()
                .put("tenant_discovery_endpoint", base + "/" + tenant + "/v2.0/.well-known/openid-configuration")
                .put("api-version", "1.1");
        ObjectNode cloud = doc.putArray("metadata").addObject();
        cloud.put("preferred_network", "login.microsoftonline.com").put("preferred_cache", "login.windows.net");
        cloud.putArray("aliases")
                .add("login.microsoftonline.com")
                .add("login.windows.net")
                .add("login.microsoft.com")
                .add("sts.windows.net");
        return Http.Response.json(200, doc);
    }

    private Http.Response token(String tenant, Map<String, String> form) {
        synchronized (emulator.lock) {
            Directory dir = emulator.directory;
            if (!dir.tenantNames.containsKey(tenant)) {
                return error(
                        400,
                        "invalid_request",
                        90002,
                        "Tenant '" + tenant + "' not found. Check to make sure you have the correct tenant ID and are"
                                + " signing into the correct cloud.");
            }
            if (!"client_credentials".equals(form.get("grant_type"))) {
                return error(
                        400,
                        "unsupported_grant_type",
                        70003,
                        "The app requested an unsupported grant type '" + form.get("grant_type") + "'.");
            }
            String clientId = form.getOrDefault("client_id", "");
            Directory.App app = dir.apps.get(clientId);
            Optional<Directory.ServicePrincipal> sp = dir.principal(tenant, clientId);
            if (app == null || sp.isEmpty()) {
                // https://learn.microsoft.com/troubleshoot/entra/entra-id/app-integration/error-code-aadsts700016-app-not-found
                return error(
                        400,
                        "unauthorized_client",
                        700016,
                        "Application with identifier '" + clientId + "' was not found in the directory '"
                                + dir.tenantNames.get(tenant) + "'. This can happen if the application has not been"
                                + " installed by the administrator of the tenant or consented to by any user in the"
                                + " tenant. You may have sent your authentication request to the wrong tenant.");
            }
            String secret = form.get("client_secret");
            if (secret == null) {
                return error(
                        400,
                        "invalid_request",
                        7000216,
                        "'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials'"
                                + " grant type.");
            }
            if (!secret.equals(app.secret)) {
                return error(
                        401,
                        "invalid_client",
                        7000215,
                        "Invalid client secret provided. Ensure the secret being sent in the request is the client"
                                + " secret value, not the client secret ID, for a secret added to app '" + clientId
                                + "'.");
            }
            if (!sp.get().accountEnabled) {
                // Sign-in disabled on the enterprise application (accountEnabled false): no new tokens, those issued
                // live on (https://learn.microsoft.com/entra/identity/enterprise-apps/disable-user-sign-in-portal);
                // AADSTS7000112 UnauthorizedClientApplicationDisabled
                // (https://learn.microsoft.com/entra/identity-platform/reference-error-codes).
                return error(
                        400,
                        "unauthorized_client",
                        7000112,
                        "Application '" + clientId + "'(" + app.displayName + ") is disabled.");
            }
            // MSAL adds the OIDC scopes to every request; Entra ignores them for the client-credentials grant.
            String scope = java.util.Arrays.stream(
                            form.getOrDefault("scope", "").trim().split("\\s+"))
                    .filter(s -> !List.of("openid", "profile", "offline_access").contains(s))
                    .collect(java.util.stream.Collectors.joining(" "));
            if (!scope.endsWith("/.default") || scope.contains(" ")) {
                return error(
                        400,
                        "invalid_scope",
                        1002012,
                        "The provided value for scope " + scope + " is not valid. Client credential flows must have a"
                                + " scope value with /.default suffixed to the resource identifier (application ID"
                                + " URI).");
            }
            String resource = scope.substring(0, scope.length() - "/.default".length());
            while (resource.endsWith("/")) {
                resource = resource.substring(0, resource.length() - 1);
            }
            String audience = AUDIENCES.get(resource);
            if (audience == null) {
                return error(
                        400,
                        "invalid_resource",
                        500011,
                        "The resource principal named " + resource + " was not found in the tenant named "
                                + dir.tenantNames.get(tenant) + ". This can happen if the application has not been"
                                + " installed by the administrator of the tenant or consented to by any user in the"
                                + " tenant. You might have sent your authentication request to the wrong tenant.");
            }
            long lifetime = emulator.tokenLifetime.getSeconds();
            // App-only tokens name the application permissions granted to the app in "roles"; Graph's right to create
            // and change service principals is Application.ReadWrite.All
            // (https://learn.microsoft.com/entra/identity-platform/access-token-claims-reference#payload-claims).
            List<String> roles = audience.equals("https://graph.microsoft.com") && sp.get().directoryWriter
                    ? List.of("Application.ReadWrite.All")
                    : List.of();
            String token =
                    emulator.tokens.issue(audience, tenant, sp.get().id, clientId, roles, emulator.tokenLifetime);
            ObjectNode body = Http.object()
                    .put("token_type", "Bearer")
                    .put("expires_in", lifetime)
                    .put("ext_expires_in", lifetime)
                    .put("access_token", token);
            return Http.Response.json(200, body).header("Cache-Control", "no-store, no-cache");
        }
    }

    /** Entra's error body: the AADSTS code leads error_description and is repeated in error_codes. */
    static Http.Response error(int status, String error, int code, String message) {
        String trace = UUID.randomUUID().toString();
        String correlation = UUID.randomUUID().toString();
        String now = Instant.now().toString();
        ObjectNode body = Http.object()
                .put("error", error)
                .put(
                        "error_description",
                        "AADSTS" + code + ": " + message + "\r\nTrace ID: " + trace + "\r\nCorrelation ID: "
                                + correlation + "\r\nTimestamp: " + now)
                .put("timestamp", now)
                .put("trace_id", trace)
                .put("correlation_id", correlation)
                .put("error_uri", "https://login.microsoftonline.com/error?code=" + code);
        body.putArray("error_codes").add(code);
        return Http.Response.json(status, body);
    }

    @Override
    public Http.Response throttled(Http.Request r, String operation, long retryAfterSeconds) {
        // https://learn.microsoft.com/entra/identity-platform/reference-error-codes (AADSTS90055 TenantThrottlingError)
        return error(
                        429,
                        "temporarily_unavailable",
                        90055,
                        "There are a significant number of incoming requests from this tenant. Please try again"
                                + " later.")
                .header("Retry-After", Long.toString(retryAfterSeconds));
    }

    @Override
    public Http.Response denied(Http.Request r, String operation) {
        return error(
                401,
                "invalid_client",
                7000215,
                "Invalid client secret provided. Ensure the secret being sent in the request is the client secret"
                        + " value, not the client secret ID.");
    }

    @Override
    public Http.Response serverError(Http.Request r, String operation, int status) {
        return error(
                status,
                "temporarily_unavailable",
                90033,
                "A transient error has occurred. Please try again. Injected by the emulator.");
    }
}
