package dev.cmek.workflow;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.google.cloud.kms.v1.CryptoKeyName;
import com.google.cloud.kms.v1.ProtectionLevel;
import dev.cmek.CmekException;
import dev.cmek.ExitCode;
import dev.cmek.core.Change;
import dev.cmek.core.Control;
import dev.cmek.core.ControlResult;
import dev.cmek.core.Outcome;
import dev.cmek.core.RevocationJournal;
import dev.cmek.core.Verdict;
import dev.cmek.gcp.CallFailedException;
import dev.cmek.gcp.ClusterId;
import dev.cmek.gcp.CmekNames;
import dev.cmek.gcp.GcpCmek;
import dev.cmek.gcp.GcpCmekException;
import dev.cmek.gcp.GcpCmekRequest;
import dev.cmek.gcp.InvalidInputException;
import dev.cmek.gcp.PrincipalNotYetVisibleException;
import dev.cmek.gcp.ProvisionPlan;
import dev.cmek.gcp.RestoreRequest;
import dev.cmek.gcp.RestoreResult;
import dev.cmek.gcp.RevocationRecord;
import dev.cmek.gcp.RevocationRequest;
import dev.cmek.gcp.RotationSchedule;
import dev.cmek.gcp.ServiceAccountEmail;
import dev.cmek.gcp.UntrustedRecordException;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@link CloudKeys} on GCP: bridges the workflows to the {@code gcp} adapter. */
public final class GcpKeys implements CloudKeys {
    /** The customer's project when no option names it. */
    public static final String PROJECT_ENV = "CMEK_GCP_PROJECT";

    /**
     * How to place keys in the customer's project.
     *
     * @param customerProject the customer's GCP project that holds the keys and the service account
     * @param sharedLocation one KMS location ({@code global}, {@code us}, ...) for all regions, or empty for one key per region
     * @param existingKeys keys the customer brings, by region ({@code projects/.../cryptoKeys/K}); only the grant is added
     * @param propagationBound how long provisioning waits for a new service account to become visible to IAM
     * @param rotation automatic rotation of the keys made (default period 90 days)
     */
    public record Options(
            String customerProject,
            Optional<String> sharedLocation,
            ProtectionLevel protection,
            Map<String, String> existingKeys,
            Duration propagationBound,
            RotationSettings rotation) {
        public Options {
            existingKeys = Map.copyOf(existingKeys);
        }

        public Options(
                String customerProject,
                Optional<String> sharedLocation,
                ProtectionLevel protection,
                Map<String, String> existingKeys,
                Duration propagationBound) {
            this(
                    customerProject,
                    sharedLocation,
                    protection,
                    existingKeys,
                    propagationBound,
                    RotationSettings.defaults());
        }

        /** The GCP schedule: the period given, else 90 days (CIS GCP 1.10); checked against Cloud KMS's range. */
        RotationSchedule rotationSchedule() {
            return rotation.automatic()
                    ? new RotationSchedule(
                            true, rotation.periodInDays().orElse(RotationSchedule.DEFAULT_DAYS), rotation.repair())
                    : RotationSchedule.off();
        }

        public Options(
                String customerProject,
                Optional<String> sharedLocation,
                ProtectionLevel protection,
                Map<String, String> existingKeys) {
            this(customerProject, sharedLocation, protection, existingKeys, GcpCmekRequest.DEFAULT_PROPAGATION_BOUND);
        }
    }

    static final ObjectMapper RECORDS = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .build();
    private static final int POLICY_ATTEMPTS = 5;
    private static final Pattern OUR_KEY_ID =
            Pattern.compile(Pattern.quote(CmekNames.DEFAULT_KEY_BASE) + "(?:-g(\\d+))?");

    private final Supplier<GcpCmek> gcp;
    private final Options options;
    private GcpCmek adapter;

    /** @param gcp builds the adapter (and with it the Google clients) on first use */
    public GcpKeys(Supplier<GcpCmek> gcp, Options options) {
        this.gcp = gcp;
        this.options = options;
    }

    private synchronized GcpCmek gcp() {
        if (adapter == null) {
            adapter = gcp.get();
        }
        return adapter;
    }

    @Override
    public ProvisionReport plan(ClusterTarget cluster) {
        var plan = call(() -> gcp().plan(
                        request(cluster),
                        cluster.generationsExcept(options.existingKeys().keySet())));
        return new ProvisionReport(specs(cluster.regions(), plan.keys(), plan.serviceAccount()), plan.changes());
    }

    @Override
    public ProvisionReport provision(ClusterTarget cluster) {
        var result = call(() -> gcp().provision(
                        request(cluster),
                        cluster.generationsExcept(options.existingKeys().keySet())));
        return new ProvisionReport(specs(cluster.regions(), result.keys(), result.serviceAccount()), result.changes());
    }

    /**
     * What provision would make for the cluster, in the adapter's own values, and what of it exists (in the plan's
     * changes): for a configuration that makes or adopts exactly that (an export to Terraform). Reads only. A resource
     * with our name that is not ours is refused (exit 3), as provision refuses it.
     */
    public record Adoption(GcpCmekRequest request, ProvisionPlan plan) {}

    public Adoption adoption(ClusterTarget cluster) {
        GcpCmekRequest request = request(cluster);
        ProvisionPlan plan = call(() -> gcp().plan(request));
        CloudKeys.refuseBlocked(cluster.clusterId(), plan.blocked());
        return new Adoption(request, plan);
    }

    @Override
    public ProvisionReport provisionNewKeys(ClusterTarget cluster, List<String> regions, int generation) {
        GcpCmekRequest request = request(cluster);
        List<RegionSpec> specs = new ArrayList<>();
        List<Change> changes = new ArrayList<>();
        for (String region : regions) {
            var result = call(() -> gcp().provisionNewKey(request, region, generation));
            specs.add(spec(region, result.keyOf(region), result.serviceAccount()));
            changes.addAll(result.changes());
        }
        return new ProvisionReport(specs, changes);
    }

    @Override
    public int generationOf(ClusterTarget cluster, KeySpec spec) {
        // Our keys are crdb-cmek (generation 1) and crdb-cmek-g<n> in the cluster's own key ring; others are not ours.
        if (!CryptoKeyName.isParsableFrom(spec.uri())) {
            return 0;
        }
        CryptoKeyName key = CryptoKeyName.parse(spec.uri());
        Matcher m = OUR_KEY_ID.matcher(key.getCryptoKey());
        if (!m.matches()
                || !key.getKeyRing().equals(CmekNames.keyRingId(call(() -> ClusterId.of(cluster.clusterId()))))) {
            return 0;
        }
        return m.group(1) == null ? 1 : Integer.parseInt(m.group(1));
    }

    @Override
    public KeySpec rotateKeyMaterial(KeySpec spec) {
        call(() -> gcp().rotateKeyMaterial(keyName(spec.uri())));
        return spec;
    }

    @Override
    public Revocation revoke(RevokeScope scope, RevocationJournal<DocumentIntent> journal) {
        ClusterId cluster = call(() -> ClusterId.of(scope.clusterId()));
        Map<CryptoKeyName, List<String>> keys = new LinkedHashMap<>();
        scope.keysInUse()
                .forEach((region, spec) -> keys.computeIfAbsent(keyName(spec.uri()), k -> new ArrayList<>())
                        .add(region));
        String project = customerProject(scope, keys);
        RevocationRequest request = call(() -> new RevocationRequest(
                cluster,
                project,
                scope.clusterAccount(),
                scope.regions(),
                keys,
                scope.immediate(),
                POLICY_ATTEMPTS,
                scope.dryRun()));
        RevocationRecord record = call(() -> gcp().revoke(request, new RevocationJournal<>() {
            @Override
            public void intent(RevocationRecord.Intent intent) {
                journal.intent(new DocumentIntent(
                        intent.document().words(),
                        intent.resource(),
                        null,
                        intent.document() == RevocationRecord.Document.SERVICE_ACCOUNT_DISABLED
                                ? List.of("service account " + intent.resource() + " enabled (disabled; enabling it"
                                        + " again restores it)")
                                : intent.removed().stream()
                                        .map(g -> g + " on " + intent.resource()
                                                + (intent.regions().isEmpty()
                                                        ? ""
                                                        : " (" + String.join(", ", intent.regions()) + ")"))
                                        .toList(),
                        RECORDS.valueToTree(intent)));
            }

            @Override
            public void outcome(Outcome outcome) {
                journal.outcome(outcome);
            }
        }));
        List<String> notes = new ArrayList<>(record.notes());
        scope.keysInUse().forEach((region, spec) -> {
            if (!spec.authPrincipal().equals(request.serviceAccount().value())) {
                notes.add("region " + region + " names principal " + spec.authPrincipal() + ", not cmek's service"
                        + " account " + request.serviceAccount() + "; only cmek's account was revoked: remove that"
                        + " principal's access yourself");
            }
        });
        return new Revocation(record.outcomes(), notes, record.revokedBy());
    }

    /** The project holding our account: the one the keys in use name, else --gcp-project, else the options'. */
    private String customerProject(RevokeScope scope, Map<CryptoKeyName, List<String>> keys) {
        List<String> fromSpecs = scope.keysInUse().values().stream()
                .map(s -> {
                    try {
                        return new ServiceAccountEmail(s.authPrincipal()).project();
                    } catch (InvalidInputException e) {
                        return null;
                    }
                })
                .filter(java.util.Objects::nonNull)
                .distinct()
                .toList();
        if (!fromSpecs.isEmpty()) {
            return fromSpecs.get(0);
        }
        if (!keys.isEmpty()) {
            return keys.keySet().iterator().next().getProject();
        }
        String given = scope.customerProject().orElse(options.customerProject());
        if (given == null || given.isBlank()) {
            throw new CmekException.InvalidInput(
                    "this is a GCP cluster and no key spec names its project: give --gcp-project (your project that"
                            + " holds the service account and the keys)");
        }
        return given;
    }

    /** Looked for only in the project given (--gcp-project or CMEK_GCP_PROJECT): no project, no service account. */
    @Override
    public Optional<String> principalOf(String clusterId) {
        String project = options.customerProject();
        if (project == null || project.isBlank()) {
            return Optional.empty();
        }
        ClusterId cluster = call(() -> ClusterId.of(clusterId));
        return call(() -> gcp().ourServiceAccount(cluster, project)).map(ServiceAccountEmail::value);
    }

    @Override
    public RestoreReport restore(RestoreScope scope) {
        List<RevocationRecord.Intent> intents = new ArrayList<>();
        for (JsonNode n : scope.intents()) {
            try {
                intents.add(RECORDS.treeToValue(n, RevocationRecord.Intent.class));
            } catch (JsonProcessingException | IllegalArgumentException e) {
                throw new CmekException.InvalidInput("a GCP intent of the revocation record is unreadable: "
                        + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
            }
        }
        RestoreRequest request = call(() -> new RestoreRequest(
                ClusterId.of(scope.clusterId()),
                scope.clusterAccount(),
                scope.customerAccount(),
                intents,
                POLICY_ATTEMPTS));
        RestoreResult result = call(() -> gcp().restore(request));
        return new RestoreReport(
                result.changes().stream().map(Change::toString).toList(), result.warnings(), result.couldNot());
    }

    @Override
    public VerifyReport verify(ClusterTarget cluster, Map<String, KeySpec> liveSpecs) {
        return verify(cluster, liveSpecs, Optional.empty());
    }

    @Override
    public VerifyReport verify(ClusterTarget cluster, Map<String, KeySpec> liveSpecs, Set<String> formerUris) {
        Set<CryptoKeyName> former = new LinkedHashSet<>();
        formerUris.stream()
                .filter(CryptoKeyName::isParsableFrom)
                .map(CryptoKeyName::parse)
                .forEach(former::add);
        return verify(cluster, liveSpecs, Optional.of(former));
    }

    @Override
    public Optional<Instant> newestKeyVersion(KeySpec spec) {
        return call(() -> gcp().newestKeyVersion(keyName(spec.uri())));
    }

    /** A key these credentials cannot see (Cloud KMS keys are never deleted, so not found means not visible). */
    @Override
    public Optional<String> unreachable(Map<String, KeySpec> liveSpecs) {
        for (KeySpec spec : new LinkedHashSet<>(liveSpecs.values())) {
            CryptoKeyName key = keyName(spec.uri());
            if (!call(() -> gcp().visible(key))) {
                return Optional.of("crypto key " + key + " is not visible to these credentials (project "
                        + key.getProject() + ")");
            }
        }
        return Optional.empty();
    }

    private VerifyReport verify(
            ClusterTarget cluster, Map<String, KeySpec> liveSpecs, Optional<Set<CryptoKeyName>> former) {
        ServiceAccountEmail sa = onePrincipal(liveSpecs);
        Map<String, CryptoKeyName> keys = new LinkedHashMap<>();
        liveSpecs.forEach((region, spec) -> keys.put(region, keyName(spec.uri())));
        GcpCmekRequest request = call(() -> GcpCmekRequest.builder()
                .customerProject(sa.project())
                .clusterId(cluster.clusterId())
                .cockroachAccountId(cluster.accountId())
                .regions(List.copyOf(liveSpecs.keySet()))
                .build());
        dev.cmek.gcp.VerifyReport report = call(
                () -> former.isPresent() ? gcp().verify(request, keys, former.get()) : gcp().verify(request, keys));
        String notOurs = sa.equals(request.serviceAccountEmail())
                ? null
                : "principal " + sa.value() + " is not the toolkit's service account "
                        + request.serviceAccountEmail().value()
                        + " for this cluster; its bindings are checked as found";
        Map<String, VerifyReport.RegionControls> regions = new LinkedHashMap<>();
        for (var r : report.regions()) {
            List<ControlResult> controls = new ArrayList<>();
            for (ControlResult c : report.principalControls()) {
                ControlResult mapped = c;
                if (notOurs != null && c.control() == Control.PRINCIPAL_TRUST) {
                    List<String> evidence = new ArrayList<>(List.of(notOurs));
                    if (mapped.failed()) {
                        evidence.addAll(mapped.evidence());
                    }
                    mapped = new ControlResult(
                            Control.PRINCIPAL_TRUST,
                            Verdict.FAIL,
                            evidence,
                            mapped.fix() != null
                                    ? mapped.fix()
                                    : "point the cluster at the toolkit's service account (`cmek provision`, then"
                                            + " `cmek rotate --manifest`)");
                }
                controls.add(mapped);
            }
            controls.addAll(r.controls());
            regions.put(
                    r.region(), new VerifyReport.RegionControls(r.key().toString(), controls, r.newestKeyVersion()));
        }
        return new VerifyReport(sa.value(), regions, report.notChecked());
    }

    private GcpCmekRequest request(ClusterTarget cluster) {
        return call(() -> {
            GcpCmekRequest.Builder b = GcpCmekRequest.builder()
                    .customerProject(options.customerProject())
                    .clusterId(cluster.clusterId())
                    .cockroachAccountId(cluster.accountId())
                    .regions(cluster.regions())
                    .protectionLevel(options.protection())
                    .propagationBound(options.propagationBound())
                    .rotation(options.rotationSchedule());
            options.sharedLocation().ifPresent(b::sharedLocation);
            options.existingKeys().forEach((region, uri) -> {
                if (cluster.regions().contains(region)) {
                    b.existingKey(region, keyName(uri));
                }
            });
            return b.build();
        });
    }

    private static List<RegionSpec> specs(
            List<String> regions, Map<String, CryptoKeyName> keys, ServiceAccountEmail sa) {
        return regions.stream().map(r -> spec(r, keys.get(r), sa)).toList();
    }

    private static RegionSpec spec(String region, CryptoKeyName key, ServiceAccountEmail sa) {
        return new RegionSpec(region, new KeySpec(KeyType.GCP_CLOUD_KMS, key.toString(), sa.value()));
    }

    private static ServiceAccountEmail onePrincipal(Map<String, KeySpec> liveSpecs) {
        List<String> principals = liveSpecs.values().stream()
                .map(KeySpec::authPrincipal)
                .distinct()
                .toList();
        if (principals.size() != 1) {
            throw new CmekException.InvalidInput("the cluster's regions use " + principals.size()
                    + " different service accounts (" + String.join(", ", principals) + "); expected one");
        }
        return call(() -> new ServiceAccountEmail(principals.get(0)));
    }

    private static CryptoKeyName keyName(String uri) {
        if (!CryptoKeyName.isParsableFrom(uri)) {
            throw new CmekException.InvalidInput("\"" + uri + "\" is not a Cloud KMS crypto key name");
        }
        return CryptoKeyName.parse(uri);
    }

    /** Runs an adapter call, turning its exceptions into the toolkit's, each with its exit code. */
    static <T> T call(Supplier<T> step) {
        try {
            return step.get();
        } catch (InvalidInputException | UntrustedRecordException e) {
            throw new CmekException.InvalidInput(e.getMessage());
        } catch (PrincipalNotYetVisibleException e) {
            throw new CmekException(ExitCode.UNAVAILABLE, "GCP: " + e.getMessage(), e);
        } catch (CallFailedException e) {
            ExitCode code =
                    e.failure() == CallFailedException.Failure.UNAVAILABLE ? ExitCode.UNAVAILABLE : ExitCode.REJECTED;
            throw new CmekException(code, "GCP: " + e.getMessage(), e);
        } catch (GcpCmekException e) {
            throw new CmekException(ExitCode.REJECTED, "GCP: " + e.getMessage(), e);
        }
    }
}
