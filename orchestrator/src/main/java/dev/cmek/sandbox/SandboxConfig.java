package dev.cmek.sandbox;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The organization and clusters a sandbox starts with, read from
 * {@code {"organization":{"id":..,"name":..},"clusters":[Cluster...]}} where each cluster uses the API's
 * own Cluster shape. Fields the spec requires but the file omits (DNS names, config, versions...) are
 * filled with plausible values so every answer validates against the OpenAPI spec.
 *
 * <p>A cluster may also carry {@code "cmek": {"region_specs": [...]}}, the body of an enable naming every region:
 * the cluster then starts with CMEK ENABLED on those keys (the field is the sandbox's own and is never served).
 */
public record SandboxConfig(ObjectNode organization, List<ObjectNode> clusters) {

    static final ObjectMapper JSON = new ObjectMapper();
    /** The cluster field holding the CMEK a cluster starts with. */
    static final String CMEK_SEED = "cmek";

    private static final Pattern GUID =
            Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private static final Set<String> PROVIDERS = Set.of("AWS", "GCP", "AZURE");
    private static final Set<String> PLANS = Set.of("BASIC", "STANDARD", "ADVANCED");
    private static final Set<String> STATES = Set.of("CREATING", "CREATED", "CREATION_FAILED", "DELETED", "LOCKED");
    private static final Map<String, String> MACHINE_TYPES =
            Map.of("AWS", "m6i.xlarge", "GCP", "n2-standard-4", "AZURE", "Standard_D4s_v5");
    /** The cluster field naming CockroachDB's multi-tenant app for an Azure cluster. */
    static final String AZURE_CLIENT_ID = "azure_cluster_identity_client_id";

    public SandboxConfig {
        organization = organization.deepCopy();
        clusters = clusters.stream().map(ObjectNode::deepCopy).toList();
    }

    /** Reads and completes a config file; fails with a one-line {@link InvalidSandboxConfigException}. */
    public static SandboxConfig load(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new InvalidSandboxConfigException(
                    file + ": no such file (expected the organization and clusters to serve)");
        } catch (IOException e) {
            throw new InvalidSandboxConfigException(
                    "cannot read sandbox config " + file + ": " + dev.cmek.FileProblem.describe(e));
        }
        try {
            return parse(dev.cmek.StrictJson.withoutByteOrderMark(text));
        } catch (InvalidSandboxConfigException e) {
            throw new InvalidSandboxConfigException(file + ": " + e.getMessage());
        }
    }

    /** Parses and completes config JSON; fails with a one-line {@link InvalidSandboxConfigException}. */
    public static SandboxConfig parse(String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new InvalidSandboxConfigException("not valid JSON: " + e.getOriginalMessage() + " (line "
                    + e.getLocation().getLineNr() + ")");
        }
        if (root == null || !root.isObject()) {
            throw new InvalidSandboxConfigException("expected a JSON object with \"organization\" and \"clusters\"");
        }
        ObjectNode organization = completeOrganization(root.get("organization"));
        JsonNode clusters = root.get("clusters");
        if (clusters == null || !clusters.isArray()) {
            throw new InvalidSandboxConfigException("\"clusters\" must be an array of Cluster objects");
        }
        List<ObjectNode> completed = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < clusters.size(); i++) {
            ObjectNode cluster = completeCluster(clusters.get(i), "clusters[" + i + "]");
            if (!ids.add(cluster.get("id").asText())) {
                throw new InvalidSandboxConfigException(
                        "clusters[" + i + "]: duplicate id " + cluster.get("id").asText());
            }
            completed.add(cluster);
        }
        return new SandboxConfig(organization, completed);
    }

    /** A config with one organization and the given clusters (each in the API's Cluster shape). */
    public static SandboxConfig of(String organizationId, String organizationName, List<? extends JsonNode> clusters) {
        ObjectNode root = JSON.createObjectNode();
        root.putObject("organization").put("id", organizationId).put("name", organizationName);
        ArrayNode array = root.putArray("clusters");
        clusters.forEach(array::add);
        return parse(root.toString());
    }

    private static ObjectNode completeOrganization(JsonNode node) {
        if (node == null || !node.isObject()) {
            throw new InvalidSandboxConfigException("\"organization\" must be an object with \"id\" and \"name\"");
        }
        ObjectNode org = (ObjectNode) node.deepCopy();
        requireText(org, "id", "organization");
        requireText(org, "name", "organization");
        if (!org.hasNonNull("label")) org.put("label", org.get("name").asText());
        if (!org.hasNonNull("created_at")) org.put("created_at", "2024-01-15T10:00:00Z");
        return org;
    }

    private static ObjectNode completeCluster(JsonNode node, String where) {
        if (node == null || !node.isObject()) {
            throw new InvalidSandboxConfigException(where + ": must be a Cluster object");
        }
        ObjectNode c = (ObjectNode) node.deepCopy();
        String id = requireText(c, "id", where);
        if (!GUID.matcher(id).matches()) {
            throw new InvalidSandboxConfigException(where + ": id must be a UUID like the real API's, got " + id);
        }
        where = where + " (" + id + ")";
        requireText(c, "name", where);
        String provider = requireEnum(c, "cloud_provider", PROVIDERS, where, null);
        requireEnum(c, "plan", PLANS, where, "ADVANCED");
        requireEnum(c, "state", STATES, where, "CREATED");
        if (c.has("network_visibility")) {
            String vis = c.get("network_visibility").asText();
            if (!vis.equals("PUBLIC") && !vis.equals("PRIVATE")) {
                throw new InvalidSandboxConfigException(
                        where + ": network_visibility must be PUBLIC or PRIVATE, got " + vis);
            }
        }
        if (!c.hasNonNull("account_id")) {
            // The spec describes account_id for AWS and GCP only; Azure clusters get the same placeholder as AWS.
            c.put("account_id", provider.equals("GCP") ? "crl-prod-" + id.substring(0, 8) : "123456789012");
        }
        completeAzureIdentity(c, provider, where);
        putIfAbsent(c, "cockroach_version", "v24.3.1");
        putIfAbsent(c, "upgrade_status", "FINALIZED");
        putIfAbsent(c, "creator_id", "7cde0cd9-0d8a-4008-8f90-45092ce8afc1");
        putIfAbsent(c, "operation_status", "UNSPECIFIED");
        putIfAbsent(c, "cidr_range", provider.equals("GCP") ? "172.28.0.0/14" : "");
        putIfAbsent(c, "created_at", "2024-06-01T12:00:00Z");
        putIfAbsent(c, "updated_at", c.get("created_at").asText());
        for (String time : List.of("created_at", "updated_at", "deleted_at")) {
            requireTimestamp(c, time, where);
        }
        if (!c.has("labels")) c.putObject("labels");
        if (!c.has("is_customer_cloud_account")) c.put("is_customer_cloud_account", false);
        if (!c.has("config")) {
            c.putObject("config")
                    .putObject("dedicated")
                    .put("machine_type", MACHINE_TYPES.get(provider))
                    .put("num_virtual_cpus", 4)
                    .put("storage_gib", 150)
                    .put("memory_gib", 16.0)
                    .put("disk_iops", 450);
        }
        JsonNode regions = c.get("regions");
        if (regions == null || !regions.isArray() || regions.isEmpty()) {
            throw new InvalidSandboxConfigException(
                    where + ": \"regions\" must be a non-empty array of {name,node_count}");
        }
        Set<String> names = new LinkedHashSet<>();
        for (int i = 0; i < regions.size(); i++) {
            JsonNode r = regions.get(i);
            if (!r.isObject() || !r.hasNonNull("name") || r.get("name").asText().isBlank()) {
                throw new InvalidSandboxConfigException(where + ": regions[" + i + "] needs a \"name\"");
            }
            String name = r.get("name").asText();
            if (!names.add(name)) {
                throw new InvalidSandboxConfigException(where + ": region " + name + " is listed twice");
            }
            if (!r.has("node_count")
                    || !r.get("node_count").canConvertToInt()
                    || r.get("node_count").asInt() < 1) {
                throw new InvalidSandboxConfigException(
                        where + ": region " + name + " needs a positive integer node_count");
            }
            completeRegion((ObjectNode) r, c.get("name").asText(), id, provider);
        }
        if (!c.has("sql_dns")) {
            c.put("sql_dns", regions.get(0).get("sql_dns").asText());
        }
        if (c.has(CMEK_SEED)) {
            checkCmekSeed(c, names, where);
        }
        return c;
    }

    /**
     * The spec: {@code azure_cluster_identity_client_id} "is only populated for clusters deployed on Azure". An Azure
     * cluster without one gets a GUID derived from its id, so the same config serves the same app every time.
     */
    private static void completeAzureIdentity(ObjectNode c, String provider, String where) {
        JsonNode given = c.get(AZURE_CLIENT_ID);
        if (!provider.equals("AZURE")) {
            if (given != null && !given.isNull()) {
                throw new InvalidSandboxConfigException(
                        where + ": \"" + AZURE_CLIENT_ID + "\" is only for AZURE clusters, not " + provider);
            }
            return;
        }
        if (given == null || given.isNull()) {
            c.put(AZURE_CLIENT_ID, azureClientIdOf(c.get("id").asText()));
            return;
        }
        if (!given.isTextual() || !GUID.matcher(given.asText()).matches()) {
            throw new InvalidSandboxConfigException(
                    where + ": \"" + AZURE_CLIENT_ID + "\" must be a GUID (an app's client id), got " + given);
        }
    }

    /** The client id an Azure cluster gets when its config names none: a name-based GUID of the cluster id. */
    public static String azureClientIdOf(String clusterId) {
        return UUID.nameUUIDFromBytes((AZURE_CLIENT_ID + "/" + clusterId).getBytes(StandardCharsets.UTF_8))
                .toString();
    }

    /** The starting CMEK must be what an enable of this cluster would accept. */
    private static void checkCmekSeed(ObjectNode c, Set<String> regions, String where) {
        if (!c.get("plan").asText().equals("ADVANCED")
                || !c.get("state").asText().equals("CREATED")) {
            throw new InvalidSandboxConfigException(
                    where + ": \"" + CMEK_SEED + "\" needs an ADVANCED, CREATED cluster");
        }
        JsonNode specs = c.get(CMEK_SEED).path("region_specs");
        try {
            RequestRules.requireEveryRegion(
                    c.get("id").asText(),
                    regions,
                    RequestRules.regionSpecs(
                                    c.get("id").asText(),
                                    c.get("cloud_provider").asText(),
                                    specs.isMissingNode() ? null : specs,
                                    CMEK_SEED + ".region_specs")
                            .keySet());
        } catch (ApiError e) {
            throw new InvalidSandboxConfigException(where + ": " + e.getMessage());
        }
    }

    /** Fills the DNS names the spec requires on every region. */
    static ObjectNode completeRegion(ObjectNode region, String clusterName, String clusterId, String provider) {
        String host = slug(clusterName) + "-" + clusterId.substring(0, 4) + "." + provider.toLowerCase(Locale.ROOT)
                + "-" + region.get("name").asText() + ".crdb.io";
        putIfAbsent(region, "sql_dns", host);
        putIfAbsent(region, "ui_dns", "admin-" + host);
        putIfAbsent(region, "internal_dns", "internal-" + host);
        putIfAbsent(region, "private_endpoint_dns", "private-" + host);
        return region;
    }

    private static String slug(String name) {
        String s = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-|-$)", "");
        return s.isEmpty() ? "cluster" : s;
    }

    private static void putIfAbsent(ObjectNode node, String field, String value) {
        if (!node.hasNonNull(field)) node.put(field, value);
    }

    private static String requireText(ObjectNode node, String field, String where) {
        JsonNode v = node.get(field);
        if (v == null || !v.isTextual() || v.asText().isBlank()) {
            throw new InvalidSandboxConfigException(where + ": \"" + field + "\" is required (a non-empty string)");
        }
        return v.asText();
    }

    /** The list sorts and filters by these, so each must be an RFC 3339 timestamp when present. */
    private static void requireTimestamp(ObjectNode node, String field, String where) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return;
        }
        try {
            Instant.parse(v.asText());
        } catch (DateTimeParseException e) {
            throw new InvalidSandboxConfigException(
                    where + ": \"" + field + "\" must be a timestamp like 2024-06-01T12:00:00Z, got " + v.asText());
        }
    }

    private static String requireEnum(ObjectNode node, String field, Set<String> allowed, String where, String dflt) {
        if (!node.hasNonNull(field) && dflt != null) {
            node.put(field, dflt);
        }
        String value = requireText(node, field, where);
        if (!allowed.contains(value)) {
            throw new InvalidSandboxConfigException(where + ": \"" + field + "\" must be one of "
                    + allowed.stream().sorted().toList() + ", got " + value);
        }
        return value;
    }

    /** A sandbox config file or JSON that cannot be used; the message is one line saying what to fix. */
    public static final class InvalidSandboxConfigException extends IllegalArgumentException {
        public InvalidSandboxConfigException(String message) {
            super(message);
        }
    }
}
