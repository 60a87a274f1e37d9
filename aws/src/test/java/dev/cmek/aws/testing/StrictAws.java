package dev.cmek.aws.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * AWS as it really behaves, in front of moto: an HTTP proxy that reproduces what moto leaves out and the adapter must
 * cope with. Every behaviour is on by default with a test-sized window (set through {@link #reset()}), so a test that
 * passes against a lax moto but would fail against AWS fails here. Each behaviour cites its source:
 *
 * <ul>
 *   <li>new keys, aliases and replicas answer NotFoundException for a while (a new alias is not listed by ListAliases
 *       either), and a new key policy reads back stale:
 *       "you might get unexpected errors, such as a NotFoundException or an InvalidStateException" after a change
 *       (https://docs.aws.amazon.com/kms/latest/developerguide/accessing-kms.html#programming-eventual-consistency);
 *       Terraform retries CreateAlias on NotFound for 10 min and waits for 5 consecutive matching policy reads
 *       (hashicorp/terraform-provider-aws internal/service/kms/alias.go, key.go waitKeyPolicyPropagated);
 *   <li>a replica is {@code Creating} before {@code Enabled}: "the new replica key has a transient key state of
 *       Creating" (https://docs.aws.amazon.com/kms/latest/APIReference/API_ReplicateKey.html; Terraform's
 *       waitReplicaKeyCreated, internal/service/kms/wait.go ReplicaKeyCreatedTimeout);
 *   <li>a key policy naming a role created moments ago is refused with MalformedPolicyDocumentException (IAM is
 *       eventually consistent: https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_general.html#troubleshoot_general_eventual-consistency;
 *       Terraform's waitIAMPropagation, internal/service/kms/wait.go);
 *   <li>control-plane calls have a small quota per account, per Region and per operation, and are throttled with
 *       HTTP 400 ThrottlingException "You have exceeded the rate at which you may call KMS"
 *       (https://docs.aws.amazon.com/kms/latest/developerguide/requests-per-second.html: CreateKey, CreateAlias,
 *       PutKeyPolicy, ReplicateKey, EnableKeyRotation... 5 per second each; "each quota is calculated independently
 *       for each Region of each AWS account", and "Each request quota is calculated independently. For example,
 *       requests for the CreateKey operation have no effect on the request quota for the CreateAlias operation").
 *       A refused request (an invalid principal, a key not found yet) counts against its operation's quota too
 *       ("Throttling is based on all requests", same page);
 *   <li>RotateKeyOnDemand on a multi-Region replica is refused: rotation is a shared property set on the primary
 *       (https://docs.aws.amazon.com/kms/latest/developerguide/multi-region-keys-overview.html#mrk-sync-properties);
 *   <li>automatic rotation as AWS documents it where moto is lax (moto ignores RotationPeriodInDays and answers only
 *       KeyRotationEnabled): EnableKeyRotation's RotationPeriodInDays must be 90 to 2560 ("Valid Range: Minimum value
 *       of 90. Maximum value of 2560", https://docs.aws.amazon.com/kms/latest/APIReference/API_EnableKeyRotation.html)
 *       else ValidationException; Enable/DisableKeyRotation on a multi-Region replica are refused ("To enable or
 *       disable automatic rotation of a set of related multi-Region keys, set the property on the primary key", same
 *       page); GetKeyRotationStatus answers RotationPeriodInDays and NextRotationDate
 *       (https://docs.aws.amazon.com/kms/latest/APIReference/API_GetKeyRotationStatus.html), a replica answers its
 *       primary's status and ListKeyRotations its primary's rotations (rotation status and key material are shared
 *       properties, https://docs.aws.amazon.com/kms/latest/developerguide/multi-region-keys-overview.html#mrk-sync-properties),
 *       and a status just changed reads back stale for the stale-read window (Terraform waits for consecutive reads,
 *       internal/service/kms/key.go waitKeyRotationEnabledPropagated);
 *   <li>a multi-Region key reads PRIMARY or REPLICA by whether it is its own primary, where moto's primary reads REPLICA
 *       once a replica of it was described (https://docs.aws.amazon.com/kms/latest/APIReference/API_MultiRegionConfiguration.html);
 *   <li>listings come in pages: ListAliases at most 100 aliases a call (50 by default), ListKeys at most 1000 (100 by
 *       default), moto answering everything at once (see {@link #page});
 *   <li>with session credentials, a signed request without {@code X-Amz-Security-Token} is refused as AWS does
 *       (KMS UnrecognizedClientException, IAM/STS InvalidClientTokenId: "The security token included in the request
 *       is invalid", https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_use-resources.html).
 * </ul>
 *
 * <p>Plus injectable faults for failure tests: AccessDenied per (operation, region, key), a lost reply (the request is
 * forwarded, the answer replaced by a 500 or a dropped connection), added latency, and call counting.
 */
public final class StrictAws implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern SCOPE = Pattern.compile("Credential=([^/]+)/\\d{8}/([^/]+)/([^/]+)/");
    private static final Pattern ACTION = Pattern.compile("(?:^|&)Action=([A-Za-z]+)");
    private static final Pattern ROLE_ARN = Pattern.compile("<Arn>(arn:[^<]+:role/[^<]+)</Arn>");

    /** KMS operations that share the control-plane request quota. */
    public static final Set<String> CONTROL_PLANE = Set.of(
            "CreateKey",
            "CreateAlias",
            "UpdateAlias",
            "DeleteAlias",
            "PutKeyPolicy",
            "ReplicateKey",
            "TagResource",
            "UntagResource",
            "ScheduleKeyDeletion",
            "CancelKeyDeletion",
            "EnableKey",
            "DisableKey",
            "UpdateKeyDescription",
            "UpdatePrimaryRegion",
            "EnableKeyRotation",
            "DisableKeyRotation");

    /** How a lost reply looks to the caller. */
    public enum LostReply {
        /** HTTP 500 instead of the answer. */
        SERVER_ERROR,
        /** The connection closes without an answer. */
        CONNECTION_RESET
    }

    /** The realistic behaviours' settings; {@link #defaults()} are sized for tests. */
    public record Settings(
            Duration newKeyNotFound,
            Duration newAliasNotFound,
            Duration replicaCreating,
            Duration principalNotVisible,
            Duration stalePolicyRead,
            int controlPlanePerSecond,
            String sessionToken) {

        /** Windows of a few hundred ms and AWS's own 5 control-plane calls per second. */
        public static Settings defaults() {
            return new Settings(
                    Duration.ofMillis(300),
                    Duration.ofMillis(300),
                    Duration.ofMillis(500),
                    Duration.ofMillis(300),
                    Duration.ofMillis(200),
                    5,
                    MotoServer.SESSION_TOKEN);
        }

        /** Everything off: moto as it is (for measuring what the behaviours cost). */
        public static Settings lax() {
            return new Settings(Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO, 0, null);
        }

        public Settings withControlPlanePerSecond(int perSecond) {
            return withAccess(perSecond, sessionToken);
        }

        public Settings withSessionToken(String token) {
            return withAccess(controlPlanePerSecond, token);
        }

        /** The same consistency windows with another throttle and session token. */
        private Settings withAccess(int perSecond, String token) {
            return new Settings(
                    newKeyNotFound,
                    newAliasNotFound,
                    replicaCreating,
                    principalNotVisible,
                    stalePolicyRead,
                    perSecond,
                    token);
        }

        /** The same settings with IAM taking {@code window} to show a new role to KMS. */
        public Settings withPrincipalNotVisible(Duration window) {
            return new Settings(
                    newKeyNotFound,
                    newAliasNotFound,
                    replicaCreating,
                    window,
                    stalePolicyRead,
                    controlPlanePerSecond,
                    sessionToken);
        }

        /** The same settings with a new alias taking {@code window} to resolve (and to be listed). */
        public Settings withNewAliasNotFound(Duration window) {
            return new Settings(
                    newKeyNotFound,
                    window,
                    replicaCreating,
                    principalNotVisible,
                    stalePolicyRead,
                    controlPlanePerSecond,
                    sessionToken);
        }

        public Settings withWindows(Duration newResource, Duration replicaCreating) {
            return new Settings(
                    newResource,
                    newResource,
                    replicaCreating,
                    newResource,
                    newResource,
                    controlPlanePerSecond,
                    sessionToken);
        }
    }

    private record Call(String account, String service, String region, String operation, JsonNode body) {
        String where() {
            return service.equals("kms") || service.equals("tagging") ? service + "/" + region : service;
        }
    }

    private record Denial(String operation, String region, String keyId) {}

    private record Loss(String operation, int nth, LostReply how, AtomicInteger seen) {}

    private record Written(long at, byte[] stale) {}

    /** Automatic rotation of a key (by key id: a multi-Region key's replicas share it), as last set through here. */
    private record Rotation(boolean enabled, int periodInDays, long atMillis, long atNanos, Rotation before) {}

    private final ForwardingServer server;

    private volatile Settings settings = Settings.defaults();
    private volatile Duration latency = Duration.ZERO;
    private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
    private final Map<String, Long> createdKeys = new ConcurrentHashMap<>();
    private final Map<String, Long> createdAliases = new ConcurrentHashMap<>();
    private final Map<String, Long> replicas = new ConcurrentHashMap<>();
    private final Map<String, Long> createdRoles = new ConcurrentHashMap<>();
    private final Map<String, byte[]> lastPolicyRead = new ConcurrentHashMap<>();
    private final Map<String, Written> policyWrites = new ConcurrentHashMap<>();
    private final Map<String, Rotation> rotations = new ConcurrentHashMap<>();
    /** Region of each replica's primary, by {@code region/keyId} of the replica. */
    private final Map<String, String> primaryRegionOfReplica = new ConcurrentHashMap<>();

    private final Map<String, Deque<Long>> quota = new ConcurrentHashMap<>();
    private final List<Denial> denials = new CopyOnWriteArrayList<>();
    private final Map<String, Duration> slow = new ConcurrentHashMap<>();
    private final List<Loss> losses = new CopyOnWriteArrayList<>();
    private final AtomicInteger throttled = new AtomicInteger();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger peakInFlight = new AtomicInteger();
    /** The client's TCP connections seen since the counts were reset, by their local port on the client's side. */
    private final Set<Integer> connections = ConcurrentHashMap.newKeySet();

    public StrictAws(URI target) {
        try {
            this.server = new ForwardingServer(target, "strict-aws", 128, this::handle);
        } catch (IOException e) {
            throw new IllegalStateException("cannot open the strict AWS proxy on 127.0.0.1", e);
        }
    }

    public URI endpoint() {
        return server.endpoint();
    }

    public Settings settings() {
        return settings;
    }

    public StrictAws settings(Settings s) {
        this.settings = s;
        return this;
    }

    /**
     * Added to every call (benchmarks), as a round trip: half before the stand-in or moto looks at the call, half
     * before the answer leaves, whether it is moto's answer or the stand-in's refusal.
     */
    public StrictAws latency(Duration latency) {
        this.latency = latency;
        return this;
    }

    /** Back to {@link Settings#defaults()}: no faults, no latency, counts and remembered resources cleared. */
    public void reset() {
        settings = Settings.defaults();
        latency = Duration.ZERO;
        denials.clear();
        slow.clear();
        losses.clear();
        releaseHeld();
        hooks.clear();
        forget();
        resetCounts();
        recording = false;
        timeline.clear();
        aliasesListedAtOnce = false;
        taggingLag = Duration.ZERO;
    }

    /**
     * The Resource Groups Tagging API does not show a key for {@code lag} after its CreateKey. AWS states no such delay
     * that I found, so it is off unless a test asks: for a case the adapter must survive if it happens (a re-run that
     * finds neither its alias nor its tagged key).
     */
    public StrictAws taggingLag(Duration lag) {
        taggingLag = lag;
        return this;
    }

    private volatile Duration taggingLag = Duration.ZERO;

    /**
     * ListAliases lists a new alias at once, while DescribeKey still does not resolve it. KMS is eventually consistent
     * after every change and documents no order between its read views
     * (https://docs.aws.amazon.com/kms/latest/developerguide/accessing-kms.html#programming-eventual-consistency), so a
     * client must work with this order as with the default, in which both wait for the alias's window.
     */
    public StrictAws listAliasesAtOnce() {
        aliasesListedAtOnce = true;
        return this;
    }

    private volatile boolean aliasesListedAtOnce;

    /** Forgets the resources it saw made (after the emulator behind it was reset). */
    public void forget() {
        createdKeys.clear();
        createdAliases.clear();
        replicas.clear();
        createdRoles.clear();
        lastPolicyRead.clear();
        policyWrites.clear();
        quota.clear();
        rotations.clear();
        primaryRegionOfReplica.clear();
    }

    /**
     * Calls of {@code operation} are forwarded {@code extra} later than the others (on top of {@link #latency}), as
     * when one of AWS's services answers slowly; until {@link #reset()}.
     */
    public StrictAws slow(String operation, Duration extra) {
        slow.put(operation, extra);
        return this;
    }

    /** AccessDenied for {@code operation} (e.g. {@code GetKeyPolicy}) in {@code region} (null: any) on a key (null: any). */
    public StrictAws denyAccess(String operation, String region, String keyId) {
        denials.add(new Denial(operation, region, keyId));
        return this;
    }

    /** The {@code nth} call of {@code operation} (1-based) reaches the emulator, but its answer is lost. */
    public StrictAws loseReply(String operation, int nth, LostReply how) {
        losses.add(new Loss(operation, nth, how, new AtomicInteger()));
        return this;
    }

    /** Calls seen since the last reset, keyed {@code <service>[/<region>] <operation>}. */
    public Map<String, Integer> counts() {
        Map<String, Integer> out = new TreeMap<>();
        counts.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    /** Calls of one operation, all regions. */
    public int calls(String operation) {
        return counts.entrySet().stream()
                .filter(e -> e.getKey().endsWith(" " + operation))
                .mapToInt(e -> e.getValue().get())
                .sum();
    }

    public int totalCalls() {
        return counts.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    /** Requests answered with ThrottlingException since the last reset. */
    public int throttled() {
        return throttled.get();
    }

    /** The most requests it held at once since the last reset (a measure of the caller's concurrency). */
    public int peakInFlight() {
        return peakInFlight.get();
    }

    public void resetCounts() {
        counts.clear();
        throttled.set(0);
        peakInFlight.set(0);
        connections.clear();
    }

    /**
     * Connections the client opened to the stand-in since the counts were reset: against AWS each is a TCP and TLS
     * handshake.
     */
    public int connections() {
        return connections.size();
    }

    /**
     * One call as the proxy saw it: when it arrived and was answered (System.nanoTime), how long moto took (0 when
     * the proxy answered itself), where, what, the status.
     */
    public record Event(long arrived, long answered, long upstream, String where, String operation, int status) {}

    /** From now on, every call is also kept in order of answer, for {@link #timeline()}; until {@link #reset()}. */
    public StrictAws record() {
        timeline.clear();
        recording = true;
        return this;
    }

    /**
     * The calls kept since {@link #record()}, once no call is being handled: a client may read its answer before the
     * handler has kept the call, so a caller that just got its answer would otherwise miss it.
     */
    public List<Event> timeline() {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
            Thread.yield();
        }
        return List.copyOf(timeline);
    }

    /** The answer's half of the added latency, for the call being handled on this thread. */
    private static final ThreadLocal<Duration> REPLY_DELAY = ThreadLocal.withInitial(() -> Duration.ZERO);

    /** Time the call being handled on this thread spent in moto (the handler runs on one thread per call). */
    private static final ThreadLocal<long[]> UPSTREAM = ThreadLocal.withInitial(() -> new long[1]);

    private final List<Event> timeline = new CopyOnWriteArrayList<>();
    private volatile boolean recording;

    private void handle(HttpExchange ex) throws IOException {
        int now = inFlight.incrementAndGet();
        peakInFlight.accumulateAndGet(now, Math::max);
        connections.add(ex.getRemoteAddress().getPort());
        long arrived = System.nanoTime();
        UPSTREAM.get()[0] = 0;
        Call seen = null;
        try (ex) {
            byte[] body;
            try (InputStream in = ex.getRequestBody()) {
                body = in.readAllBytes();
            }
            if (!ex.getRequestURI().getPath().startsWith("/moto-api")) {
                Call call = parse(ex, body);
                seen = call;
                counts.computeIfAbsent(call.where() + " " + call.operation(), k -> new AtomicInteger())
                        .incrementAndGet();
                sleep(slow.getOrDefault(call.operation(), Duration.ZERO));
                // The added latency is a round trip: half on the way to AWS, before AWS looks at the call, half on
                // the way back, paid by every answer, a refusal (NotFound, throttled, denied) as much as a success.
                Duration toAws = latency.dividedBy(2);
                sleep(toAws);
                REPLY_DELAY.set(latency.minus(toAws));
                try {
                    if (refuse(ex, call) || held(call)) {
                        return;
                    }
                    forwardStrictly(ex, body, call);
                } finally {
                    REPLY_DELAY.set(Duration.ZERO);
                }
            } else {
                forward(ex, body, null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (recording && seen != null) {
                timeline.add(new Event(
                        arrived,
                        System.nanoTime(),
                        UPSTREAM.get()[0],
                        seen.where(),
                        seen.operation(),
                        ex.getResponseCode()));
            }
            inFlight.decrementAndGet();
        }
    }

    /** Answers instead of AWS when a realistic behaviour or an injected fault says so; true when it did. */
    private boolean refuse(HttpExchange ex, Call call) throws IOException {
        Settings s = settings;
        String token = ex.getRequestHeaders().getFirst("X-Amz-Security-Token");
        if (s.sessionToken() != null && !s.sessionToken().equals(token)) {
            if (call.service().equals("kms") || call.service().equals("tagging")) {
                json(ex, 400, "UnrecognizedClientException", "The security token included in the request is invalid.");
            } else {
                xml(ex, 403, "InvalidClientTokenId", "The security token included in the request is invalid.");
            }
            return true;
        }
        Listing listing = call.service().equals("kms") ? LISTINGS.get(call.operation()) : null;
        if (listing != null) {
            JsonNode limit = call.body().path("Limit");
            if (!limit.isMissingNode() && (limit.asInt() < 1 || limit.asInt() > listing.maxLimit())) {
                json(
                        ex,
                        400,
                        "ValidationException",
                        "1 validation error detected: Value '" + limit.asText()
                                + "' at 'limit' failed to satisfy constraint: Member must have value "
                                + (limit.asInt() < 1
                                        ? "greater than or equal to 1"
                                        : "less than or equal to " + listing.maxLimit()));
                return true;
            }
            String marker = call.body().path("Marker").asText(null);
            if (marker != null && !validMarker(marker)) {
                json(ex, 400, "InvalidMarkerException", "Invalid marker");
                return true;
            }
        }
        for (Denial d : denials) {
            if (d.operation().equals(call.operation())
                    && (d.region() == null || d.region().equals(call.region()))
                    && (d.keyId() == null
                            || d.keyId()
                                    .equals(keyIdOf(call.body().path("KeyId").asText(null))))) {
                String message = "User: arn:aws:sts::" + MotoServer.ACCOUNT + ":assumed-role/tester/session is not"
                        + " authorized to perform: " + call.service() + ":" + call.operation()
                        + " because no resource-based policy allows it";
                if (call.service().equals("iam") || call.service().equals("sts")) {
                    xml(ex, 403, "AccessDenied", message);
                } else {
                    json(ex, 400, "AccessDeniedException", message);
                }
                return true;
            }
        }
        if (!call.service().equals("kms")) {
            return false;
        }
        if (s.controlPlanePerSecond() > 0 && CONTROL_PLANE.contains(call.operation()) && !admit(call, s)) {
            throttled.incrementAndGet();
            json(
                    ex,
                    400,
                    "ThrottlingException",
                    "You have exceeded the rate at which you may call KMS. Reduce the frequency of your calls.");
            return true;
        }
        long t = System.nanoTime();
        String keyId = keyIdOf(call.body().path("KeyId").asText(null));
        String target = call.operation().equals("CreateAlias")
                ? keyIdOf(call.body().path("TargetKeyId").asText(null))
                : keyId;
        if (target != null && young(createdKeys, call.region() + "/" + target, s.newKeyNotFound(), t)) {
            json(ex, 400, "NotFoundException", "Key '" + target + "' does not exist");
            return true;
        }
        String alias = call.body().path("KeyId").asText("");
        if (alias.contains("alias/")
                && call.operation().equals("DescribeKey")
                && young(
                        createdAliases,
                        call.region() + "/" + alias.substring(alias.indexOf("alias/")),
                        s.newAliasNotFound(),
                        t)) {
            json(ex, 400, "NotFoundException", "Alias " + alias + " is not found.");
            return true;
        }
        String onPrimary = switch (call.operation()) {
            case "RotateKeyOnDemand" -> "rotate its primary key instead.";
            case "EnableKeyRotation", "DisableKeyRotation" -> "set automatic rotation on its primary key instead.";
            default -> null;
        };
        if (onPrimary != null && keyId != null && replicas.containsKey(call.region() + "/" + keyId)) {
            json(ex, 400, "UnsupportedOperationException", keyId + " is a multi-Region replica key; " + onPrimary);
            return true;
        }
        JsonNode period = call.body().get("RotationPeriodInDays");
        if (call.operation().equals("EnableKeyRotation")
                && period != null
                && (period.asInt() < 90 || period.asInt() > 2560)) {
            json(
                    ex,
                    400,
                    "ValidationException",
                    "1 validation error detected: Value '" + period.asText() + "' at 'rotationPeriodInDays' failed to"
                            + " satisfy constraint: Member must have value "
                            + (period.asInt() < 90 ? "greater than or equal to 90" : "less than or equal to 2560"));
            return true;
        }
        if (Set.of("CreateKey", "PutKeyPolicy", "ReplicateKey").contains(call.operation())) {
            String policy = call.body().path("Policy").asText("");
            for (Map.Entry<String, Long> role : createdRoles.entrySet()) {
                if (policy.contains(role.getKey())
                        && t - role.getValue() < s.principalNotVisible().toNanos()) {
                    json(
                            ex,
                            400,
                            "MalformedPolicyDocumentException",
                            "Policy contains a statement with one or more invalid principals.");
                    return true;
                }
            }
        }
        if (call.operation().equals("GetKeyPolicy") && keyId != null) {
            Written w = policyWrites.get(call.region() + "/" + keyId);
            if (w != null
                    && w.stale() != null
                    && t - w.at() < s.stalePolicyRead().toNanos()) {
                send(ex, 200, Map.of("Content-Type", List.of("application/x-amz-json-1.1")), w.stale());
                return true;
            }
        }
        return false;
    }

    private boolean admit(Call call, Settings s) {
        Deque<Long> window = quota.computeIfAbsent(
                call.account() + "/" + call.region() + "/" + call.operation(), k -> new ArrayDeque<>());
        synchronized (window) {
            long now = System.nanoTime();
            while (!window.isEmpty() && now - window.peekFirst() >= 1_000_000_000L) {
                window.pollFirst();
            }
            if (window.size() >= s.controlPlanePerSecond()) {
                return false;
            }
            window.addLast(now);
            return true;
        }
    }

    /**
     * Pages a listing as KMS does, where moto answers everything at once (moto 5.2.1 kms/responses.py list_aliases and
     * list_keys ignore Limit and Marker): ListAliases returns at most Limit aliases, "between 1 and 100, inclusive. If
     * you do not include a value, it defaults to 50" (https://docs.aws.amazon.com/kms/latest/APIReference/API_ListAliases.html),
     * ListKeys at most Limit keys, between 1 and 1000, default 100
     * (https://docs.aws.amazon.com/kms/latest/APIReference/API_ListKeys.html); the rest follows NextMarker with
     * Truncated true. A client that read only the first page, or that made as many calls among a thousand aliases as
     * among none, would pass against moto only.
     */
    private static byte[] page(Call call, ObjectNode tree, Iterable<JsonNode> all) throws IOException {
        // In the order of each entry's name, and a marker naming the last one given, so that entries made or removed
        // between two pages neither shift the rest nor repeat one (an index would).
        Listing listing = LISTINGS.get(call.operation());
        String name = listing.name();
        List<JsonNode> sorted = new java.util.ArrayList<>();
        all.forEach(sorted::add);
        sorted.sort(java.util.Comparator.comparing(e -> e.path(name).asText()));
        int limit = call.body().path("Limit").asInt(listing.defaultLimit());
        String after = call.body().path("Marker").asText("");
        after = after.isEmpty()
                ? null
                : new String(
                        java.util.Base64.getUrlDecoder().decode(after.substring(MARKER.length())),
                        StandardCharsets.UTF_8);
        var shown = JSON.createArrayNode();
        boolean more = false;
        for (JsonNode e : sorted) {
            if (after != null && e.path(name).asText().compareTo(after) <= 0) {
                continue;
            }
            if (shown.size() == limit) {
                more = true;
                break;
            }
            shown.add(e);
        }
        tree.set(listing.field(), shown);
        if (more) {
            tree.put("Truncated", true);
            tree.put(
                    "NextMarker",
                    MARKER
                            + java.util.Base64.getUrlEncoder()
                                    .encodeToString(shown.get(shown.size() - 1)
                                            .path(name)
                                            .asText()
                                            .getBytes(StandardCharsets.UTF_8)));
        } else {
            tree.put("Truncated", false);
            tree.remove("NextMarker");
        }
        return JSON.writeValueAsBytes(tree);
    }

    /** A KMS listing the stand-in pages: the answer's field, the entry's name, the default and largest Limit. */
    private record Listing(String field, String name, int defaultLimit, int maxLimit) {}

    private static final Map<String, Listing> LISTINGS = Map.of(
            "ListAliases", new Listing("Aliases", "AliasName", 50, 100),
            "ListKeys", new Listing("Keys", "KeyId", 100, 1000));

    private static boolean validMarker(String marker) {
        try {
            return marker.startsWith(MARKER)
                    && java.util.Base64.getUrlDecoder().decode(marker.substring(MARKER.length())).length > 0;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static final String MARKER = "strict-aws-page-";

    private static boolean young(Map<String, Long> made, String key, Duration window, long now) {
        Long at = made.get(key);
        return at != null && now - at < window.toNanos();
    }

    /** Forwards, remembers what it made, and applies what AWS would show afterwards. */
    private void forwardStrictly(HttpExchange ex, byte[] body, Call call) throws IOException, InterruptedException {
        String replicaOf = Set.of("GetKeyRotationStatus", "ListKeyRotations").contains(call.operation())
                ? primaryRegionOfReplica.get(
                        call.region() + "/" + keyIdOf(call.body().path("KeyId").asText(null)))
                : null;
        long sent = System.nanoTime();
        ForwardingServer.Answer resp = replicaOf == null ? send(ex, body) : send(ex, body, call.region(), replicaOf);
        UPSTREAM.get()[0] = System.nanoTime() - sent;
        for (Loss loss : losses) {
            if (loss.operation().equals(call.operation()) && loss.seen().incrementAndGet() == loss.nth()) {
                if (loss.how() == LostReply.SERVER_ERROR) {
                    json(ex, 500, "KMSInternalException", "We encountered an internal error. Please try again.");
                }
                // CONNECTION_RESET: closing the exchange without an answer drops the connection.
                return;
            }
        }
        byte[] out = resp.body();
        if (resp.statusCode() == 200) {
            out = remember(call, out);
            runHooks(call);
        }
        send(ex, resp.statusCode(), resp.headers(), out);
    }

    private byte[] remember(Call call, byte[] answer) throws IOException {
        long now = System.nanoTime();
        String op = call.operation();
        if (call.service().equals("iam") && op.equals("CreateRole")) {
            Matcher m = ROLE_ARN.matcher(new String(answer, StandardCharsets.UTF_8));
            if (m.find()) {
                createdRoles.put(m.group(1), now);
            }
            return answer;
        }
        if (call.service().equals("tagging") && op.equals("GetResources") && !taggingLag.isZero()) {
            ObjectNode tree = (ObjectNode) JSON.readTree(answer);
            var shown = JSON.createArrayNode();
            for (JsonNode r : tree.path("ResourceTagMappingList")) {
                String id = keyIdOf(r.path("ResourceARN").asText());
                if (!young(createdKeys, call.region() + "/" + id, taggingLag, now)) {
                    shown.add(r);
                }
            }
            tree.set("ResourceTagMappingList", shown);
            return JSON.writeValueAsBytes(tree);
        }
        if (!call.service().equals("kms")) {
            return answer;
        }
        switch (op) {
            case "CreateKey" ->
                createdKeys.put(
                        call.region() + "/"
                                + JSON.readTree(answer)
                                        .path("KeyMetadata")
                                        .path("KeyId")
                                        .asText(),
                        now);
            case "CreateAlias" ->
                createdAliases.put(
                        call.region() + "/" + call.body().path("AliasName").asText(), now);
            case "EnableKeyRotation", "DisableKeyRotation" -> {
                String id = keyIdOf(call.body().path("KeyId").asText());
                boolean on = op.equals("EnableKeyRotation");
                int days = call.body().path("RotationPeriodInDays").asInt(365);
                rotations.compute(
                        id,
                        (k, before) -> new Rotation(
                                on,
                                on ? days : before == null ? 365 : before.periodInDays(),
                                System.currentTimeMillis(),
                                now,
                                before == null ? new Rotation(false, 365, 0, 0, null) : before));
            }
            case "GetKeyRotationStatus" -> {
                return rotationStatus(call, answer, now);
            }
            case "ReplicateKey" -> {
                ObjectNode tree = (ObjectNode) JSON.readTree(answer);
                ObjectNode meta = (ObjectNode) tree.path("ReplicaKeyMetadata");
                String region = call.body().path("ReplicaRegion").asText();
                String id = meta.path("KeyId").asText();
                createdKeys.put(region + "/" + id, now);
                replicas.put(region + "/" + id, now);
                primaryRegionOfReplica.put(region + "/" + id, call.region());
                meta.put("KeyState", "Creating");
                meta.put("Enabled", false);
                return JSON.writeValueAsBytes(tree);
            }
            case "ListAliases" -> {
                // A new alias is not listed yet either, as DescribeKey does not resolve it yet: KMS is eventually
                // consistent for every read after a change (accessing-kms.html#programming-eventual-consistency),
                // and a client that trusted one read view over the other would pass here only by luck.
                ObjectNode tree = (ObjectNode) JSON.readTree(answer);
                var shown = JSON.createArrayNode();
                for (JsonNode a : tree.path("Aliases")) {
                    if (aliasesListedAtOnce
                            || !young(
                                    createdAliases,
                                    call.region() + "/" + a.path("AliasName").asText(),
                                    settings.newAliasNotFound(),
                                    now)) {
                        shown.add(a);
                    }
                }
                return page(call, tree, shown);
            }
            case "ListKeys" -> {
                ObjectNode tree = (ObjectNode) JSON.readTree(answer);
                return page(call, tree, tree.path("Keys"));
            }
            case "GetKeyPolicy" ->
                lastPolicyRead.put(
                        call.region() + "/" + keyIdOf(call.body().path("KeyId").asText()), answer);
            case "PutKeyPolicy" -> {
                String key =
                        call.region() + "/" + keyIdOf(call.body().path("KeyId").asText());
                policyWrites.put(key, new Written(now, lastPolicyRead.get(key)));
            }
            case "DescribeKey" -> {
                ObjectNode tree = (ObjectNode) JSON.readTree(answer);
                ObjectNode meta = (ObjectNode) tree.path("KeyMetadata");
                boolean typed = typeMultiRegionKey(meta);
                String key = call.region() + "/" + meta.path("KeyId").asText();
                Long made = replicas.get(key);
                if (made != null
                        && now - made
                                < settings.newKeyNotFound()
                                        .plus(settings.replicaCreating())
                                        .toNanos()
                        && "Enabled".equals(meta.path("KeyState").asText())) {
                    meta.put("KeyState", "Creating");
                    meta.put("Enabled", false);
                    return JSON.writeValueAsBytes(tree);
                }
                if (typed) {
                    return JSON.writeValueAsBytes(tree);
                }
            }
            default -> {}
        }
        return answer;
    }

    /**
     * A multi-Region key is PRIMARY when it is its own primary and REPLICA otherwise
     * (https://docs.aws.amazon.com/kms/latest/APIReference/API_MultiRegionConfiguration.html). moto 5.2.1's replica is a
     * shallow copy sharing its primary's configuration, so once a replica was described the primary reads REPLICA too
     * (and the Terraform provider refuses it as "not a multi-Region primary key"). Returns whether it changed anything.
     */
    private static boolean typeMultiRegionKey(ObjectNode meta) {
        if (!(meta.path("MultiRegionConfiguration") instanceof ObjectNode conf)) {
            return false;
        }
        String primary = conf.path("PrimaryKey").path("Arn").asText("");
        String type = meta.path("Arn").asText().equals(primary) ? "PRIMARY" : "REPLICA";
        if (primary.isEmpty() || type.equals(conf.path("MultiRegionKeyType").asText())) {
            return false;
        }
        conf.put("MultiRegionKeyType", type);
        return true;
    }

    /**
     * moto's answer (KeyRotationEnabled only) completed as AWS answers: the period and the next rotation date; a status
     * set through here moments ago reads back as it was before for the stale-read window.
     */
    private byte[] rotationStatus(Call call, byte[] answer, long now) throws IOException {
        ObjectNode tree = (ObjectNode) JSON.readTree(answer);
        Rotation r = rotations.get(keyIdOf(call.body().path("KeyId").asText()));
        // moto holds whether rotation is on (also when set out of band); the period is known only from calls seen here.
        boolean stale =
                r != null && now - r.atNanos() < settings.stalePolicyRead().toNanos();
        Rotation shown = stale ? r.before() : r;
        boolean enabled =
                stale ? shown.enabled() : tree.path("KeyRotationEnabled").asBoolean();
        tree.put("KeyRotationEnabled", enabled);
        tree.remove("RotationPeriodInDays");
        tree.remove("NextRotationDate");
        r = shown;
        if (enabled) {
            int days = r != null && r.enabled() ? r.periodInDays() : 365;
            long from = r != null && r.atMillis() > 0 ? r.atMillis() : System.currentTimeMillis();
            tree.put("RotationPeriodInDays", days);
            tree.put("NextRotationDate", (from + Duration.ofDays(days).toMillis()) / 1000.0);
        }
        return JSON.writeValueAsBytes(tree);
    }

    /** Forwards signed for another region (moto reads the region from the credential scope): a replica's primary. */
    private ForwardingServer.Answer send(HttpExchange ex, byte[] body, String region, String asRegion)
            throws IOException, InterruptedException {
        return server.send(ex, body, v -> v.replace("/" + region + "/", "/" + asRegion + "/"));
    }

    private Call parse(HttpExchange ex, byte[] body) {
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        Matcher scope = SCOPE.matcher(auth == null ? "" : auth);
        String account = "?";
        String region = "?";
        String service = "?";
        if (scope.find()) {
            account = scope.group(1);
            region = scope.group(2);
            service = scope.group(3);
        }
        String amzTarget = ex.getRequestHeaders().getFirst("X-Amz-Target");
        String op;
        JsonNode json = JSON.createObjectNode();
        if (amzTarget != null) {
            op = amzTarget.substring(amzTarget.indexOf('.') + 1);
            if (amzTarget.startsWith("ResourceGroupsTaggingAPI")) {
                service = "tagging";
            }
            try {
                json = body.length == 0 ? json : JSON.readTree(body);
            } catch (IOException e) {
                json = JSON.createObjectNode();
            }
        } else {
            Matcher m = ACTION.matcher(new String(body, StandardCharsets.UTF_8));
            op = m.find() ? m.group(1) : "?";
        }
        return new Call(account, service, region, op, json);
    }

    /** The bare key id of a key id or key ARN; null for an alias or nothing. */
    private static String keyIdOf(String keyIdOrArn) {
        if (keyIdOrArn == null || keyIdOrArn.contains("alias/")) {
            return null;
        }
        int slash = keyIdOrArn.lastIndexOf("key/");
        return slash >= 0 ? keyIdOrArn.substring(slash + 4) : keyIdOrArn;
    }

    private ForwardingServer.Answer send(HttpExchange ex, byte[] body) throws IOException, InterruptedException {
        return server.send(ex, body);
    }

    private void forward(HttpExchange ex, byte[] body, Call call) throws IOException, InterruptedException {
        ForwardingServer.Answer resp = send(ex, body);
        send(ex, resp.statusCode(), resp.headers(), resp.body());
    }

    private static void json(HttpExchange ex, int status, String type, String message) throws IOException {
        ObjectNode error = JSON.createObjectNode().put("__type", type).put("message", message);
        send(ex, status, Map.of("Content-Type", List.of("application/x-amz-json-1.1")), JSON.writeValueAsBytes(error));
    }

    private static void xml(HttpExchange ex, int status, String code, String message) throws IOException {
        String body = "<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><Error><Type>Sender</Type>"
                + "<Code>" + code + "</Code><Message>" + message + "</Message></Error>"
                + "<RequestId>00000000-0000-0000-0000-000000000000</RequestId></ErrorResponse>";
        send(ex, status, Map.of("Content-Type", List.of("text/xml")), body.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange ex, int status, Map<String, List<String>> headers, byte[] out)
            throws IOException {
        try {
            sleep(REPLY_DELAY.get());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted before answering", e);
        }
        ForwardingServer.reply(ex, status, headers, out);
    }

    private static void sleep(Duration d) throws InterruptedException {
        if (!d.isZero()) {
            Thread.sleep(d.toMillis());
        }
    }

    @Override
    public void close() {
        releaseHeld();
        server.close();
    }

    // ---- appended for breach-response tests ----------------------------------------------------------------------

    private record Hang(String operation, String region) {}

    private record Hook(String operation, int nth, Runnable action, AtomicInteger seen) {}

    private final List<Hang> hangs = new CopyOnWriteArrayList<>();
    private final List<Hook> hooks = new CopyOnWriteArrayList<>();
    private volatile java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);

    /**
     * Calls of {@code operation} in {@code region} (null: any) are received and never answered, as behind a network
     * that drops them: only the caller's own deadline (the SDK's apiCallAttemptTimeout) ends them. Until
     * {@link #reset()}.
     */
    public StrictAws neverAnswer(String operation, String region) {
        hangs.add(new Hang(operation, region));
        return this;
    }

    /**
     * Runs {@code action} once the {@code nth} successful call of {@code operation} (1-based, since the last reset)
     * reached moto and changed it, before its answer leaves: where a test kills the caller right after a write.
     */
    public StrictAws beforeReply(String operation, int nth, Runnable action) {
        hooks.add(new Hook(operation, nth, action, new AtomicInteger()));
        return this;
    }

    private boolean held(Call call) throws InterruptedException {
        for (Hang h : hangs) {
            if (h.operation().equals(call.operation())
                    && (h.region() == null || h.region().equals(call.region()))) {
                release.await();
                return true;
            }
        }
        return false;
    }

    private void runHooks(Call call) {
        for (Hook h : hooks) {
            if (h.operation().equals(call.operation()) && h.seen().incrementAndGet() == h.nth()) {
                h.action().run();
            }
        }
    }

    private void releaseHeld() {
        hangs.clear();
        release.countDown();
        release = new java.util.concurrent.CountDownLatch(1);
    }
}
