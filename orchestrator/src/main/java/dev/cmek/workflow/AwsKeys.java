package dev.cmek.workflow;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.cmek.CmekException;
import dev.cmek.ExitCode;
import dev.cmek.aws.AccountId;
import dev.cmek.aws.AwsCmek;
import dev.cmek.aws.AwsCmekException;
import dev.cmek.aws.CallFailedException;
import dev.cmek.aws.Change;
import dev.cmek.aws.ClusterId;
import dev.cmek.aws.CmekRequest;
import dev.cmek.aws.ExternalId;
import dev.cmek.aws.InvalidInputException;
import dev.cmek.aws.KeyArn;
import dev.cmek.aws.KeyPlacement;
import dev.cmek.aws.NoCredentialsException;
import dev.cmek.aws.ProvisionResult;
import dev.cmek.aws.ResourceNames;
import dev.cmek.aws.RestoreRequest;
import dev.cmek.aws.RestoreResult;
import dev.cmek.aws.RevocationJournal;
import dev.cmek.aws.RevocationRecord;
import dev.cmek.aws.RevocationRequest;
import dev.cmek.aws.RoleArn;
import dev.cmek.aws.UntrustedRecordException;
import dev.cmek.model.KeySpec;
import dev.cmek.model.KeyType;
import dev.cmek.model.RegionSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
     */
    public record Options(
            boolean multiRegionKey,
            Map<String, String> existingKeys,
            boolean repairDrift,
            Duration principalPropagationBound) {
        public Options {
            existingKeys = Map.copyOf(existingKeys);
        }

        public static Options defaults() {
            return new Options(false, Map.of(), false, CmekRequest.DEFAULT_PROPAGATION_BOUND);
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
        CmekRequest request = request(cluster);
        return report(cluster.regions(), call(() -> aws().plan(request)));
    }

    @Override
    public ProvisionReport provision(ClusterTarget cluster) {
        CmekRequest request = request(cluster);
        return report(cluster.regions(), call(() -> aws().provision(request)));
    }

    @Override
    public ProvisionReport provisionNewKeys(ClusterTarget cluster, List<String> regions, int generation) {
        CmekRequest request = call(() -> request(cluster)
                .withPlacement(KeyPlacement.perRegion())
                .withRegions(regions(regions))
                .withGeneration(generation));
        return report(regions, call(() -> aws().provision(request)));
    }

    @Override
    public int generationOf(ClusterTarget cluster, KeySpec spec) {
        return call(() -> aws().generationOf(ClusterId.of(cluster.clusterId()), KeyArn.of(spec.uri()))
                .orElse(0));
    }

    /** A multi-Region key is rotated once, at its primary, however many of its replicas the cluster's regions use. */
    @Override
    public void rotateKeyMaterial(KeySpec spec) {
        call(() -> {
            KeyArn target = aws().rotationTarget(KeyArn.of(spec.uri()));
            if (rotated.add(target)) {
                aws().rotateKeyMaterial(target);
            }
            return null;
        });
    }

    @Override
    public Revocation revoke(RevokeScope scope, RevocationLog log) {
        RevocationRequest request = call(() -> new RevocationRequest(
                ClusterId.of(scope.clusterId()),
                scope.clusterAccount().map(AccountId::of),
                scope.organizationId().map(ExternalId::of),
                regions(scope.regions()),
                scope.keysInUse().values().stream()
                        .map(spec -> KeyArn.of(spec.uri()))
                        .toList(),
                scope.immediate(),
                options.principalPropagationBound()));
        RevocationRecord record = call(() -> aws().revoke(request, new RevocationJournal() {
            @Override
            public void intent(RevocationRecord.Intent intent) {
                log.intent(new DocumentIntent(
                        words(intent.document()), intent.resource(), intent.region(), removing(intent), json(intent)));
            }

            @Override
            public void target(RevocationRecord.Target t) {
                log.outcome(outcome(t));
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
        return new Revocation(record.targets().stream().map(AwsKeys::outcome).toList(), notes, record.revokedBy());
    }

    private static DocumentOutcome outcome(RevocationRecord.Target t) {
        return new DocumentOutcome(
                words(t.document()),
                t.resource(),
                t.region(),
                CloudKeys.Fate.valueOf(t.fate().name()),
                t.detail());
    }

    private static String words(RevocationRecord.Document document) {
        return switch (document) {
            case TRUST -> "role trust";
            case KEY_POLICY -> "key policy";
            case SESSION_DENY -> "session deny";
        };
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
                result.changes().stream().map(AwsKeys::describe).toList(), result.warnings(), result.couldNot());
    }

    @Override
    public VerifyReport verify(ClusterTarget cluster, Map<String, KeySpec> liveSpecs) {
        CmekRequest request = liveRequest(cluster, liveSpecs);
        var report = call(() -> aws().verify(request));
        List<String> roleFindings = new ArrayList<>(report.roleFindings());
        RoleArn role = report.role();
        if (role != null) {
            liveSpecs.forEach((region, spec) -> {
                if (!spec.authPrincipal().equals(role.toString())) {
                    roleFindings.add("region " + region + " names principal " + spec.authPrincipal()
                            + ", not the cluster's role " + role);
                }
            });
        }
        Map<String, VerifyReport.RegionCheck> regions = new LinkedHashMap<>();
        report.regions()
                .forEach((region, check) -> regions.put(
                        region,
                        new VerifyReport.RegionCheck(
                                check.key() == null
                                        ? liveSpecs.get(region).uri()
                                        : check.key().toString(),
                                check.ok(),
                                check.findings())));
        return new VerifyReport(roleFindings, regions);
    }

    private CmekRequest request(ClusterTarget cluster) {
        return call(() -> {
            CmekRequest request = CmekRequest.of(
                            ClusterId.of(cluster.clusterId()),
                            AccountId.of(cluster.accountId()),
                            ExternalId.of(cluster.organizationId()),
                            regions(cluster.regions()))
                    .withRepairDrift(options.repairDrift())
                    .withPrincipalPropagationBound(options.principalPropagationBound());
            if (!options.existingKeys().isEmpty()) {
                return request.withPlacement(KeyPlacement.existing(keyArns(options.existingKeys(), cluster.regions())));
            }
            return options.multiRegionKey() ? request.withPlacement(KeyPlacement.multiRegion()) : request;
        });
    }

    /** A request over the keys the cluster uses now, whatever generation or origin they are. */
    private CmekRequest liveRequest(ClusterTarget cluster, Map<String, KeySpec> liveSpecs) {
        Map<String, String> uris = new LinkedHashMap<>();
        liveSpecs.forEach((region, spec) -> uris.put(region, spec.uri()));
        List<String> regions = List.copyOf(liveSpecs.keySet());
        return call(() -> CmekRequest.of(
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
        List<ResourceChange> changes = result.changes().stream()
                .map(c -> new ResourceChange(
                        c.type().words(),
                        c.resource(),
                        c.region(),
                        ResourceChange.Action.valueOf(c.action().name()),
                        c.detail() == null ? "" : c.detail()))
                .toList();
        return new ProvisionReport(specs, changes);
    }

    private static String describe(Change c) {
        return c.action() + " " + c.type().words() + " " + c.resource()
                + (c.region() == null ? "" : " (" + c.region() + ")")
                + (c.detail() == null || c.detail().isEmpty() ? "" : ": " + c.detail());
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
