package dev.cmek.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The sandbox's organization, clusters and CMEK state, with the API's semantics. Transitions are
 * computed lazily from timestamps on every access (no background threads). All methods lock the model.
 */
final class CloudApiModel {

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
    private static final Pattern AZURE_KEY_URI =
            Pattern.compile("https://[\\w-]+\\.vault\\.azure\\.net/keys/[\\w-]+(/\\w+)?");

    private final Clock clock;
    private final ObjectNode organization;
    private final Map<String, Cluster> clusters = new LinkedHashMap<>();
    private final Map<String, String> failNextCmekOperation = new HashMap<>();
    private volatile Duration transitionDelay;
    private volatile KeySpecCheck keySpecCheck;
    /** When set, a key the check cannot use is refused with 400 at once, as the real API does when it cannot reach a key. */
    private volatile boolean rejectInaccessibleKeys;

    CloudApiModel(SandboxConfig config, Clock clock, Duration transitionDelay, KeySpecCheck keySpecCheck) {
        this.clock = clock;
        this.organization = config.organization();
        this.transitionDelay = transitionDelay;
        this.keySpecCheck = keySpecCheck;
        for (ObjectNode c : config.clusters()) {
            clusters.put(c.get("id").asText(), new Cluster(c));
        }
    }

    void transitionDelay(Duration delay) {
        this.transitionDelay = delay;
    }

    void keySpecCheck(KeySpecCheck check) {
        this.keySpecCheck = check;
    }

    void rejectInaccessibleKeys(boolean reject) {
        this.rejectInaccessibleKeys = reject;
    }

    synchronized void holdCreating(String clusterId, Duration duration) {
        Cluster c = find(clusterId);
        c.state = "CREATING";
        c.creatingUntil = clock.instant().plus(duration);
    }

    synchronized void failNextCmekOperation(String clusterId, String region, String userMessage) {
        find(clusterId);
        failNextCmekOperation.put(clusterId + "/" + region, userMessage);
    }

    // ---- operations -----------------------------------------------------------------------------

    synchronized ObjectNode organization() {
        return organization.deepCopy();
    }

    synchronized ObjectNode getCluster(String id) {
        return find(id).render();
    }

    synchronized ObjectNode getCmek(String id) {
        Cluster c = find(id);
        if (c.cmek == null) {
            throw ApiError.notFound("CMEK is not configured for cluster " + id);
        }
        return c.renderCmek();
    }

    synchronized ObjectNode enable(String id, JsonNode body) {
        Cluster c = find(id);
        requireReady(c);
        if (!c.plan().equals("ADVANCED")) {
            throw ApiError.failedPrecondition("CMEK requires the ADVANCED plan; cluster " + id + " is on " + c.plan());
        }
        requireUnlocked(c);
        if (c.cmek != null) {
            throw ApiError.failedPrecondition("CMEK is already enabled for cluster " + id + " (status " + c.cmekStatus()
                    + "); use PUT to rotate keys");
        }
        Map<String, KeySpecCheck.RegionKey> specs = parseRegionSpecs(c, body.get("region_specs"), "region_specs");
        Set<String> missing = new LinkedHashSet<>(c.regionNodes.keySet());
        missing.removeAll(specs.keySet());
        Set<String> extra = new LinkedHashSet<>(specs.keySet());
        extra.removeAll(c.regionNodes.keySet());
        if (!missing.isEmpty() || !extra.isEmpty()) {
            throw ApiError.invalidArgument("region_specs must cover every region of cluster " + id
                    + " exactly; missing: " + missing + ", not in cluster: " + extra);
        }
        refuseInaccessible(c, specs);
        c.cmek = new LinkedHashMap<>();
        Instant now = clock.instant();
        for (KeySpecCheck.RegionKey key : specs.values()) {
            RegionCmek region = new RegionCmek("DISABLED");
            c.cmek.put(key.region(), region);
            start(c, region, key, Kind.ENABLE, now);
        }
        return c.renderCmek();
    }

    synchronized ObjectNode rotate(String id, JsonNode body) {
        Cluster c = find(id);
        requireReady(c);
        requireUnlocked(c);
        requireCmek(c);
        String status = c.cmekStatus();
        if (!Set.of("ENABLED", "ENABLE_FAILED", "ROTATE_FAILED").contains(status)) {
            throw ApiError.failedPrecondition("cannot update keys of cluster " + id + ": CMEK status is " + status
                    + " (needs ENABLED, ENABLE_FAILED or ROTATE_FAILED)");
        }
        Map<String, KeySpecCheck.RegionKey> specs = parseRegionSpecs(c, body.get("region_specs"), "region_specs");
        if (specs.isEmpty()) {
            throw ApiError.invalidArgument("region_specs must name at least one region to rotate");
        }
        for (String region : specs.keySet()) {
            if (!c.cmek.containsKey(region)) {
                throw ApiError.invalidArgument("region " + region + " is not a CMEK region of cluster " + id
                        + "; add regions with PATCH /api/v1/clusters/" + id);
            }
        }
        refuseInaccessible(c, specs);
        Instant now = clock.instant();
        for (KeySpecCheck.RegionKey key : specs.values()) {
            RegionCmek region = c.cmek.get(key.region());
            start(c, region, key, region.status.equals("ENABLE_FAILED") ? Kind.ENABLE : Kind.ROTATE, now);
        }
        return c.renderCmek();
    }

    synchronized ObjectNode revoke(String id, JsonNode body) {
        Cluster c = find(id);
        requireReady(c);
        JsonNode action = body.get("action");
        if (action == null || action.isNull()) {
            throw ApiError.invalidArgument("action is required; the only action is REVOKE");
        }
        if (!action.asText().equals("REVOKE")) {
            throw ApiError.invalidArgument("unknown action " + action.asText() + "; the only action is REVOKE");
        }
        requireUnlocked(c);
        requireCmek(c);
        String status = c.cmekStatus();
        if (status.equals("REVOKED")) {
            throw ApiError.failedPrecondition("CMEK of cluster " + id + " is already revoked");
        }
        if (!Set.of("ENABLED", "ROTATE_FAILED", "REVOKE_FAILED").contains(status)) {
            throw ApiError.failedPrecondition("cannot revoke CMEK of cluster " + id + ": status is " + status
                    + " (needs ENABLED, ROTATE_FAILED or REVOKE_FAILED)");
        }
        Instant now = clock.instant();
        for (RegionCmek region : c.cmek.values()) {
            for (KeyInfo k : region.keys) {
                if (k.status.equals("ENABLED")) {
                    k.status = "REVOKING";
                    k.updatedAt = now;
                }
            }
            region.pending = new Pending(Kind.REVOKE, now.plus(transitionDelay), null, null);
        }
        return c.renderCmek();
    }

    synchronized ObjectNode updateCluster(String id, JsonNode body) {
        Cluster c = find(id);
        requireReady(c);
        for (String field : List.of(
                "cockroach_version",
                "delete_protection",
                "labels",
                "parent_id",
                "plan",
                "serverless",
                "upgrade_status")) {
            if (body.has(field)) {
                throw ApiError.invalidArgument("the sandbox supports only dedicated.region_nodes and"
                        + " dedicated.cmek_region_specs in a cluster update; got " + field);
            }
        }
        JsonNode dedicated = body.path("dedicated");
        if (dedicated.has("hardware")) {
            throw ApiError.invalidArgument("the sandbox supports only dedicated.region_nodes and"
                    + " dedicated.cmek_region_specs in a cluster update; got dedicated.hardware");
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
        requireUnlocked(c);
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
        Set<String> missing = new LinkedHashSet<>(c.regionNodes.keySet());
        missing.removeAll(requested.keySet());
        if (!missing.isEmpty()) {
            throw ApiError.invalidArgument("dedicated.region_nodes must list every existing region of cluster " + id
                    + " (the sandbox does not remove regions); missing: " + missing);
        }
        Set<String> added = new LinkedHashSet<>(requested.keySet());
        added.removeAll(c.regionNodes.keySet());
        Map<String, KeySpecCheck.RegionKey> specs = cmekSpecs == null || cmekSpecs.isNull()
                ? Map.of()
                : parseRegionSpecs(c, cmekSpecs, "dedicated.cmek_region_specs");
        if (c.cmek == null) {
            if (!specs.isEmpty()) {
                throw ApiError.invalidArgument(
                        "dedicated.cmek_region_specs given but CMEK is not enabled on cluster " + id);
            }
        } else {
            for (String region : specs.keySet()) {
                if (c.regionNodes.containsKey(region)) {
                    throw ApiError.invalidArgument("dedicated.cmek_region_specs may list only new regions; region "
                            + region + " already exists in cluster " + id);
                }
                if (!added.contains(region)) {
                    throw ApiError.invalidArgument("dedicated.cmek_region_specs names region " + region
                            + " which is not in dedicated.region_nodes");
                }
            }
            for (String region : added) {
                if (!specs.containsKey(region)) {
                    throw ApiError.invalidArgument("new region " + region + " needs an entry in"
                            + " dedicated.cmek_region_specs because CMEK is enabled on cluster " + id);
                }
            }
            if (!added.isEmpty() && !c.cmekStatus().equals("ENABLED")) {
                throw ApiError.failedPrecondition("cannot add regions to cluster " + id + " while its CMEK status is "
                        + c.cmekStatus() + " (needs ENABLED)");
            }
        }
        refuseInaccessible(c, specs);
        Instant now = clock.instant();
        for (Map.Entry<String, Integer> e : requested.entrySet()) {
            if (!c.regionNodes.containsKey(e.getKey())) {
                c.regionTemplates.put(
                        e.getKey(),
                        SandboxConfig.completeRegion(
                                SandboxConfig.JSON.createObjectNode().put("name", e.getKey()),
                                c.template.get("name").asText(),
                                id,
                                c.provider()));
            }
            c.regionNodes.put(e.getKey(), e.getValue());
        }
        for (KeySpecCheck.RegionKey key : specs.values()) {
            RegionCmek region = new RegionCmek("DISABLED");
            c.cmek.put(key.region(), region);
            start(c, region, key, Kind.ENABLE, now);
        }
        c.updatedAt = now;
        return c.render();
    }

    // ---- helpers --------------------------------------------------------------------------------

    private void start(Cluster c, RegionCmek region, KeySpecCheck.RegionKey key, Kind kind, Instant now) {
        String failure = failNextCmekOperation.remove(c.id + "/" + key.region());
        if (failure == null && !rejectInaccessibleKeys) {
            failure = runCheck(c, key).orElse(null);
        }
        KeyInfo info = new KeyInfo(key, kind == Kind.ENABLE ? "ENABLING" : "ROTATING", now);
        region.keys.add(info);
        region.pending = new Pending(kind, now.plus(transitionDelay), failure, info);
    }

    private void refuseInaccessible(Cluster c, Map<String, KeySpecCheck.RegionKey> specs) {
        if (!rejectInaccessibleKeys) {
            return;
        }
        for (KeySpecCheck.RegionKey key : specs.values()) {
            runCheck(c, key).ifPresent(problem -> {
                throw ApiError.failedPrecondition("unable to access key " + key.uri() + " for region " + key.region()
                        + " as " + key.authPrincipal() + ": " + problem);
            });
        }
    }

    private Optional<String> runCheck(Cluster c, KeySpecCheck.RegionKey key) {
        KeySpecCheck.ClusterFacts facts = new KeySpecCheck.ClusterFacts(
                c.id,
                c.provider(),
                c.template.path("account_id").asText(),
                organization.get("id").asText());
        try {
            return keySpecCheck.check(facts, key);
        } catch (RuntimeException e) {
            return Optional.of("key check failed: " + e.getMessage());
        }
    }

    private Map<String, KeySpecCheck.RegionKey> parseRegionSpecs(Cluster c, JsonNode specs, String field) {
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
            result.put(region, validateKey(c, region, keySpec, where + ".key_spec"));
        }
        return result;
    }

    private KeySpecCheck.RegionKey validateKey(Cluster c, String region, JsonNode keySpec, String where) {
        String type = keySpec.path("type").asText("");
        String uri = keySpec.path("uri").asText("");
        String principal = keySpec.path("auth_principal").asText("");
        if (!KEY_TYPES.contains(type)) {
            throw ApiError.invalidArgument(where + ".type must be one of "
                    + KEY_TYPES.stream().sorted().toList() + ", got '" + type + "'");
        }
        String expected = KEY_TYPE_FOR_CLOUD.get(c.provider());
        if (!type.equals(expected)) {
            throw ApiError.invalidArgument("key type " + type + " does not match cloud provider " + c.provider()
                    + " of cluster " + c.id + "; use " + expected + " (region " + region + ")");
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
                check(AZURE_KEY_URI, uri, where + ".uri", "a key URI like https://<vault>.vault.azure.net/keys/<name>");
                if (principal.isBlank()) throw ApiError.invalidArgument(where + ".auth_principal is required");
            }
        }
        return new KeySpecCheck.RegionKey(region, type, uri, principal);
    }

    private static void check(Pattern pattern, String value, String where, String what) {
        if (!pattern.matcher(value).matches()) {
            throw ApiError.invalidArgument(where + " must be " + what + ", got '" + value + "'");
        }
    }

    private Cluster find(String id) {
        Cluster c = clusters.get(id);
        if (c == null) {
            throw ApiError.notFound("cluster " + id + " not found");
        }
        c.advance(clock.instant());
        return c;
    }

    private static void requireReady(Cluster c) {
        if (c.state.equals("CREATING")) {
            throw ApiError.unavailable("cluster not ready: cluster " + c.id + " is still CREATING");
        }
        if (!c.state.equals("CREATED")) {
            throw ApiError.failedPrecondition("cluster " + c.id + " is " + c.state + "; it must be CREATED");
        }
    }

    private static void requireUnlocked(Cluster c) {
        if (c.cmekInProgress()) {
            throw ApiError.locked("cluster " + c.id + " is locked: a CMEK operation is in progress (status "
                    + c.cmekStatus() + "); retry when it settles");
        }
    }

    private static void requireCmek(Cluster c) {
        if (c.cmek == null) {
            throw ApiError.failedPrecondition(
                    "CMEK is not enabled for cluster " + c.id + "; enable it with POST first");
        }
    }

    // ---- state ----------------------------------------------------------------------------------

    private enum Kind {
        ENABLE,
        ROTATE,
        REVOKE
    }

    private record Pending(Kind kind, Instant completesAt, String failure, KeyInfo newKey) {
        String status() {
            return switch (kind) {
                case ENABLE -> "ENABLING";
                case ROTATE -> "ROTATING";
                case REVOKE -> "REVOKING";
            };
        }
    }

    private static final class KeyInfo {
        final KeySpecCheck.RegionKey spec;
        final Instant createdAt;
        String status;
        String userMessage = "";
        Instant updatedAt;

        KeyInfo(KeySpecCheck.RegionKey spec, String status, Instant now) {
            this.spec = spec;
            this.status = status;
            this.createdAt = now;
            this.updatedAt = now;
        }
    }

    private static final class RegionCmek {
        final List<KeyInfo> keys = new ArrayList<>();
        String status;
        Pending pending;

        RegionCmek(String status) {
            this.status = status;
        }

        String displayStatus() {
            return pending != null ? pending.status() : status;
        }

        void complete() {
            Pending p = pending;
            Instant t = p.completesAt();
            pending = null;
            if (p.kind() == Kind.REVOKE) {
                for (KeyInfo k : keys) {
                    if (k.status.equals("REVOKING")) {
                        k.status = "REVOKED";
                        k.updatedAt = t;
                    }
                }
                status = "REVOKED";
                return;
            }
            KeyInfo key = p.newKey();
            key.updatedAt = t;
            if (p.failure() != null) {
                status = p.kind() == Kind.ENABLE ? "ENABLE_FAILED" : "ROTATE_FAILED";
                key.status = status;
                key.userMessage = p.failure();
                return;
            }
            for (KeyInfo k : keys) {
                if (k != key && k.status.equals("ENABLED")) {
                    k.status = "DISABLED"; // replaced by the new key
                    k.updatedAt = t;
                }
            }
            key.status = "ENABLED";
            status = "ENABLED";
        }
    }

    private final class Cluster {
        final String id;
        final ObjectNode template;
        final Map<String, Integer> regionNodes = new LinkedHashMap<>();
        final Map<String, ObjectNode> regionTemplates = new LinkedHashMap<>();
        String state;
        Instant creatingUntil;
        Instant updatedAt;
        Map<String, RegionCmek> cmek;

        Cluster(ObjectNode template) {
            this.template = template;
            this.id = template.get("id").asText();
            this.state = template.get("state").asText();
            this.updatedAt = Instant.parse(template.get("updated_at").asText());
            for (JsonNode r : template.get("regions")) {
                regionNodes.put(r.get("name").asText(), r.get("node_count").asInt());
                regionTemplates.put(r.get("name").asText(), (ObjectNode) r);
            }
        }

        String provider() {
            return template.get("cloud_provider").asText();
        }

        String plan() {
            return template.get("plan").asText();
        }

        void advance(Instant now) {
            if (creatingUntil != null && !now.isBefore(creatingUntil)) {
                state = "CREATED";
                updatedAt = creatingUntil;
                creatingUntil = null;
            }
            if (cmek != null) {
                for (RegionCmek region : cmek.values()) {
                    if (region.pending != null && !now.isBefore(region.pending.completesAt())) {
                        updatedAt = region.pending.completesAt();
                        region.complete();
                    }
                }
            }
        }

        boolean cmekInProgress() {
            return cmek != null && cmek.values().stream().anyMatch(r -> r.pending != null);
        }

        /** Cluster-level status: an operation in progress wins, then a failure, then the settled status. */
        String cmekStatus() {
            if (cmek == null) return "DISABLED";
            List<String> statuses =
                    cmek.values().stream().map(RegionCmek::displayStatus).toList();
            return statuses.stream()
                    .filter(s -> s.endsWith("ING"))
                    .findFirst()
                    .or(() ->
                            statuses.stream().filter(s -> s.endsWith("_FAILED")).findFirst())
                    .orElse(statuses.get(0));
        }

        ObjectNode render() {
            ObjectNode out = template.deepCopy();
            out.put("state", state);
            out.put("updated_at", updatedAt.toString());
            String cmekStatus = cmekStatus();
            out.put(
                    "operation_status",
                    cmekInProgress()
                            ? "CRDB_CMEK_OPERATION_RUNNING"
                            : cmekStatus.endsWith("_FAILED")
                                    ? "CRDB_CMEK_OPERATION_FAILED"
                                    : template.get("operation_status").asText());
            ArrayNode regions = out.putArray("regions");
            regionNodes.forEach((name, nodes) ->
                    regions.add(regionTemplates.get(name).deepCopy().put("node_count", nodes)));
            return out;
        }

        ObjectNode renderCmek() {
            ObjectNode out = SandboxConfig.JSON.createObjectNode();
            out.put("status", cmekStatus());
            ArrayNode regions = out.putArray("region_infos");
            // The real API sorts region_infos by region name (noted in the Terraform provider's cmek_resource.go).
            new java.util.TreeMap<>(cmek).forEach((name, region) -> {
                ObjectNode r = regions.addObject().put("region", name).put("status", region.displayStatus());
                ArrayNode keys = r.putArray("key_infos");
                for (KeyInfo k : region.keys) {
                    ObjectNode key = keys.addObject();
                    key.putObject("spec")
                            .put("type", k.spec.type())
                            .put("uri", k.spec.uri())
                            .put("auth_principal", k.spec.authPrincipal());
                    key.put("status", k.status)
                            .put("user_message", k.userMessage)
                            .put("created_at", k.createdAt.toString())
                            .put("updated_at", k.updatedAt.toString());
                }
            });
            return out;
        }
    }
}
