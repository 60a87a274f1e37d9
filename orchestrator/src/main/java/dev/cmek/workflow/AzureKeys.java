package dev.cmek.workflow;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.cmek.CmekException;
import dev.cmek.ExitCode;
import dev.cmek.azure.AzureClients;
import dev.cmek.azure.AzureCmek;
import dev.cmek.azure.AzureCmekException;
import dev.cmek.azure.AzureCmekRequest;
import dev.cmek.azure.CallFailedException;
import dev.cmek.azure.ClusterId;
import dev.cmek.azure.ConsentRequiredException;
import dev.cmek.azure.Guid;
import dev.cmek.azure.InvalidInputException;
import dev.cmek.azure.KeyUri;
import dev.cmek.azure.KeyVersion;
import dev.cmek.azure.NoCredentialsException;
import dev.cmek.azure.PrincipalNotYetVisibleException;
import dev.cmek.azure.Protection;
import dev.cmek.azure.ProvisionResult;
import dev.cmek.azure.RestoreRequest;
import dev.cmek.azure.RestoreResult;
import dev.cmek.azure.RevocationRecord;
import dev.cmek.azure.RevocationRequest;
import dev.cmek.azure.RotationSchedule;
import dev.cmek.azure.UntrustedRecordException;
import dev.cmek.core.Change;
import dev.cmek.core.ControlResult;
import dev.cmek.core.Outcome;
import dev.cmek.core.RevocationJournal;
import dev.cmek.model.KeySpec;
import dev.cmek.model.KeyType;
import dev.cmek.model.RegionSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@link CloudKeys} on Azure: bridges the workflows to the {@code azure} adapter. A cluster's {@link
 * ClusterTarget#accountId()} is its {@code azure_cluster_identity_client_id} (the app CockroachDB uses for it), and a
 * key spec's {@code auth_principal} the customer's tenant. Key URIs name a version, so a new version is a new URI to
 * submit ({@link #rotateKeyMaterial}, {@link #newestSpec}).
 */
public final class AzureKeys implements CloudKeys {
    /**
     * Where and how keys are made in the customer's Azure.
     *
     * @param subscription {@code --azure-subscription}, else {@code AZURE_SUBSCRIPTION_ID}
     * @param tenant {@code --azure-tenant}, else {@code AZURE_TENANT_ID}: the key spec's {@code auth_principal}
     * @param resourceGroup where our vaults live; empty for {@code crdb-cmek-<cluster id>}, made with our tags
     * @param existingKeys keys the customer brings, by region ({@code https://<vault>.vault.azure.net/keys/<name>})
     * @param cryptoOfficer Key Vault Crypto Officer on the vault, as CockroachDB's docs ask, instead of Crypto User on
     *     the key
     * @param clusterAppId the cluster app's client id given for a revocation without the Cloud API ({@code
     *     --azure-app-id}); the Cloud API's, when read, is used instead
     */
    public record Options(
            Optional<String> subscription,
            Optional<String> tenant,
            Optional<String> resourceGroup,
            Protection protection,
            Map<String, String> existingKeys,
            boolean cryptoOfficer,
            Optional<String> vaultPrefix,
            Duration propagationBound,
            RotationSettings rotation,
            Optional<String> clusterAppId) {
        public Options {
            existingKeys = Map.copyOf(existingKeys);
        }

        /** For the commands that only read or remove grants (verify, revoke, restore): nothing to make. */
        public static Options forExistingKeys(Optional<String> subscription, Optional<String> tenant) {
            return new Options(
                    subscription,
                    tenant,
                    Optional.empty(),
                    Protection.SOFTWARE,
                    Map.of(),
                    false,
                    Optional.empty(),
                    AzureCmekRequest.DEFAULT_PROPAGATION_BOUND,
                    RotationSettings.defaults(),
                    Optional.empty());
        }

        /** The Azure schedule: the period given, else a year (CIS Azure); checked against Key Vault's range. */
        RotationSchedule rotationSchedule() {
            if (!rotation.automatic()) {
                return RotationSchedule.off();
            }
            return new RotationSchedule(
                    true, rotation.periodInDays().orElse(RotationSchedule.DEFAULT_DAYS), rotation.repair());
        }
    }

    // Our keys are crdb-cmek (generation 1) and crdb-cmek-g<n> (CmekNames.keyName).
    private static final Pattern SUBSCRIPTION = Pattern.compile("/subscriptions/([0-9a-fA-F-]{36})/");

    private final Supplier<AzureCmek> azure;
    private final Options options;
    private final Map<String, KeyVersion> newest = new ConcurrentHashMap<>();
    private AzureCmek adapter;

    /** @param azure builds the adapter (and with it the Azure clients) on first use */
    public AzureKeys(Supplier<AzureCmek> azure, Options options) {
        this.azure = azure;
        this.options = options;
    }

    private synchronized AzureCmek azure() {
        if (adapter == null) {
            adapter = azure.get();
        }
        return adapter;
    }

    @Override
    public ProvisionReport plan(ClusterTarget cluster) {
        ProvisionResult plan = call(() -> azure().plan(
                        request(cluster),
                        cluster.generationsExcept(options.existingKeys().keySet())));
        return report(cluster.regions(), plan);
    }

    /** What {@code cmek export terraform} writes from: the request provision would make, and its plan (reads only). */
    public record Adoption(AzureCmekRequest request, ProvisionResult plan) {}

    public Adoption adoption(ClusterTarget cluster) {
        AzureCmekRequest request = request(cluster);
        ProvisionResult plan = call(() -> azure().plan(request));
        CloudKeys.refuseBlocked(cluster.clusterId(), plan.blocked());
        return new Adoption(request, plan);
    }

    @Override
    public ProvisionReport provision(ClusterTarget cluster) {
        ProvisionResult result = call(() -> azure().provision(
                        request(cluster),
                        cluster.generationsExcept(options.existingKeys().keySet())));
        return report(cluster.regions(), result);
    }

    @Override
    public ProvisionReport provisionNewKeys(ClusterTarget cluster, List<String> regions, int generation) {
        AzureCmekRequest request = request(cluster);
        List<RegionSpec> specs = new ArrayList<>();
        List<Change> changes = new ArrayList<>();
        for (String region : regions) {
            ProvisionResult result = call(() -> azure().provisionNewKey(request, region, generation));
            specs.add(spec(region, result.keyOf(region), result.authPrincipal()));
            changes.addAll(result.changes());
        }
        return new ProvisionReport(specs, changes);
    }

    @Override
    public int generationOf(ClusterTarget cluster, KeySpec spec) {
        return call(() -> azure().generationOf(ClusterId.of(cluster.clusterId()), key(spec)))
                .orElse(0);
    }

    /** A new key version (Key Vault rotate): CockroachDB moves to it only when its versioned URI is submitted. */
    @Override
    public KeySpec rotateKeyMaterial(KeySpec spec) {
        KeyUri rotated = call(() -> azure().rotateKeyMaterial(key(spec)));
        return new KeySpec(KeyType.AZURE_KEY_VAULT, rotated.value(), spec.authPrincipal());
    }

    @Override
    public KeySpec newestSpec(KeySpec spec) {
        KeyVersion v = Optional.ofNullable(newest.get(key(spec).unversioned().value()))
                .or(() -> call(() -> azure().newestKeyVersion(key(spec))))
                .orElseThrow(() -> new CmekException(
                        ExitCode.REJECTED,
                        "key " + spec.uri() + " is not in Key Vault (deleted, or not visible to these credentials)"));
        return new KeySpec(KeyType.AZURE_KEY_VAULT, v.uri().value(), spec.authPrincipal());
    }

    @Override
    public Optional<Instant> newestKeyVersion(KeySpec spec) {
        Optional<KeyVersion> v = call(() -> azure().newestKeyVersion(key(spec)));
        v.ifPresent(version -> newest.put(key(spec).unversioned().value(), version));
        return v.map(KeyVersion::createdOn);
    }

    @Override
    public Optional<String> unreachable(Map<String, KeySpec> liveSpecs) {
        for (KeySpec spec : new LinkedHashSet<>(liveSpecs.values())) {
            KeyUri key = key(spec);
            if (!call(() -> azure().visible(key))) {
                return Optional.of("key " + key.unversioned() + " is not visible to these credentials");
            }
        }
        return Optional.empty();
    }

    /**
     * The sign-in of the cluster app's service principal goes first and alone (no new token for it), then each role
     * assignment of that principal on our vaults' keys and the keys in use, vault by vault. {@code --immediate} adds
     * nothing on Azure: Key Vault checks role assignments on every request, so removing them also stops tokens already
     * issued (https://learn.microsoft.com/azure/key-vault/general/rbac-guide#azure-rbac-for-key-vault-data-plane).
     */
    @Override
    public Revocation revoke(RevokeScope scope, RevocationJournal<DocumentIntent> journal) {
        ClusterId cluster = call(() -> ClusterId.of(scope.clusterId()));
        String subscription = subscription(scope.keysInUse().values());
        Map<KeyUri, List<String>> keys = new LinkedHashMap<>();
        scope.keysInUse()
                .forEach((region, spec) -> keys.computeIfAbsent(key(spec).unversioned(), k -> new ArrayList<>())
                        .add(region));
        Optional<String> tenant = scope.keysInUse().values().stream()
                .map(KeySpec::authPrincipal)
                .filter(t -> !t.isBlank())
                .findFirst()
                .or(options::tenant);
        RevocationRequest request = call(() -> new RevocationRequest(
                cluster,
                subscription,
                options.resourceGroup().orElse(null),
                tenant,
                scope.clusterAccount().or(options::clusterAppId),
                keys,
                scope.dryRun()));
        RevocationRecord record = call(() -> azure().revoke(request, new RevocationJournal<>() {
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
        if (scope.immediate()) {
            // Removals take a while to apply:
            // https://learn.microsoft.com/azure/role-based-access-control/troubleshooting
            notes.add("--immediate adds nothing on Azure: with the sign-in off and the assignments gone there is"
                    + " nothing more to remove, but Azure may honour a removed assignment for a while (about 10"
                    + " minutes for Key Vault, up to 30 for RBAC in general)");
        }
        return new Revocation(record.outcomes(), notes, record.revokedBy());
    }

    private static List<String> removing(RevocationRecord.Intent intent) {
        if (intent.signIn() != null) {
            return List.of("the sign-in of service principal " + intent.signIn().servicePrincipalId() + " (app "
                    + intent.signIn().appId() + ") in tenant " + intent.signIn().tenantId()
                    + " (turned off; restore turns it on)");
        }
        RevocationRecord.Assignment a = intent.assignment();
        return List.of(a.roleName() + " of " + a.principalId() + " on " + a.scope() + " (assignment " + a.name() + ")");
    }

    private static JsonNode json(RevocationRecord.Intent intent) {
        try {
            return EvidenceFile.JSON.readTree(intent.toJson());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the adapter's intent is JSON", e);
        }
    }

    /**
     * Found from our vaults' tags in the subscription configured ({@code AZURE_SUBSCRIPTION_ID} or
     * {@code --azure-subscription}), by a revocation that only reads: no subscription, no principal. Reads only.
     */
    @Override
    public Optional<String> principalOf(String clusterId) {
        if (options.subscription().filter(s -> !s.isBlank()).isEmpty()) {
            return Optional.empty();
        }
        ClusterId cluster = call(() -> ClusterId.of(clusterId));
        RevocationRecord found = call(() -> azure().revoke(RevocationRequest.cloudOnly(
                        cluster,
                        options.subscription().get(),
                        options.resourceGroup().orElse(null))
                .withDryRun(true)));
        return Optional.ofNullable(found.servicePrincipalId())
                .map(sp -> "service principal " + sp)
                .or(() -> Optional.ofNullable(found.clusterAppId()).map(app -> "app " + app));
    }

    /**
     * The keys in the vaults of subscription {@code account}; none when it is no subscription these credentials see. A
     * spec whose URI is not a key's is not there: it must not stop the other clusters of {@code --all-using}.
     */
    @Override
    public Predicate<KeySpec> heldIn(String account) {
        Set<String> vaults = call(() -> azure().vaultNamesIn(account));
        return spec -> {
            if (spec.type() != KeyType.AZURE_KEY_VAULT) {
                return false;
            }
            try {
                return vaults.contains(KeyUri.parse(spec.uri()).vaultName().toLowerCase(Locale.ROOT));
            } catch (InvalidInputException e) {
                return false;
            }
        };
    }

    /**
     * Holds the record to a subscription and tenant that are not its own: {@code --account}, else {@code
     * AZURE_SUBSCRIPTION_ID} (else the record's, said in a warning), and {@code AZURE_TENANT_ID}, else the tenant that
     * owns that subscription as ARM says. A grant on a key the customer brought is put back only when the key is one the
     * cluster used when the record was made.
     */
    @Override
    public RestoreReport restore(RestoreScope scope) {
        List<RevocationRecord.Intent> intents = new ArrayList<>();
        for (JsonNode n : scope.intents()) {
            intents.add(call(() -> RevocationRecord.Intent.fromJson(n.toString())));
        }
        List<String> warnings = new ArrayList<>();
        Optional<String> given = scope.customerAccount().or(options::subscription);
        if (scope.customerAccount().isPresent()
                && !Guid.is(scope.customerAccount().get())) {
            throw new CmekException.InvalidInput(
                    "--account " + scope.customerAccount().get()
                            + " is not an Azure subscription id (a GUID), and this record is of Azure grants");
        }
        List<String> recorded = intents.stream()
                .filter(i -> i.assignment() != null)
                .map(i -> SUBSCRIPTION.matcher(i.assignment().scope() + "/"))
                .filter(Matcher::find)
                .map(m -> m.group(1))
                .toList();
        String subscription = given.or(() -> recorded.stream().findFirst())
                .orElseThrow(
                        () -> new CmekException.InvalidInput(
                                "the record names no subscription: give --account SUBSCRIPTION (or set AZURE_SUBSCRIPTION_ID)"));
        if (given.isEmpty()) {
            warnings.add("the subscription " + subscription + " is the record's own: give --account (or set "
                    + AzureClients.SUBSCRIPTION_ENV + ") to hold the record to the one you expect");
        }
        String from = scope.customerAccount().isPresent() ? "--account" : AzureClients.SUBSCRIPTION_ENV;
        recorded.stream()
                .filter(s -> !s.equalsIgnoreCase(subscription))
                .findFirst()
                .ifPresent(other -> {
                    throw new CmekException.InvalidInput("the record's grants are in subscription " + other + ", not "
                            + subscription + " (" + from + "): if that is the one you expect, restore with --account "
                            + other + "; nothing was written");
                });
        String tenant = options.tenant().orElseGet(() -> call(() -> azure().tenantOf(subscription)));
        Set<KeyUri> inUse = new LinkedHashSet<>();
        scope.liveSpecs().values().stream()
                .filter(spec -> spec.type() == KeyType.AZURE_KEY_VAULT)
                .forEach(spec -> inUse.add(key(spec)));
        RestoreRequest request = call(() -> new RestoreRequest(
                ClusterId.of(scope.clusterId()),
                tenant,
                subscription,
                scope.clusterAccount(),
                intents,
                inUse,
                options.cryptoOfficer()));
        RestoreResult result = call(() -> azure().restore(request));
        warnings.addAll(result.warnings());
        return new RestoreReport(result.changes().stream().map(Change::toString).toList(), warnings, result.couldNot());
    }

    @Override
    public VerifyReport verify(ClusterTarget cluster, Map<String, KeySpec> liveSpecs) {
        return verify(cluster, liveSpecs, Set.of());
    }

    @Override
    public VerifyReport verify(ClusterTarget cluster, Map<String, KeySpec> liveSpecs, Set<String> formerUris) {
        Map<String, KeyUri> keys = new LinkedHashMap<>();
        liveSpecs.forEach((region, spec) -> keys.put(region, key(spec)));
        Set<KeyUri> former = new LinkedHashSet<>();
        for (String uri : formerUris) {
            try {
                former.add(KeyUri.parse(uri));
            } catch (InvalidInputException e) {
                // A former key of another shape (not a Key Vault key) is not ours to judge.
            }
        }
        String tenant = onePrincipal(liveSpecs);
        AzureCmekRequest request = call(() -> AzureCmekRequest.builder()
                .clusterId(cluster.clusterId())
                .clusterAppId(cluster.accountId())
                .tenantId(tenant)
                .subscriptionId(subscription(liveSpecs.values()))
                .resourceGroup(options.resourceGroup().orElse(null))
                .regions(List.copyOf(liveSpecs.keySet()))
                .build());
        dev.cmek.azure.VerifyReport report = call(() -> azure().verify(request, keys, former));
        Map<String, VerifyReport.RegionControls> regions = new LinkedHashMap<>();
        for (var r : report.regions()) {
            List<ControlResult> controls = new ArrayList<>(report.principalControls());
            controls.addAll(r.controls());
            regions.put(r.region(), new VerifyReport.RegionControls(r.key().value(), controls, r.newestKeyVersion()));
        }
        String principal = report.servicePrincipalId()
                .map(sp -> "service principal " + sp + " (app " + cluster.accountId() + ")")
                .orElse("app " + cluster.accountId() + " (no service principal in tenant " + tenant + ")");
        return new VerifyReport(principal, regions, report.notChecked());
    }

    private AzureCmekRequest request(ClusterTarget cluster) {
        return call(() -> {
            AzureCmekRequest.Builder b = AzureCmekRequest.builder()
                    .clusterId(cluster.clusterId())
                    .clusterAppId(cluster.accountId())
                    .tenantId(options.tenant()
                            .orElseThrow(() -> new CmekException.InvalidInput(
                                    "no Azure tenant: give --azure-tenant or set AZURE_TENANT_ID (the tenant that"
                                            + " holds the keys and consents to the cluster's app)")))
                    .subscriptionId(options.subscription()
                            .orElseThrow(() -> new CmekException.InvalidInput(
                                    "no Azure subscription: give --azure-subscription or set AZURE_SUBSCRIPTION_ID")))
                    .resourceGroup(options.resourceGroup().orElse(null))
                    .regions(cluster.regions())
                    .protection(options.protection())
                    .rotation(options.rotationSchedule())
                    .broaderRole(options.cryptoOfficer())
                    .propagationBound(options.propagationBound());
            options.vaultPrefix().ifPresent(b::vaultPrefix);
            options.existingKeys().forEach((region, uri) -> {
                if (cluster.regions().contains(region)) {
                    b.existingKey(region, KeyUri.parse(uri));
                }
            });
            return b.build();
        });
    }

    private ProvisionReport report(List<String> regions, ProvisionResult result) {
        List<RegionSpec> specs = regions.stream()
                .map(r -> result.keys().containsKey(r)
                        ? spec(r, result.keyOf(r), result.authPrincipal())
                        : new RegionSpec(r, new KeySpec(KeyType.AZURE_KEY_VAULT, "", result.authPrincipal())))
                .toList();
        return new ProvisionReport(specs, result.changes());
    }

    /** A plan's key that does not exist yet has no version: its spec's {@code uri} stays empty, as on AWS. */
    private static RegionSpec spec(String region, KeyUri key, String tenant) {
        return new RegionSpec(region, new KeySpec(KeyType.AZURE_KEY_VAULT, key.versioned() ? key.value() : "", tenant));
    }

    /** The subscription configured; without one, bad input naming both ways to give it. */
    private String subscription(java.util.Collection<KeySpec> specs) {
        return options.subscription()
                .filter(s -> !s.isBlank())
                .orElseThrow(() -> new CmekException.InvalidInput("no Azure subscription: give --azure-subscription"
                        + " or set AZURE_SUBSCRIPTION_ID (the subscription that holds the cluster's vaults"
                        + (specs.isEmpty()
                                ? ""
                                : ", " + specs.iterator().next().uri().replaceAll("/keys/.*", ""))
                        + ")"));
    }

    private static String onePrincipal(Map<String, KeySpec> liveSpecs) {
        List<String> tenants = liveSpecs.values().stream()
                .map(KeySpec::authPrincipal)
                .distinct()
                .toList();
        if (tenants.size() != 1) {
            throw new CmekException.InvalidInput("the cluster's regions name " + tenants.size() + " different tenants ("
                    + String.join(", ", tenants) + "); expected one");
        }
        return tenants.get(0);
    }

    private static KeyUri key(KeySpec spec) {
        return call(() -> KeyUri.parse(spec.uri()));
    }

    /** Runs an adapter call, turning its exceptions into the toolkit's, each with its exit code. */
    static <T> T call(Supplier<T> step) {
        try {
            return step.get();
        } catch (InvalidInputException | UntrustedRecordException e) {
            throw new CmekException.InvalidInput(e.getMessage());
        } catch (ConsentRequiredException e) {
            throw new CmekException(ExitCode.REJECTED, "Azure: " + e.getMessage(), e);
        } catch (NoCredentialsException e) {
            throw new CmekException(ExitCode.REJECTED, "Azure: " + e.getMessage(), e);
        } catch (PrincipalNotYetVisibleException e) {
            throw new CmekException(ExitCode.UNAVAILABLE, "Azure: " + e.getMessage(), e);
        } catch (CallFailedException e) {
            ExitCode code =
                    e.failure() == CallFailedException.Failure.UNAVAILABLE ? ExitCode.UNAVAILABLE : ExitCode.REJECTED;
            throw new CmekException(code, "Azure: " + e.getMessage(), e);
        } catch (AzureCmekException e) {
            throw new CmekException(ExitCode.REJECTED, "Azure: " + e.getMessage(), e);
        }
    }
}
