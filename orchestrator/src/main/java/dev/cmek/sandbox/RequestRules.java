package dev.cmek.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the API checks in a request before anything changes: body shapes, key types against the cluster's cloud, key
 * URIs and principals, region coverage, query parameters. Every refusal is an {@link ApiError} carrying the spec's
 * error body; none depends on CMEK state (that is {@link ClusterCmek}'s).
 */
final class RequestRules {

    private static final Set<String> KEY_TYPES = Set.of("AWS_KMS", "GCP_CLOUD_KMS", "AZURE_KEY_VAULT", "NULL_KMS");
    private static final Map<String, String> KEY_TYPE_FOR_CLOUD =
            Map.of("AWS", "AWS_KMS", "GCP", "GCP_CLOUD_KMS", "AZURE", "AZURE_KEY_VAULT");
    private static final Pattern AWS_KEY_ARN =
            Pattern.compile("arn:aws[a-z-]*:kms:[a-z0-9-]+:\\d{12}:(key/[A-Za-z0-9-]+|alias/[A-Za-z0-9/_-]+)");
    private static final Pattern AWS_ROLE_ARN = Pattern.compile("arn:aws[a-z-]*:iam::\\d{12}:role/[\\w+=,.@/-]+");
    private static final Pattern GCP_KEY_NAME = Pattern.compile(
            "projects/[a-z][a-z0-9-]{4,28}[a-z0-9]/locations/[a-z0-9-]+/keyRings/[\\w-]+/cryptoKeys/[\\w-]+");
    private static final Pattern GCP_SERVICE_ACCOUNT =
            Pattern.compile("[a-z][a-z0-9-]{4,28}[a-z0-9]@[a-z][a-z0-9-]{4,28}[a-z0-9]\\.iam\\.gserviceaccount\\.com");
    // Identifiers and 32-hex versions:
    // https://learn.microsoft.com/azure/key-vault/general/about-keys-secrets-certificates
    // Vault names:
    // https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules#microsoftkeyvault
    private static final Pattern AZURE_KEY_URI =
            Pattern.compile("https://(?i:[a-z](?![a-z0-9-]*--)[a-z0-9-]{1,22}[a-z0-9])"
                    + "\\.vault\\.azure\\.net/keys/[0-9A-Za-z-]{1,127}(/[0-9a-f]{32})?");
    private static final Pattern GUID =
            Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private static final List<String> UNSUPPORTED_UPDATE_FIELDS = List.of(
            "cockroach_version", "delete_protection", "labels", "parent_id", "plan", "serverless", "upgrade_status");
    private static final String UPDATE_SCOPE =
            "the sandbox supports only dedicated.region_nodes and dedicated.cmek_region_specs in a cluster update; got ";

    private RequestRules() {}

    /** The parts of {@code PATCH /api/v1/clusters/{id}} the sandbox serves, shape-checked. */
    record ClusterUpdate(JsonNode regionNodes, JsonNode cmekRegionSpecs) {}

    /**
     * The {@code region_specs} (or {@code dedicated.cmek_region_specs}) of a request: region to key, in request order;
     * refuses duplicates, missing fields, a key type of another cloud, and malformed URIs or principals.
     */
    static Map<String, KeySpecCheck.RegionKey> regionSpecs(
            String clusterId, String cloudProvider, JsonNode specs, String field) {
        if (specs == null || specs.isNull()) {
            throw ApiError.invalidArgument(field + " is required");
        }
        if (!specs.isArray()) {
            throw ApiError.invalidArgument(field + " must be an array of {region, key_spec}");
        }
        Map<String, KeySpecCheck.RegionKey> result = new LinkedHashMap<>();
        for (int i = 0; i < specs.size(); i++) {
            JsonNode spec = specs.get(i);
            String where = field + "[" + i + "]";
            String region = spec.path("region").asText("");
            if (region.isBlank()) {
                throw ApiError.invalidArgument(where + ".region is required");
            }
            if (result.containsKey(region)) {
                throw ApiError.invalidArgument("region " + region + " is listed more than once in " + field);
            }
            JsonNode keySpec = spec.get("key_spec");
            if (keySpec == null || !keySpec.isObject()) {
                throw ApiError.invalidArgument(where + ".key_spec is required for region " + region);
            }
            result.put(region, key(clusterId, cloudProvider, region, keySpec, where + ".key_spec"));
        }
        return result;
    }

    /** Enable must name every region of the cluster and no other. */
    static void requireEveryRegion(String clusterId, Set<String> clusterRegions, Set<String> specRegions) {
        Set<String> missing = new LinkedHashSet<>(clusterRegions);
        missing.removeAll(specRegions);
        Set<String> extra = new LinkedHashSet<>(specRegions);
        extra.removeAll(clusterRegions);
        if (!missing.isEmpty() || !extra.isEmpty()) {
            throw ApiError.invalidArgument("region_specs must cover every region of cluster " + clusterId
                    + " exactly; missing: " + missing + ", not in cluster: " + extra);
        }
    }

    /** A rotation names at least one region. */
    static void requireSomeRegion(Map<String, KeySpecCheck.RegionKey> specs) {
        if (specs.isEmpty()) {
            throw ApiError.invalidArgument("region_specs must name at least one region to rotate");
        }
    }

    /** {@code {"action": "REVOKE"}}, the only action of {@code PATCH .../cmek}. */
    static void requireRevokeAction(JsonNode body) {
        JsonNode action = body.get("action");
        if (action == null || action.isNull()) {
            throw ApiError.invalidArgument("action is required; the only action is REVOKE");
        }
        if (!action.asText().equals("REVOKE")) {
            throw ApiError.invalidArgument("unknown action " + action.asText() + "; the only action is REVOKE");
        }
    }

    /** The shape of a cluster update: only node counts and new regions' key specs, with node counts given. */
    static ClusterUpdate clusterUpdate(JsonNode body) {
        for (String field : UNSUPPORTED_UPDATE_FIELDS) {
            if (body.has(field)) {
                throw ApiError.invalidArgument(UPDATE_SCOPE + field);
            }
        }
        JsonNode dedicated = body.path("dedicated");
        if (dedicated.has("hardware")) {
            throw ApiError.invalidArgument(UPDATE_SCOPE + "dedicated.hardware");
        }
        JsonNode regionNodes = dedicated.get("region_nodes");
        JsonNode cmekSpecs = dedicated.get("cmek_region_specs");
        if (regionNodes == null || regionNodes.isNull()) {
            throw ApiError.invalidArgument(
                    cmekSpecs != null
                            ? "dedicated.cmek_region_specs needs dedicated.region_nodes listing every region, old and new"
                            : "nothing to update: give dedicated.region_nodes");
        }
        if (!regionNodes.isObject()) {
            throw ApiError.invalidArgument("dedicated.region_nodes must be an object of region name to node count");
        }
        return new ClusterUpdate(regionNodes, cmekSpecs == null || cmekSpecs.isNull() ? null : cmekSpecs);
    }

    /** Region name to a positive node count; every existing region must be listed (the sandbox removes none). */
    static Map<String, Integer> nodeCounts(String clusterId, Set<String> existingRegions, JsonNode regionNodes) {
        Map<String, Integer> requested = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = regionNodes.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().canConvertToInt()
                    || !e.getValue().isIntegralNumber()
                    || e.getValue().asInt() < 1) {
                throw ApiError.invalidArgument("node count for region " + e.getKey() + " must be a positive integer");
            }
            requested.put(e.getKey(), e.getValue().asInt());
        }
        Set<String> missing = new LinkedHashSet<>(existingRegions);
        missing.removeAll(requested.keySet());
        if (!missing.isEmpty()) {
            throw ApiError.invalidArgument("dedicated.region_nodes must list every existing region of cluster "
                    + clusterId + " (the sandbox does not remove regions); missing: " + missing);
        }
        return requested;
    }

    /**
     * With CMEK enabled, {@code cmek_region_specs} names exactly the added regions; without it, none at all.
     *
     * @param added regions in {@code region_nodes} the cluster does not have yet
     */
    static void requireSpecsForAddedRegions(
            String clusterId,
            boolean cmekEnabled,
            Set<String> existingRegions,
            Set<String> added,
            Map<String, KeySpecCheck.RegionKey> specs) {
        if (!cmekEnabled) {
            if (!specs.isEmpty()) {
                throw ApiError.invalidArgument(
                        "dedicated.cmek_region_specs given but CMEK is not enabled on cluster " + clusterId);
            }
            return;
        }
        for (String region : specs.keySet()) {
            if (existingRegions.contains(region)) {
                throw ApiError.invalidArgument("dedicated.cmek_region_specs may list only new regions; region " + region
                        + " already exists in cluster " + clusterId);
            }
            if (!added.contains(region)) {
                throw ApiError.invalidArgument("dedicated.cmek_region_specs names region " + region
                        + " which is not in dedicated.region_nodes");
            }
        }
        for (String region : added) {
            if (!specs.containsKey(region)) {
                throw ApiError.invalidArgument("new region " + region + " needs an entry in"
                        + " dedicated.cmek_region_specs because CMEK is enabled on cluster " + clusterId);
            }
        }
    }

    /**
     * The query of {@code GET /api/v1/clusters}. Unknown parameters are ignored, as grpc-gateway ignores query
     * parameters that name no request field; a parameter given twice is refused, as it refuses a second value for a
     * field that is not repeated.
     */
    static ClusterListing.Query listQuery(String rawQuery) {
        Map<String, String> params = queryParameters(rawQuery);
        boolean showInactive = Optional.ofNullable(params.get("show_inactive"))
                .map(v -> bool("show_inactive", v))
                .orElse(false);
        int limit = Optional.ofNullable(params.get("pagination.limit"))
                .map(RequestRules::pageLimit)
                .orElse(0);
        ClusterListing.SortBy sortBy = Optional.ofNullable(params.get("pagination.sort_by"))
                .map(v -> oneOf("pagination.sort_by", v, ClusterListing.SortBy.class))
                .orElse(ClusterListing.SortBy.NAME);
        ClusterListing.SortOrder order = Optional.ofNullable(params.get("pagination.sort_order"))
                .map(v -> oneOf("pagination.sort_order", v, ClusterListing.SortOrder.class))
                .orElse(ClusterListing.SortOrder.ASC);
        Optional<Instant> asOf =
                Optional.ofNullable(params.get("pagination.as_of_time")).map(RequestRules::timestamp);
        Optional<String> page =
                Optional.ofNullable(params.get("pagination.page")).filter(p -> !p.isEmpty());
        return new ClusterListing.Query(showInactive, limit, page, sortBy, order, asOf);
    }

    private static Map<String, String> queryParameters(String rawQuery) {
        Map<String, String> params = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return params;
        }
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            if (params.put(name, value) != null) {
                throw ApiError.invalidArgument("query parameter " + name + " is given more than once");
            }
        }
        return params;
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw ApiError.invalidArgument("malformed query string: " + e.getMessage());
        }
    }

    /** The spellings Go's strconv.ParseBool accepts, which is what grpc-gateway parses booleans with. */
    private static boolean bool(String name, String value) {
        return switch (value) {
            case "1", "t", "T", "true", "TRUE", "True" -> true;
            case "0", "f", "F", "false", "FALSE", "False" -> false;
            default -> throw ApiError.invalidArgument(name + " must be true or false, got '" + value + "'");
        };
    }

    private static int pageLimit(String value) {
        int limit;
        try {
            limit = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw ApiError.invalidArgument("pagination.limit must be a 32-bit integer, got '" + value + "'");
        }
        if (limit < 0) {
            throw ApiError.invalidArgument("pagination.limit must not be negative, got " + limit);
        }
        return limit;
    }

    private static <E extends Enum<E>> E oneOf(String name, String value, Class<E> type) {
        try {
            return Enum.valueOf(type, value);
        } catch (IllegalArgumentException e) {
            throw ApiError.invalidArgument(
                    name + " must be one of " + List.of(type.getEnumConstants()) + ", got '" + value + "'");
        }
    }

    private static Instant timestamp(String value) {
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw ApiError.invalidArgument(
                    "pagination.as_of_time must be an RFC 3339 timestamp like 2024-06-01T12:00:00Z, got '" + value
                            + "'");
        }
    }

    private static KeySpecCheck.RegionKey key(
            String clusterId, String cloudProvider, String region, JsonNode keySpec, String where) {
        String type = keySpec.path("type").asText("");
        String uri = keySpec.path("uri").asText("");
        String principal = keySpec.path("auth_principal").asText("");
        if (!KEY_TYPES.contains(type)) {
            throw ApiError.invalidArgument(where + ".type must be one of "
                    + KEY_TYPES.stream().sorted().toList() + ", got '" + type + "'");
        }
        String expected = KEY_TYPE_FOR_CLOUD.get(cloudProvider);
        if (!type.equals(expected)) {
            throw ApiError.invalidArgument("key type " + type + " does not match cloud provider " + cloudProvider
                    + " of cluster " + clusterId + "; use " + expected + " (region " + region + ")");
        }
        switch (type) {
            case "AWS_KMS" -> {
                check(
                        AWS_KEY_ARN,
                        uri,
                        where + ".uri",
                        "a KMS key ARN like arn:aws:kms:<region>:<account>:key/<key-id>");
                check(
                        AWS_ROLE_ARN,
                        principal,
                        where + ".auth_principal",
                        "an IAM role ARN like arn:aws:iam::<account>:role/<name>");
            }
            case "GCP_CLOUD_KMS" -> {
                check(
                        GCP_KEY_NAME,
                        uri,
                        where + ".uri",
                        "a crypto key name like projects/<p>/locations/<l>/keyRings/<r>/cryptoKeys/<k> (no /cryptoKeyVersions/N)");
                check(
                        GCP_SERVICE_ACCOUNT,
                        principal,
                        where + ".auth_principal",
                        "a service account email like <name>@<project>.iam.gserviceaccount.com");
            }
            default -> {
                Matcher key = AZURE_KEY_URI.matcher(uri);
                if (!key.matches()) {
                    throw ApiError.invalidArgument(where + ".uri must be a Key Vault key identifier like"
                            + " https://<vault>.vault.azure.net/keys/<name>/<version>, got '" + uri + "'");
                }
                // A version's Key Identifier: https://www.cockroachlabs.com/docs/cockroachcloud/managing-cmek
                if (key.group(1) == null) {
                    throw ApiError.invalidArgument(where + ".uri must name a key version"
                            + " (https://<vault>.vault.azure.net/keys/<name>/<32 hex digits>), got '" + uri + "'");
                }
                check(GUID, principal, where + ".auth_principal", "the Azure tenant id (a GUID)");
            }
        }
        return new KeySpecCheck.RegionKey(region, type, uri, principal);
    }

    private static void check(Pattern pattern, String value, String where, String what) {
        if (!pattern.matcher(value).matches()) {
            throw ApiError.invalidArgument(where + " must be " + what + ", got '" + value + "'");
        }
    }
}
