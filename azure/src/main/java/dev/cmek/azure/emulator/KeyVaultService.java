package dev.cmek.azure.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Key Vault data plane for keys (https://learn.microsoft.com/rest/api/keyvault/keys): the bearer challenge the
 * SDK's KeyVaultCredentialPolicy expects, Azure RBAC (or access policies) on every call, and Key Vault's error bodies.
 */
final class KeyVaultService implements Service {
    static final Pattern LIST = Pattern.compile("/keys/?");
    static final Pattern CREATE = Pattern.compile("/keys/([^/]+)/create");
    static final Pattern VERSIONS = Pattern.compile("/keys/([^/]+)/versions/?");
    static final Pattern ROTATE = Pattern.compile("/keys/([^/]+)/rotate");
    static final Pattern POLICY = Pattern.compile("/keys/([^/]+)/rotationpolicy");
    static final Pattern CRYPTO =
            Pattern.compile("/keys/([^/]+)(?:/([^/]*))?/(encrypt|decrypt|wrapkey|unwrapkey|sign|verify)");
    static final Pattern KEY = Pattern.compile("/keys/([^/]+)(?:/([^/]*))?");
    static final Pattern DELETED_LIST = Pattern.compile("/deletedkeys/?");
    static final Pattern DELETED = Pattern.compile("/deletedkeys/([^/]+)");
    static final Pattern RECOVER = Pattern.compile("/deletedkeys/([^/]+)/recover");

    /** The versions keys SDKs send up to azure-security-keyvault-keys 4.11 (7.6), and the newest the service names. */
    static final List<String> API_VERSIONS = List.of("7.0", "7.1", "7.2", "7.3", "7.4", "7.5", "7.6", "2025-07-01");

    /** Data actions per operation (https://learn.microsoft.com/azure/key-vault/general/rbac-guide). */
    static final Map<String, String> DATA_ACTIONS = Map.ofEntries(
            Map.entry("keyvault.keys.create", "Microsoft.KeyVault/vaults/keys/create/action"),
            Map.entry("keyvault.keys.get", "Microsoft.KeyVault/vaults/keys/read"),
            Map.entry("keyvault.keys.list", "Microsoft.KeyVault/vaults/keys/read"),
            Map.entry("keyvault.keys.listVersions", "Microsoft.KeyVault/vaults/keys/read"),
            Map.entry("keyvault.keys.update", "Microsoft.KeyVault/vaults/keys/update/action"),
            Map.entry("keyvault.keys.rotate", "Microsoft.KeyVault/vaults/keys/rotate/action"),
            Map.entry("keyvault.keys.getRotationPolicy", "Microsoft.KeyVault/vaults/keyrotationpolicies/read"),
            Map.entry("keyvault.keys.setRotationPolicy", "Microsoft.KeyVault/vaults/keyrotationpolicies/write"),
            Map.entry("keyvault.keys.encrypt", "Microsoft.KeyVault/vaults/keys/encrypt/action"),
            Map.entry("keyvault.keys.decrypt", "Microsoft.KeyVault/vaults/keys/decrypt/action"),
            Map.entry("keyvault.keys.wrapKey", "Microsoft.KeyVault/vaults/keys/wrap/action"),
            Map.entry("keyvault.keys.unwrapKey", "Microsoft.KeyVault/vaults/keys/unwrap/action"),
            Map.entry("keyvault.keys.sign", "Microsoft.KeyVault/vaults/keys/sign/action"),
            Map.entry("keyvault.keys.verify", "Microsoft.KeyVault/vaults/keys/verify/action"),
            Map.entry("keyvault.keys.delete", "Microsoft.KeyVault/vaults/keys/delete"),
            Map.entry("keyvault.keys.getDeleted", "Microsoft.KeyVault/vaults/keys/read"),
            Map.entry("keyvault.keys.listDeleted", "Microsoft.KeyVault/vaults/keys/read"),
            Map.entry("keyvault.keys.recover", "Microsoft.KeyVault/vaults/keys/recover/action"),
            Map.entry("keyvault.keys.purge", "Microsoft.KeyVault/vaults/keys/purge/action"));

    /** The access-policy key permission each operation needs when the vault does not use RBAC. */
    private static final Map<String, String> POLICY_PERMISSIONS = Map.ofEntries(
            Map.entry("keyvault.keys.create", "create"),
            Map.entry("keyvault.keys.get", "get"),
            Map.entry("keyvault.keys.list", "list"),
            Map.entry("keyvault.keys.listVersions", "list"),
            Map.entry("keyvault.keys.update", "update"),
            Map.entry("keyvault.keys.rotate", "rotate"),
            Map.entry("keyvault.keys.getRotationPolicy", "getrotationpolicy"),
            Map.entry("keyvault.keys.setRotationPolicy", "setrotationpolicy"),
            Map.entry("keyvault.keys.encrypt", "encrypt"),
            Map.entry("keyvault.keys.decrypt", "decrypt"),
            Map.entry("keyvault.keys.wrapKey", "wrapKey"),
            Map.entry("keyvault.keys.unwrapKey", "unwrapKey"),
            Map.entry("keyvault.keys.sign", "sign"),
            Map.entry("keyvault.keys.verify", "verify"),
            Map.entry("keyvault.keys.delete", "delete"),
            Map.entry("keyvault.keys.getDeleted", "get"),
            Map.entry("keyvault.keys.listDeleted", "list"),
            Map.entry("keyvault.keys.recover", "recover"),
            Map.entry("keyvault.keys.purge", "purge"));

    private final AzureEmulator emulator;

    KeyVaultService(AzureEmulator emulator) {
        this.emulator = emulator;
    }

    @Override
    public String operation(Http.Request r) {
        String p = r.path();
        String m = r.method();
        if (LIST.matcher(p).matches()) {
            return "keyvault.keys.list";
        }
        if (CREATE.matcher(p).matches()) {
            return "keyvault.keys.create";
        }
        if (VERSIONS.matcher(p).matches()) {
            return "keyvault.keys.listVersions";
        }
        if (ROTATE.matcher(p).matches()) {
            return "keyvault.keys.rotate";
        }
        if (POLICY.matcher(p).matches()) {
            return m.equals("PUT") ? "keyvault.keys.setRotationPolicy" : "keyvault.keys.getRotationPolicy";
        }
        Matcher c = CRYPTO.matcher(p);
        if (c.matches()) {
            return switch (c.group(3)) {
                case "encrypt" -> "keyvault.keys.encrypt";
                case "decrypt" -> "keyvault.keys.decrypt";
                case "wrapkey" -> "keyvault.keys.wrapKey";
                case "unwrapkey" -> "keyvault.keys.unwrapKey";
                case "sign" -> "keyvault.keys.sign";
                default -> "keyvault.keys.verify";
            };
        }
        if (KEY.matcher(p).matches()) {
            return switch (m) {
                case "PATCH" -> "keyvault.keys.update";
                case "DELETE" -> "keyvault.keys.delete";
                default -> "keyvault.keys.get";
            };
        }
        if (DELETED_LIST.matcher(p).matches()) {
            return "keyvault.keys.listDeleted";
        }
        if (RECOVER.matcher(p).matches()) {
            return "keyvault.keys.recover";
        }
        if (DELETED.matcher(p).matches()) {
            return m.equals("DELETE") ? "keyvault.keys.purge" : "keyvault.keys.getDeleted";
        }
        return "keyvault.unknown";
    }

    /** The challenge KeyVaultCredentialPolicy parses: the tenant from {@code authorization}, the scope from {@code resource}. */
    private static String challenge(String tenantId) {
        return "Bearer authorization=\"https://login.microsoftonline.com/" + tenantId
                + "\", resource=\"https://vault.azure.net\"";
    }

    @Override
    public Http.Response handle(Http.Request r, String operation) {
        Resources.Vault vault;
        synchronized (emulator.lock) {
            vault = emulator.resources.vaultByHost(r.host()).orElse(null);
        }
        if (vault == null) {
            return error(404, "VaultNotFound", "The vault " + r.host() + " was not found.", null);
        }
        Auth.Check auth = Auth.check(emulator.tokens, r, "https://vault.azure.net", "https://vault.azure.net/");
        if (!auth.ok()) {
            String message = switch (auth.problem()) {
                case MISSING -> "AKV10000: Request is missing a Bearer or PoP token.";
                case EXPIRED -> "AKV10032: Token expired at " + auth.claims().expiresAt() + ".";
                case WRONG_AUDIENCE ->
                    "AKV10022: Invalid audience. Expected https://vault.azure.net, found: "
                            + auth.claims().audience() + ".";
                default -> "AKV10022: Invalid token: the signature could not be validated.";
            };
            return error(401, "Unauthorized", message, null).header("WWW-Authenticate", challenge(vault.tenantId));
        }
        Tokens.Claims caller = auth.claims();
        if (!caller.tenantId().equals(vault.tenantId)) {
            return error(
                            401,
                            "Unauthorized",
                            "AKV10032: Invalid issuer. Expected one of https://sts.windows.net/" + vault.tenantId
                                    + "/, https://login.microsoftonline.com/" + vault.tenantId + "/v2.0, found "
                                    + caller.issuer() + ".",
                            null)
                    .header("WWW-Authenticate", challenge(vault.tenantId));
        }
        String apiVersion = r.param("api-version");
        if (apiVersion == null || !API_VERSIONS.contains(apiVersion)) {
            return error(
                    400,
                    "BadParameter",
                    apiVersion == null
                            ? "The api-version query parameter is required for all requests."
                            : "The specified version (" + apiVersion + ") is not recognized. Consider using the latest"
                                    + " supported version (" + API_VERSIONS.get(API_VERSIONS.size() - 1) + ").",
                    null);
        }
        if (operation.equals("keyvault.unknown")) {
            return error(400, "BadParameter", "The request URI is not valid: " + r.path(), null);
        }
        if (vault.publicNetworkAccess.equalsIgnoreCase("Disabled")) {
            // https://learn.microsoft.com/azure/key-vault/general/network-security
            return error(
                    403,
                    "Forbidden",
                    "Public network access is disabled and request is not from a trusted"
                            + " service nor via an approved private link.\r\nCaller: " + callerText(caller)
                            + "\r\nVault: "
                            + vault.name + ";location=" + vault.location,
                    "ForbiddenByConnection");
        }
        String keyName = keyName(r.path());
        synchronized (emulator.lock) {
            Http.Response refused = authorize(vault, caller, operation, keyName);
            if (refused != null) {
                return refused;
            }
        }
        try {
            return new KeyOperations(emulator, vault, r.host()).run(r, operation, keyName);
        } catch (Http.BadBody e) {
            return error(400, "BadParameter", "The request body is not valid JSON: " + e.getMessage(), null);
        }
    }

    static String keyName(String path) {
        Matcher m = Pattern.compile("/(?:keys|deletedkeys)/([^/]+).*").matcher(path);
        return m.matches() ? m.group(1) : null;
    }

    private static String callerText(Tokens.Claims caller) {
        return "appid=" + caller.appId() + ";oid=" + caller.objectId() + ";iss=" + caller.issuer();
    }

    private Http.Response authorize(Resources.Vault vault, Tokens.Claims caller, String operation, String keyName) {
        String resource = keyName == null ? vault.id() : vault.id() + "/keys/" + keyName;
        if (vault.rbacAuthorization) {
            String action = DATA_ACTIONS.get(operation);
            if (emulator.rbac
                    .granting(caller.objectId(), resource, action, true, Instant.now())
                    .isPresent()) {
                return null;
            }
            // https://learn.microsoft.com/azure/key-vault/general/rbac-guide#troubleshooting
            return error(
                    403,
                    "Forbidden",
                    "Caller is not authorized to perform action on resource.\r\nIf role assignments, deny assignments"
                            + " or role definitions were changed recently, please observe propagation time.\r\nCaller: "
                            + callerText(caller) + "\r\nAction: '" + action + "'\r\nResource: '"
                            + resource.toLowerCase(Locale.ROOT) + "'\r\nAssignment: (not found)\r\nDenyAssignmentId:"
                            + " null\r\nDecisionReason: null \r\nVault: " + vault.name + ";location=" + vault.location
                            + "\r\n",
                    "ForbiddenByRbac");
        }
        String permission = POLICY_PERMISSIONS.get(operation);
        for (JsonNode policy : vault.accessPolicies) {
            if (policy.path("objectId").asText().equalsIgnoreCase(caller.objectId())
                    && policy.path("tenantId").asText().equalsIgnoreCase(vault.tenantId)) {
                for (JsonNode p : policy.path("permissions").path("keys")) {
                    if (p.asText().equalsIgnoreCase(permission) || p.asText().equalsIgnoreCase("all")) {
                        return null;
                    }
                }
            }
        }
        // https://learn.microsoft.com/azure/key-vault/general/troubleshooting-access-issues
        return error(
                403,
                "Forbidden",
                "The user, group or application '" + callerText(caller) + "' does not have keys "
                        + permission + " permission on key vault '" + vault.name + ";location=" + vault.location
                        + "'. For help"
                        + " resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125287",
                "AccessDenied");
    }

    static Http.Response error(int status, String code, String message, String innerCode) {
        ObjectNode body = Http.object();
        ObjectNode error = body.putObject("error").put("code", code).put("message", message);
        if (innerCode != null) {
            error.putObject("innererror").put("code", innerCode);
        }
        return Http.Response.json(status, body);
    }

    @Override
    public Http.Response throttled(Http.Request r, String operation, long retryAfterSeconds) {
        // https://learn.microsoft.com/azure/key-vault/general/overview-throttling
        return error(
                        429,
                        "Throttled",
                        "Request was not allowed because application's rate limit was exceeded. Retry" + " after "
                                + retryAfterSeconds + " seconds.",
                        null)
                .header("Retry-After", Long.toString(retryAfterSeconds));
    }

    @Override
    public Http.Response denied(Http.Request r, String operation) {
        Tokens.Claims caller =
                Auth.check(emulator.tokens, r, "https://vault.azure.net").claims();
        String who = caller == null ? "unknown" : callerText(caller);
        return error(
                403,
                "Forbidden",
                "Caller is not authorized to perform action on resource.\r\nCaller: " + who
                        + "\r\nAction: '" + DATA_ACTIONS.getOrDefault(operation, operation)
                        + "'\r\nAssignment: (not found)"
                        + "\r\nVault: " + r.host().replace(".vault.azure.net", "") + "\r\n",
                "ForbiddenByRbac");
    }

    @Override
    public Http.Response serverError(Http.Request r, String operation, int status) {
        return status == 503
                ? error(
                        503,
                        "ServiceUnavailable",
                        "The service is temporarily unavailable. Injected by the emulator.",
                        null)
                : error(status, "InternalServerError", "An unexpected error occurred. Injected by the emulator.", null);
    }

    Optional<Resources.Vault> vault(String host) {
        synchronized (emulator.lock) {
            return emulator.resources.vaultByHost(host);
        }
    }
}
