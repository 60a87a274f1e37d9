package dev.cmek.azure.emulator;

import com.fasterxml.jackson.databind.JsonNode;
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
 * Azure Resource Manager: subscriptions, resource groups, Key Vault vaults, role definitions and role assignments,
 * with ARM's token checks, authorization checks and error bodies
 * (https://learn.microsoft.com/azure/azure-resource-manager/management/common-deployment-errors).
 */
final class ArmService implements Service {
    private static final int F = Pattern.CASE_INSENSITIVE;
    static final Pattern SUBSCRIPTION = Pattern.compile("/subscriptions/([^/]+)", F);
    static final Pattern RESOURCE_GROUP = Pattern.compile("/subscriptions/([^/]+)/resourceGroups/([^/]+)", F);
    static final Pattern VAULTS_IN_GROUP =
            Pattern.compile("/subscriptions/([^/]+)/resourceGroups/([^/]+)/providers/Microsoft\\.KeyVault/vaults", F);
    static final Pattern VAULT = Pattern.compile(
            "/subscriptions/([^/]+)/resourceGroups/([^/]+)/providers/Microsoft\\.KeyVault/vaults/([^/]+)", F);
    static final Pattern VAULTS_IN_SUBSCRIPTION =
            Pattern.compile("/subscriptions/([^/]+)/providers/Microsoft\\.KeyVault/vaults", F);
    static final Pattern CHECK_NAME =
            Pattern.compile("/subscriptions/([^/]+)/providers/Microsoft\\.KeyVault/checkNameAvailability", F);
    static final Pattern ROLE_DEFINITIONS =
            Pattern.compile("(.*?)/providers/Microsoft\\.Authorization/roleDefinitions(?:/([^/]+))?", F);
    static final Pattern ROLE_ASSIGNMENTS =
            Pattern.compile("(.*?)/providers/Microsoft\\.Authorization/roleAssignments(?:/([^/]+))?", F);
    static final Pattern KEY_SCOPE = Pattern.compile(VAULT.pattern() + "/keys/([^/]+)", F);
    private static final Pattern GUID =
            Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    /** Key Vault names: https://learn.microsoft.com/azure/key-vault/general/about-keys-secrets-certificates#vault-name-and-object-name */
    static final Pattern VAULT_NAME = Pattern.compile("[a-zA-Z](?!.*--)[a-zA-Z0-9-]{1,22}[a-zA-Z0-9]");

    private static final Pattern PRINCIPAL_FILTER = Pattern.compile("principalId\\s+eq\\s+'([^']+)'", F);
    private static final Pattern ASSIGNED_TO_FILTER = Pattern.compile("assignedTo\\('([^']+)'\\)", F);
    private static final Pattern ROLE_NAME_FILTER = Pattern.compile("roleName\\s+eq\\s+'([^']+)'", F);

    /** The api-versions each resource provider accepts here; the first is the one the SDK pinned above sends. */
    static final List<String> RESOURCES_API = List.of(
            "2025-04-01",
            "2025-03-01",
            "2024-11-01",
            "2024-07-01",
            "2024-03-01",
            "2023-07-01",
            "2022-12-01",
            "2022-09-01",
            "2021-04-01",
            "2021-01-01",
            "2020-06-01",
            "2019-10-01");

    static final List<String> KEYVAULT_API = List.of(
            "2025-05-01",
            "2024-12-01-preview",
            "2024-11-01",
            "2024-04-01-preview",
            "2023-07-01",
            "2023-02-01",
            "2022-11-01",
            "2022-07-01",
            "2021-10-01",
            "2021-06-01-preview",
            "2019-09-01",
            "2018-02-14");
    static final List<String> AUTHORIZATION_API = List.of(
            "2022-04-01",
            "2022-05-01-preview",
            "2022-01-01-preview",
            "2020-10-01-preview",
            "2020-08-01-preview",
            "2020-04-01-preview",
            "2018-09-01-preview",
            "2018-07-01",
            "2018-01-01-preview",
            "2017-05-01",
            "2015-07-01");
    static final Set<String> LOCATIONS = Set.of(
            "eastus",
            "eastus2",
            "westus",
            "westus2",
            "westus3",
            "centralus",
            "northcentralus",
            "southcentralus",
            "westcentralus",
            "canadacentral",
            "canadaeast",
            "brazilsouth",
            "northeurope",
            "westeurope",
            "uksouth",
            "ukwest",
            "francecentral",
            "germanywestcentral",
            "switzerlandnorth",
            "norwayeast",
            "swedencentral",
            "centralindia",
            "southindia",
            "westindia",
            "eastasia",
            "southeastasia",
            "japaneast",
            "japanwest",
            "koreacentral",
            "australiaeast",
            "australiasoutheast",
            "southafricanorth",
            "uaenorth");

    private final AzureEmulator emulator;

    ArmService(AzureEmulator emulator) {
        this.emulator = emulator;
    }

    /** ARM ignores repeated and trailing slashes: the SDKs send {@code //subscriptions/...} for scope templates. */
    static String trim(String path) {
        String p = path.replaceAll("/{2,}", "/");
        return p.length() > 1 && p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    }

    @Override
    public String operation(Http.Request r) {
        String p = trim(r.path());
        String m = r.method();
        if (ROLE_ASSIGNMENTS.matcher(p).matches()) {
            Matcher a = ROLE_ASSIGNMENTS.matcher(p);
            a.matches();
            if (a.group(2) == null) {
                return "arm.roleAssignments.list";
            }
            return switch (m) {
                case "PUT" -> "arm.roleAssignments.put";
                case "DELETE" -> "arm.roleAssignments.delete";
                default -> "arm.roleAssignments.get";
            };
        }
        if (ROLE_DEFINITIONS.matcher(p).matches()) {
            Matcher d = ROLE_DEFINITIONS.matcher(p);
            d.matches();
            return d.group(2) == null ? "arm.roleDefinitions.list" : "arm.roleDefinitions.get";
        }
        if (VAULT.matcher(p).matches()) {
            return switch (m) {
                case "PUT" -> "arm.vaults.put";
                case "PATCH" -> "arm.vaults.patch";
                case "DELETE" -> "arm.vaults.delete";
                default -> "arm.vaults.get";
            };
        }
        if (VAULTS_IN_GROUP.matcher(p).matches()) {
            return "arm.vaults.listByResourceGroup";
        }
        if (VAULTS_IN_SUBSCRIPTION.matcher(p).matches()) {
            return "arm.vaults.list";
        }
        if (CHECK_NAME.matcher(p).matches()) {
            return "arm.vaults.checkNameAvailability";
        }
        if (RESOURCE_GROUP.matcher(p).matches()) {
            return switch (m) {
                case "PUT" -> "arm.resourceGroups.put";
                case "HEAD" -> "arm.resourceGroups.checkExistence";
                case "DELETE" -> "arm.resourceGroups.delete";
                default -> "arm.resourceGroups.get";
            };
        }
        if (SUBSCRIPTION.matcher(p).matches()) {
            return "arm.subscriptions.get";
        }
        return "arm.unknown";
    }

    /** The permission an operation needs, checked like ARM does against the caller's role assignments. */
    static String action(String operation) {
        return switch (operation) {
            case "arm.roleAssignments.put" -> "Microsoft.Authorization/roleAssignments/write";
            case "arm.roleAssignments.delete" -> "Microsoft.Authorization/roleAssignments/delete";
            case "arm.roleAssignments.get", "arm.roleAssignments.list" ->
                "Microsoft.Authorization/roleAssignments/read";
            case "arm.roleDefinitions.get", "arm.roleDefinitions.list" ->
                "Microsoft.Authorization/roleDefinitions/read";
            case "arm.vaults.put", "arm.vaults.patch" -> "Microsoft.KeyVault/vaults/write";
            case "arm.vaults.delete" -> "Microsoft.KeyVault/vaults/delete";
            case "arm.vaults.get", "arm.vaults.list", "arm.vaults.listByResourceGroup" ->
                "Microsoft.KeyVault/vaults/read";
            case "arm.vaults.checkNameAvailability" -> "Microsoft.KeyVault/checkNameAvailability/read";
            case "arm.resourceGroups.put" -> "Microsoft.Resources/subscriptions/resourceGroups/write";
            case "arm.resourceGroups.delete" -> "Microsoft.Resources/subscriptions/resourceGroups/delete";
            case "arm.resourceGroups.get", "arm.resourceGroups.checkExistence" ->
                "Microsoft.Resources/subscriptions/resourceGroups/read";
            default -> "Microsoft.Resources/subscriptions/read";
        };
    }

    /** The resource id an operation is authorized against. */
    private static String target(Http.Request r, String operation) {
        String p = trim(r.path());
        if (operation.startsWith("arm.roleAssignments.") || operation.startsWith("arm.roleDefinitions.")) {
            Matcher m = (operation.startsWith("arm.roleAssignments.") ? ROLE_ASSIGNMENTS : ROLE_DEFINITIONS).matcher(p);
            m.matches();
            return m.group(1).isEmpty() ? "/" : m.group(1);
        }
        if (operation.equals("arm.vaults.list") || operation.equals("arm.vaults.checkNameAvailability")) {
            Matcher m = SUBSCRIPTION.matcher("");
            m = Pattern.compile("(/subscriptions/[^/]+).*", F).matcher(p);
            m.matches();
            return m.group(1);
        }
        if (operation.equals("arm.vaults.listByResourceGroup")) {
            Matcher m = VAULTS_IN_GROUP.matcher(p);
            m.matches();
            return "/subscriptions/" + m.group(1) + "/resourceGroups/" + m.group(2);
        }
        return p;
    }

    private static List<String> apiVersions(String operation) {
        if (operation.startsWith("arm.vaults.")) {
            return KEYVAULT_API;
        }
        if (operation.startsWith("arm.role")) {
            return AUTHORIZATION_API;
        }
        return RESOURCES_API;
    }

    @Override
    public Http.Response handle(Http.Request r, String operation) {
        if (operation.equals("arm.unknown")) {
            return error(
                    404,
                    "InvalidResourceType",
                    "The resource type could not be found in the namespace for the" + " path '" + r.path() + "'.");
        }
        String apiVersion = r.param("api-version");
        if (apiVersion == null || apiVersion.isEmpty()) {
            return error(
                    400,
                    "MissingApiVersionParameter",
                    "The api-version query parameter (?api-version=) is" + " required for all requests.");
        }
        if (!apiVersions(operation).contains(apiVersion)) {
            if (operation.startsWith("arm.vaults.")) {
                return error(
                        400,
                        "NoRegisteredProviderFound",
                        "No registered resource provider found for location"
                                + " 'global' and API version '" + apiVersion + "' for type 'vaults'. The supported"
                                + " api-versions are '" + String.join(", ", KEYVAULT_API) + "'.");
            }
            return error(
                    400,
                    "InvalidApiVersionParameter",
                    "The api-version '" + apiVersion + "' is invalid. The" + " supported versions are '"
                            + String.join(",", apiVersions(operation)) + "'.");
        }
        Auth.Check auth = Auth.check(
                emulator.tokens,
                r,
                "https://management.azure.com/",
                "https://management.azure.com",
                "https://management.core.windows.net/",
                "https://management.core.windows.net");
        if (!auth.ok()) {
            return unauthenticated(auth);
        }
        Tokens.Claims caller = auth.claims();
        Matcher sub = Pattern.compile("/subscriptions/([^/]+).*", F).matcher(trim(r.path()));
        synchronized (emulator.lock) {
            if (sub.matches()) {
                String subscriptionId = sub.group(1);
                String owner = emulator.tenantOfSubscription(subscriptionId);
                if (owner == null) {
                    return error(
                            404,
                            "SubscriptionNotFound",
                            "The subscription '" + subscriptionId + "' could not be" + " found.");
                }
                if (!caller.tenantId().equalsIgnoreCase(owner)) {
                    return error(
                                    401,
                                    "InvalidAuthenticationTokenTenant",
                                    "The access token is from the wrong issuer '" + caller.issuer() + "'. It must"
                                            + " match the tenant 'https://sts.windows.net/" + owner
                                            + "/' associated with this subscription. Please use the authority (URL)"
                                            + " 'https://login.windows.net/" + owner + "' to get"
                                            + " the token.")
                            .header(
                                    "WWW-Authenticate",
                                    "Bearer authorization_uri=\"https://login.windows.net/"
                                            + owner
                                            + "\", error=\"invalid_token\", error_description="
                                            + "\"The access token is from the wrong issuer.\"");
                }
            }
            String resource = target(r, operation);
            String action = action(operation);
            if (emulator.rbac
                    .granting(caller.objectId(), resource, action, false, Instant.now())
                    .isEmpty()) {
                return authorizationFailed(caller, action, resource);
            }
            try {
                return new ArmOperations(emulator, caller).run(r, operation);
            } catch (Http.BadBody e) {
                return error(
                        400,
                        "InvalidRequestContent",
                        "The request content was invalid and could not be" + " deserialized: '" + e.getMessage()
                                + "'.");
            }
        }
    }

    private Http.Response unauthenticated(Auth.Check auth) {
        Http.Response response = switch (auth.problem()) {
            case MISSING ->
                error(
                        401,
                        "AuthenticationFailed",
                        "Authentication failed. The 'Authorization' header is" + " missing.");
            case EXPIRED ->
                error(
                        401,
                        "ExpiredAuthenticationToken",
                        "The access token expiry UTC time '" + auth.claims().expiresAt()
                                + "' is earlier than current UTC time '" + Instant.now() + "'.");
            case WRONG_AUDIENCE ->
                error(
                        401,
                        "InvalidAuthenticationTokenAudience",
                        "The access token has been"
                                + " obtained for wrong audience or resource '"
                                + auth.claims().audience() + "'. It should exactly"
                                + " match with one of the allowed audiences 'https://management.core.windows.net/',"
                                + "'https://management.core.windows.net','https://management.azure.com/',"
                                + "'https://management.azure.com'.");
            default -> error(401, "InvalidAuthenticationToken", "The access token is invalid.");
        };
        return response.header(
                "WWW-Authenticate",
                "Bearer authorization_uri=\"https://login.windows.net/\", error=\"invalid_token\","
                        + " error_description=\"The authentication failed because of missing 'Authorization'"
                        + " header.\"");
    }

    /** https://learn.microsoft.com/azure/role-based-access-control/troubleshooting#symptom---authorization-failed */
    Http.Response authorizationFailed(Tokens.Claims caller, String action, String scope) {
        return error(
                403,
                "AuthorizationFailed",
                "The client '" + caller.appId() + "' with object id '"
                        + caller.objectId() + "' does not have authorization to perform action '" + action
                        + "' over scope '"
                        + scope + "' or the scope is invalid. If access was recently granted, please refresh your"
                        + " credentials.");
    }

    static Http.Response error(int status, String code, String message) {
        ObjectNode body = Http.object();
        body.putObject("error").put("code", code).put("message", message);
        return Http.Response.json(status, body);
    }

    @Override
    public Http.Response throttled(Http.Request r, String operation, long retryAfterSeconds) {
        // https://learn.microsoft.com/azure/azure-resource-manager/management/request-limits-and-throttling
        boolean read = r.method().equals("GET") || r.method().equals("HEAD");
        Tokens.Claims caller = Auth.check(
                        emulator.tokens, r, "https://management.azure.com/", "https://management.azure.com")
                .claims();
        return error(
                        429,
                        "SubscriptionRequestsThrottled",
                        "Number of '" + (read ? "read" : "write") + "' requests"
                                + " for subscription '" + emulator.subscriptionId + "' actor '"
                                + (caller == null ? "unknown" : caller.objectId())
                                + "' exceeded. Please try again after '"
                                + retryAfterSeconds + "' seconds after additional tokens are available. Refer to"
                                + " https://aka.ms/arm-throttling")
                .header("Retry-After", Long.toString(retryAfterSeconds))
                .header(
                        read
                                ? "x-ms-ratelimit-remaining-subscription-reads"
                                : "x-ms-ratelimit-remaining-subscription-writes",
                        "0");
    }

    @Override
    public Http.Response denied(Http.Request r, String operation) {
        Tokens.Claims caller = Auth.check(
                        emulator.tokens, r, "https://management.azure.com/", "https://management.azure.com")
                .claims();
        if (caller == null) {
            caller = new Tokens.Claims(
                    "", emulator.customerTenantId, "00000000-0000-0000-0000-000000000000", "unknown", Instant.now());
        }
        return authorizationFailed(caller, action(operation), target(r, operation));
    }

    @Override
    public Http.Response serverError(Http.Request r, String operation, int status) {
        String id = UUID.randomUUID().toString();
        return status == 503
                ? error(503, "ServiceUnavailable", "The service is temporarily unavailable. Injected by the emulator.")
                : error(
                        status,
                        "InternalServerError",
                        "Encountered internal server error. Diagnostic information:"
                                + " timestamp '" + Instant.now() + "', subscription id '" + emulator.subscriptionId
                                + "', tracking id '" + id + "', request correlation id '" + id + "'.");
    }

    static boolean isGuid(String s) {
        return s != null && GUID.matcher(s).matches();
    }

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }

    static Optional<String> principalFilter(String filter) {
        Matcher m = PRINCIPAL_FILTER.matcher(filter);
        if (m.find()) {
            return Optional.of(m.group(1));
        }
        Matcher a = ASSIGNED_TO_FILTER.matcher(filter);
        return a.find() ? Optional.of(a.group(1)) : Optional.empty();
    }

    static Optional<String> roleNameFilter(String filter) {
        Matcher m = ROLE_NAME_FILTER.matcher(filter);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    static Map<String, String> tags(JsonNode node) {
        Map<String, String> tags = new java.util.LinkedHashMap<>();
        if (node != null && node.isObject()) {
            node.fields()
                    .forEachRemaining(e -> tags.put(e.getKey(), e.getValue().asText()));
        }
        return tags;
    }
}
