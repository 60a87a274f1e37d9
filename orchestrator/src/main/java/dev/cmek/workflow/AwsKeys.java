package dev.cmek.workflow;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.cmek.CmekException;
import dev.cmek.ExitCode;
import dev.cmek.aws.AccountId;
import dev.cmek.aws.AwsCmek;
import dev.cmek.aws.AwsCmekException;
import dev.cmek.aws.AwsCmekRequest;
import dev.cmek.aws.CallFailedException;
import dev.cmek.aws.ClusterId;
import dev.cmek.aws.ExternalId;
import dev.cmek.aws.InvalidInputException;
import dev.cmek.aws.KeyArn;
import dev.cmek.aws.KeyPlacement;
import dev.cmek.aws.NoCredentialsException;
import dev.cmek.aws.PolicyDocument;
import dev.cmek.aws.ProvisionResult;
import dev.cmek.aws.ResourceNames;
import dev.cmek.aws.RestoreRequest;
import dev.cmek.aws.RestoreResult;
import dev.cmek.aws.RevocationRecord;
import dev.cmek.aws.RevocationRequest;
import dev.cmek.aws.RoleArn;
import dev.cmek.aws.RotationPolicy;
import dev.cmek.aws.UntrustedRecordException;
import dev.cmek.core.Change;
import dev.cmek.core.Control;
import dev.cmek.core.ControlResult;
import dev.cmek.core.Outcome;
import dev.cmek.core.RevocationJournal;
import dev.cmek.core.Verdict;
import dev.cmek.model.KeySpec;
import dev.cmek.model.KeyType;
import dev.cmek.model.RegionSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.regions.Region;

/** {@link CloudKeys} on AWS: bridges the workflows to the {@code aws} adapter. */
public final class AwsKeys implements CloudKeys {

    /**
     * How to place keys in the customer's account.
     *
     * @param existingKeys key ARNs the customer brings, by region; then every region needs one
     * @param principalPropagationBound {@code --propagation-bound}: how long AWS may take to catch up with what a run
     *     made (a new role usable in a key policy, a new key, alias or replica visible, a policy reading back)
     * @param rotation automatic rotation of the keys made (default period 365 days)
     */
    public record Options(
            boolean multiRegionKey,
            Map<String, String> existingKeys,
            boolean repairDrift,
            Duration principalPropagationBound,
            RotationSettings rotation) {
        public Options {
            existingKeys = Map.copyOf(existingKeys);
        }

        public Options(
                boolean multiRegionKey,
                Map<String, String> existingKeys,
                boolean repairDrift,
                Duration principalPropagationBound) {
            this(multiRegionKey, existingKeys, repairDrift, principalPropagationBound, RotationSettings.defaults());
        }

        public static Options defaults() {
            return new Options(false, Map.of(), false, AwsCmekRequest.DEFAULT_PROPAGATION_BOUND);
        }

        /** The AWS policy: the period given, else AWS's default 365 days; checked against AWS's 90 to 2560. */
        RotationPolicy rotationPolicy() {
            return rotation.automatic()
                    ? new RotationPolicy(
                            true, rotation.periodInDays().orElse(RotationPolicy.DEFAULT_DAYS), rotation.repair())
                    : RotationPolicy.off();
        }
    }

    private final Supplier<AwsCmek> aws;
    private final Options options;
    private AwsCmek adapter;
    private final java.util.Set<KeyArn> rotated = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** @param aws builds the adapter (and with it the SDK clients) on first use */
    public AwsKeys(Supplier<AwsCmek> aws, Options options) {
        this.aws = aws;
        this.options = options;
    }

    private synchronized AwsCmek aws() {
        if (adapter == null) {
            adapter = aws.get();
        }
        return adapter;
    }

    @Override
    public ProvisionReport plan(ClusterTarget cluster) {
        return run(cluster, false);
    }

    @Override
    public ProvisionReport provision(ClusterTarget cluster) {
        return run(cluster, true);
    }

    /**
     * One adapter run per key generation the cluster's regions use (rotate --new-key may have moved only some of them),
     * one after the other: the first generation as asked (a multi-Region key over every region, its primary being the
     * first), a later one per region, as rotate made it. Keys brought with --existing-key are taken as given.
     */
    private ProvisionReport run(ClusterTarget cluster, boolean apply) {
        java.util.SortedMap<Integer, List<String>> byGeneration = new java.util.TreeMap<>();
        for (String region : cluster.regions()) {
            int generation = options.existingKeys().isEmpty() ? cluster.keyGeneration(region) : 1;
            byGeneration.computeIfAbsent(generation, g -> new ArrayList<>()).add(region);
        }
        if (byGeneration.keySet().equals(Set.of(1))) {
            AwsCmekRequest request = request(cluster);
            return report(cluster.regions(), call(() -> apply ? aws().provision(request) : aws().plan(request)));
        }
        Map<String, String> keys = new LinkedHashMap<>();
        List<Change> changes = new ArrayList<>();
        String role = null;
        for (var group : byGeneration.entrySet()) {
            int generation = group.getKey();
            AwsCmekRequest request = call(() -> generation == 1
                    ? (options.multiRegionKey() ? request(cluster) : request(cluster.withRegions(group.getValue())))
                    : request(cluster)
                            .withPlacement(KeyPlacement.perRegion())
                            .withRegions(regions(group.getValue()))
                            .withGeneration(generation));
            ProvisionResult result = call(() -> apply ? aws().provision(request) : aws().plan(request));
            for (Change c : result.changes()) {
                // The role is the same for every generation: said once, by the first run.
                if ((role == null || c.region() != null) && !changes.contains(c)) {
                    changes.add(c);
                }
            }
            group.getValue().forEach(region -> {
                if (result.keys().containsKey(region)) {
                    keys.put(region, result.keys().get(region).toString());
                }
            });
            role = result.role().toString();
        }
        String principal = role;
        return new ProvisionReport(
                cluster.regions().stream()
                        .map(r -> new RegionSpec(r, new KeySpec(KeyType.AWS_KMS, keys.getOrDefault(r, ""), principal)))
                        .toList(),
                changes);
    }

    @Override
    public ProvisionReport provisionNewKeys(ClusterTarget cluster, List<String> regions, int generation) {
        AwsCmekRequest request = call(() -> request(cluster)
                .withPlacement(KeyPlacement.perRegion())
                .withRegions(regions(regions))
                .withGeneration(generation));
        return report(regions, call(() -> aws().provision(request)));
    }

    /**
     * What provision would make for the cluster, in the adapter's own values, and what of it exists: for a
     * configuration that makes or adopts exactly that (an export to Terraform). Reads only. A resource with our name
     * that is not ours is refused (exit 3), as provision refuses it.
     *
     * @param plan what provision would do; its keys are the keys that exist
     * @param keyPolicies the policy provision leaves on each key that exists (its live policy with our grant)
     * @param aliased the regions whose key our alias already names
     */
    public record Adoption(
            AwsCmekRequest request,
            ProvisionResult plan,
            Map<KeyArn, PolicyDocument> keyPolicies,
            Set<String> aliased) {
        public Adoption {
            keyPolicies = Map.copyOf(keyPolicies);
            aliased = Set.copyOf(aliased);
        }
    }

    public Adoption adoption(ClusterTarget cluster) {
        AwsCmekRequest request = request(cluster);
        ProvisionResult plan = call(() -> aws().plan(request));
        List<Change> blocked = plan.changes().stream()
                .filter(c -> c.action() == Change.Action.BLOCKED)
                .toList();
        if (!blocked.isEmpty()) {
            throw new CmekException(
                    ExitCode.REJECTED,
                    "cluster " + cluster.clusterId() + ": a resource with our name is not ours, so it is neither"
                            + " made nor adopted: "
                            + blocked.stream()
                                    .map(c -> c.resource() + " (" + c.detail() + ")")
                                    .toList());
        }
        Map<KeyArn, PolicyDocument> policies = new LinkedHashMap<>();
        Set<String> aliased = new LinkedHashSet<>();
        String alias = request.names().alias(request.generation());
        plan.keys().forEach((region, key) -> {
            policies.computeIfAbsent(
                    key, k -> call(() -> aws().keyPolicyWithGrant(request.clusterId(), k, plan.role())));
            if (!(request.placement() instanceof KeyPlacement.Existing)
                    && call(() -> aws().keyOfAlias(Region.of(region), alias))
                            .filter(named -> named.keyId().equals(key.keyId()))
                            .isPresent()) {
                aliased.add(region);
            }
        });
        return new Adoption(request, plan, policies, aliased);
    }

    /** A key used through another principal than our role is not ours: not even asked (it may be another account's). */
    @Override
    public int generationOf(ClusterTarget cluster, KeySpec spec) {
        ClusterId id = call(() -> ClusterId.of(cluster.clusterId()));
        if (!spec.authPrincipal().endsWith(":role/" + new ResourceNames(id).roleName())) {
            return 0;
        }
        return call(() -> aws().generationOf(id, KeyArn.of(spec.uri())).orElse(0));
    }

    /** A multi-Region key is rotated once, at its primary, however many of its replicas the cluster's regions use. */
    @Override
    public KeySpec rotateKeyMaterial(KeySpec spec) {
        call(() -> {
            KeyArn target = aws().rotationTarget(KeyArn.of(spec.uri()));
            if (rotated.add(target)) {
                aws().rotateKeyMaterial(target);
            }
            return null;
        });
        return spec;
    }

    @Override
    public Revocation revoke(RevokeScope scope, RevocationJournal<DocumentIntent> journal) {
        RevocationRequest request = call(() -> new RevocationRequest(
                ClusterId.of(scope.clusterId()),
                scope.clusterAccount().map(AccountId::of),
                scope.organizationId().map(ExternalId::of),
                regions(scope.regions()),
                scope.keysInUse().values().stream()
                        .map(spec -> KeyArn.of(spec.uri()))
                        .toList(),
                scope.immediate(),
                options.principalPropagationBound(),
                scope.dryRun()));
        RevocationRecord record = call(() -> aws().revoke(request, new RevocationJournal<>() {
            @Override
            public void intent(RevocationRecord.Intent intent) {
                journal.intent(new DocumentIntent(
                        intent.document().words(), intent.resource(), intent.region(), removing(intent), json(intent)));
            }

            @Override
            public void outcome(Outcome outcome) {
                journal.outcome(outcome);
            }
        }));
        List<String> notes = new ArrayList<>(record.notes());
        ResourceNames names = request.names();
        scope.keysInUse().forEach((region, spec) -> {
            if (!spec.authPrincipal().endsWith(":role/" + names.roleName())) {
                notes.add("region " + region + " names principal " + spec.authPrincipal() + ", not cmek's role "
                        + names.roleName() + "; only cmek's role was revoked: remove that principal's access yourself");
            }
        });
        return new Revocation(record.outcomes(), notes, record.revokedBy());
    }

    /** What an intent's write removes, in words. */
    private static List<String> removing(RevocationRecord.Intent intent) {
        return switch (intent.document()) {
            case TRUST ->
                intent.removed().stream()
                        .map(s -> "trust of " + principals(s) + " in role " + intent.role())
                        .toList();
            case KEY_POLICY ->
                List.of("key policy statement granting " + intent.role() + " on " + intent.resource() + " ("
                        + intent.region() + ")");
            case SESSION_DENY ->
                List.of("sessions of " + intent.role() + " issued before the cutoff in inline policy "
                        + ResourceNames.REVOKE_SESSIONS_POLICY + " (denied)");
        };
    }

    private static String principals(String statement) {
        try {
            JsonNode p = EvidenceFile.JSON.readTree(statement).path("Principal").path("AWS");
            List<String> out = new ArrayList<>();
            if (p.isArray()) {
                p.forEach(x -> out.add(x.asText()));
            } else {
                out.add(p.asText());
            }
            return String.join(", ", out);
        } catch (JsonProcessingException e) {
            return "its principals";
        }
    }

    @Override
    public Optional<String> principalOf(String clusterId) {
        ClusterId cluster = call(() -> ClusterId.of(clusterId));
        return call(() -> aws().ourRole(cluster)).map(RoleArn::value);
    }

    @Override
    public RestoreReport restore(RestoreScope scope) {
        List<RevocationRecord.Intent> intents = new ArrayList<>();
        for (JsonNode n : scope.intents()) {
            try {
                intents.add(RevocationRecord.Intent.fromJson(n.toString()));
            } catch (RuntimeException e) {
                throw new CmekException.InvalidInput(
                        "an AWS intent of the revocation record is unreadable: " + firstLine(e.getMessage()));
            }
        }
        RestoreRequest request = call(() -> new RestoreRequest(
                ClusterId.of(scope.clusterId()),
                scope.clusterAccount().map(AccountId::of),
                scope.organizationId().map(ExternalId::of),
                scope.customerAccount().map(AccountId::of),
                intents,
                options.principalPropagationBound()));
        RestoreResult result = call(() -> aws().restore(request));
        return new RestoreReport(
                result.changes().stream().map(Change::toString).toList(), result.warnings(), result.couldNot());
    }

    @Override
    public VerifyReport verify(ClusterTarget cluster, Map<String, KeySpec> liveSpecs) {
        AwsCmekRequest request = liveRequest(cluster, liveSpecs);
        return report(liveSpecs, call(() -> aws().verify(request)));
    }

    @Override
    public VerifyReport verify(ClusterTarget cluster, Map<String, KeySpec> liveSpecs, Set<String> formerUris) {
        AwsCmekRequest request = liveRequest(cluster, liveSpecs);
        Set<KeyArn> former = new LinkedHashSet<>();
        formerUris.forEach(uri -> {
            try {
                former.add(KeyArn.of(uri));
            } catch (InvalidInputException notAnAwsKey) {
                // A spec of another kind in the history cannot be one of this cluster's AWS keys.
            }
        });
        return report(liveSpecs, call(() -> aws().verify(request, former)));
    }

    @Override
    public Optional<Instant> newestKeyVersion(KeySpec spec) {
        return call(() -> aws().newestKeyVersion(KeyArn.of(spec.uri())));
    }

    /** Key policies and keys of another account cannot be read with these credentials. */
    @Override
    public Optional<String> unreachable(Map<String, KeySpec> liveSpecs) {
        AccountId me = call(() -> aws().callerAccount());
        List<String> others = liveSpecs.values().stream()
                .map(s -> call(() -> KeyArn.of(s.uri())).account())
                .filter(a -> !a.equals(me))
                .map(AccountId::value)
                .distinct()
                .toList();
        return others.isEmpty()
                ? Optional.empty()
                : Optional.of("its keys are in AWS account " + String.join(", ", others)
                        + "; these credentials are account " + me);
    }

    private static VerifyReport report(Map<String, KeySpec> liveSpecs, dev.cmek.aws.VerifyReport report) {
        RoleArn role = report.role();
        Map<String, VerifyReport.RegionControls> regions = new LinkedHashMap<>();
        report.regions().forEach((region, check) -> {
            List<ControlResult> controls = new ArrayList<>();
            for (ControlResult c : report.principalControls()) {
                ControlResult mapped = c;
                KeySpec spec = liveSpecs.get(region);
                if (c.control() == Control.PRINCIPAL_TRUST
                        && role != null
                        && spec != null
                        && !spec.authPrincipal().equals(role.toString())) {
                    List<String> evidence = new ArrayList<>(mapped.failed() ? mapped.evidence() : List.of());
                    evidence.add("region " + region + " names principal " + spec.authPrincipal()
                            + ", not the cluster's role " + role);
                    mapped = new ControlResult(
                            Control.PRINCIPAL_TRUST,
                            Verdict.FAIL,
                            evidence,
                            "point the region at the cluster's role with `cmek rotate --manifest` (a manifest built"
                                    + " by `cmek provision`)");
                }
                controls.add(mapped);
            }
            controls.addAll(check.controls());
            regions.put(
                    region,
                    new VerifyReport.RegionControls(
                            check.key() == null
                                    ? liveSpecs.get(region).uri()
                                    : check.key().toString(),
                            controls,
                            check.newestKeyVersion()));
        });
        return new VerifyReport(role == null ? "" : role.toString(), regions, List.of());
    }

    private AwsCmekRequest request(ClusterTarget cluster) {
        return call(() -> {
            AwsCmekRequest request = AwsCmekRequest.of(
                            ClusterId.of(cluster.clusterId()),
                            AccountId.of(cluster.accountId()),
                            ExternalId.of(cluster.organizationId()),
                            regions(cluster.regions()))
                    .withRepairDrift(options.repairDrift())
                    .withPrincipalPropagationBound(options.principalPropagationBound())
                    .withRotation(options.rotationPolicy());
            if (!options.existingKeys().isEmpty()) {
                return request.withPlacement(KeyPlacement.existing(keyArns(options.existingKeys(), cluster.regions())));
            }
            return options.multiRegionKey() ? request.withPlacement(KeyPlacement.multiRegion()) : request;
        });
    }

    /** A request over the keys the cluster uses now, whatever generation or origin they are. */
    private AwsCmekRequest liveRequest(ClusterTarget cluster, Map<String, KeySpec> liveSpecs) {
        Map<String, String> uris = new LinkedHashMap<>();
        liveSpecs.forEach((region, spec) -> uris.put(region, spec.uri()));
        List<String> regions = List.copyOf(liveSpecs.keySet());
        return call(() -> AwsCmekRequest.of(
                        ClusterId.of(cluster.clusterId()),
                        AccountId.of(cluster.accountId()),
                        ExternalId.of(cluster.organizationId()),
                        regions(regions))
                .withPrincipalPropagationBound(options.principalPropagationBound())
                .withPlacement(KeyPlacement.existing(keyArns(uris, regions))));
    }

    private static Map<String, KeyArn> keyArns(Map<String, String> uris, List<String> regions) {
        List<String> missing =
                regions.stream().filter(r -> !uris.containsKey(r)).toList();
        if (!missing.isEmpty()) {
            throw new CmekException.InvalidInput("--existing-key on AWS needs a key for every cluster region; missing: "
                    + String.join(", ", missing));
        }
        Map<String, KeyArn> arns = new LinkedHashMap<>();
        regions.forEach(r -> arns.put(r, KeyArn.of(uris.get(r))));
        return arns;
    }

    private static List<Region> regions(List<String> names) {
        return names.stream().map(Region::of).toList();
    }

    private static ProvisionReport report(List<String> regions, ProvisionResult result) {
        List<RegionSpec> specs = regions.stream()
                .map(r -> new RegionSpec(
                        r,
                        new KeySpec(
                                KeyType.AWS_KMS,
                                result.keys().containsKey(r)
                                        ? result.keys().get(r).toString()
                                        : "",
                                result.role().toString())))
                .toList();
        return new ProvisionReport(specs, result.changes());
    }

    private static JsonNode json(RevocationRecord.Intent intent) {
        try {
            return EvidenceFile.JSON.readTree(intent.toJson());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("revocation record not serialisable", e);
        }
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse("");
    }

    /** Runs an adapter call, turning its exceptions into the toolkit's, each with its exit code. */
    static <T> T call(Supplier<T> step) {
        try {
            return step.get();
        } catch (InvalidInputException | UntrustedRecordException e) {
            throw new CmekException.InvalidInput("AWS: " + e.getMessage());
        } catch (NoCredentialsException e) {
            throw new CmekException(ExitCode.REJECTED, "AWS: " + e.getMessage(), e);
        } catch (CallFailedException e) {
            throw new CmekException(
                    e.failure() == CallFailedException.Failure.UNAVAILABLE ? ExitCode.UNAVAILABLE : ExitCode.REJECTED,
                    "AWS: " + e.getMessage(),
                    e);
        } catch (AwsCmekException e) {
            throw new CmekException(ExitCode.REJECTED, "AWS: " + e.getMessage(), e);
        } catch (SdkClientException e) {
            throw new CmekException(ExitCode.UNAVAILABLE, "AWS: " + e.getMessage(), e);
        }
    }
}
