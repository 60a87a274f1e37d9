package dev.cmek.workflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cmek.AtomicFile;
import dev.cmek.CmekException;
import dev.cmek.ExitCode;
import dev.cmek.FileProblem;
import dev.cmek.OutputPath;
import dev.cmek.PrettyJson;
import dev.cmek.StrictJson;
import dev.cmek.api.CloudApi;
import dev.cmek.api.Cluster;
import dev.cmek.api.CmekClusterInfo;
import dev.cmek.api.CmekStatus;
import dev.cmek.api.CmekWaiter;
import dev.cmek.core.Parallel;
import dev.cmek.model.CloudProvider;
import dev.cmek.model.KeySpec;
import dev.cmek.model.KeyType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code cmek revoke --all-using ACCOUNT}: when an AWS account or GCP project holding keys is compromised, every cluster
 * of the organization whose live keys live there is revoked, in parallel, under the process's one pacer of the Cloud
 * API's 10 requests/s. The clusters are read with the cluster list (every page) and one CMEK status each; each chosen
 * cluster gets its own evidence directory under the given one and an entry in its {@value #INDEX} (kept up to date as
 * each finishes), which {@code cmek restore} accepts. One failing cluster does not stop the others.
 */
public final class AccountRevocation {
    public static final String INDEX = "index.json";
    public static final String FORMAT = "cmek-revocation-index/1";

    private static final Pattern AWS_KEY = Pattern.compile("arn:aws[a-z-]*:kms:[a-z0-9-]+:(\\d{12}):key/.+");
    private static final Pattern GCP_KEY = Pattern.compile("projects/([^/]+)/locations/.+");
    /** An Azure tenant or subscription id. */
    private static final Pattern AZURE_GUID =
            Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    /** A cluster whose live keys live in the account, with what the Cloud API said about it. */
    public record Candidate(Cluster cluster, CmekClusterInfo status, Map<String, KeySpec> keysThere) {}

    /**
     * How one cluster's revocation ended.
     *
     * @param verdict {@code REVOKED}, {@code ALREADY_REVOKED} (CockroachDB was REVOKED before; nothing was sent),
     *     {@code PARTIAL} (grants left) or {@code FAILED} (the revocation could not run), as the index says too
     */
    public record ClusterResult(
            Cluster cluster,
            Path evidence,
            ExitCode exitCode,
            String verdict,
            String message,
            BreachResponse.RevokeOutcome outcome) {}

    /**
     * Every chosen cluster's result, in the order of the cluster list.
     *
     * @param unlisted why some clusters whose keys live in the account may not have been chosen (an Azure subscription
     *     whose vaults could not be listed), if so
     */
    public record Result(String account, Path index, List<ClusterResult> clusters, Optional<String> unlisted) {
        /**
         * 0 when every cluster was revoked with nothing left and none can have been missed; else the code of the first
         * that was not, or partial (8).
         */
        public ExitCode exitCode() {
            return clusters.stream()
                    .map(ClusterResult::exitCode)
                    .filter(c -> c != ExitCode.OK)
                    .findFirst()
                    .orElse(unlisted.isPresent() ? ExitCode.PARTIAL : ExitCode.OK);
        }
    }

    private final CloudApi api;
    private final BreachResponse breach;
    private final Function<CloudProvider, CloudKeys> keysFor;
    private final Clock clock;
    private final Consumer<String> progress;
    /** Per account, the Azure keys in the vaults of that subscription: listed once, when an Azure cluster is read. */
    private final Map<String, Predicate<KeySpec>> inSubscription = new ConcurrentHashMap<>();
    /** Per account, why its subscription's vaults could not be listed. */
    private final Map<String, String> unlisted = new ConcurrentHashMap<>();

    /**
     * @param breach revokes one cluster; its waiter should poll gently (many clusters share the rate limit)
     * @param keysFor the cloud side, asked which keys live in an account where a key spec alone does not say
     */
    public AccountRevocation(
            CloudApi api,
            BreachResponse breach,
            Function<CloudProvider, CloudKeys> keysFor,
            Clock clock,
            Consumer<String> progress) {
        this.api = api;
        this.breach = breach;
        this.keysFor = keysFor;
        this.clock = clock;
        this.progress = progress;
    }

    /**
     * For {@code parallel} clusters revoked at once under the API's one rate limit: each waits for REVOKED polling
     * gently (first after 1 s), as a fleet does.
     */
    public static AccountRevocation gentle(
            CloudApi api,
            Function<CloudProvider, CloudKeys> keysFor,
            int parallel,
            Duration timeout,
            Clock clock,
            Consumer<String> progress) {
        CmekWaiter waiter =
                new CmekWaiter(api, Fleet.Options.standard(parallel, timeout).schedule(), progress);
        return new AccountRevocation(
                api, new BreachResponse(api, waiter, keysFor, clock, progress), keysFor, clock, progress);
    }

    /** What {@code revoke --all-using} asks: the account, the evidence directory, the steps and how to wait. */
    public record Request(
            String account,
            Path dir,
            BreachResponse.Steps steps,
            boolean immediate,
            Optional<Duration> waitFor,
            int parallel) {}

    /** An --evidence directory that can hold one subdirectory per cluster (not one cluster's record). */
    public static void checkEvidence(Path dir) {
        OutputPath.checkDirectory(dir, "--evidence");
        if (Files.exists(dir.resolve(EvidenceFile.FILE_NAME))) {
            throw new CmekException.InvalidInput("--evidence " + dir + " holds the record of one cluster;"
                    + " --all-using needs a directory of its own (one subdirectory per cluster)");
        }
    }

    /**
     * Whether {@code account} is an AWS account id, a GCP project id or an Azure tenant or subscription id, or none (bad
     * input).
     */
    public static void checkAccount(String account) {
        if (account == null
                || !(account.matches("\\d{12}")
                        || account.matches("[a-z][a-z0-9-]{4,28}[a-z0-9]")
                        || AZURE_GUID.matcher(account).matches())) {
            throw new CmekException.InvalidInput("--all-using \"" + account + "\" is neither an AWS account id (12"
                    + " digits), a GCP project id (6 to 30 lowercase letters, digits and hyphens) nor an Azure tenant"
                    + " or subscription id (a GUID)");
        }
    }

    /**
     * The account a key spec's key lives in: the AWS account of its ARN, the GCP project of its name, or the Azure
     * tenant its spec names (an Azure key URI names only the vault; the tenant is whose identities reach it).
     */
    static Optional<String> accountOf(KeySpec spec) {
        if (spec.type() == KeyType.AZURE_KEY_VAULT) {
            return Optional.ofNullable(spec.authPrincipal());
        }
        Matcher aws = AWS_KEY.matcher(spec.uri());
        if (aws.matches()) {
            return Optional.of(aws.group(1));
        }
        Matcher gcp = GCP_KEY.matcher(spec.uri());
        return gcp.matches() ? Optional.of(gcp.group(1)) : Optional.empty();
    }

    /**
     * Every cluster of the organization whose live keys live in {@code account}: the cluster list (all pages), then
     * the CMEK status of each cluster that can have CMEK, read in parallel under the pacer.
     */
    public List<Candidate> select(String account, int parallel) {
        checkAccount(account);
        List<Cluster> clusters = listed();
        progress.accept("reading the CMEK status of " + clusters.size() + " cluster(s)...");
        return Parallel.map(clusters, parallel, "cmek-all-using-read", c -> read(c, account)).stream()
                .flatMap(Optional::stream)
                .toList();
    }

    /** The clusters that can have CMEK on a cloud the toolkit serves, from the cluster list (every page). */
    private List<Cluster> listed() {
        List<Cluster> all;
        try {
            all = api.listClusters();
        } catch (CmekException e) {
            if (!BreachResponse.unreadable(e)) {
                throw e;
            }
            throw new CmekException(
                    e.exitCode(),
                    e.getMessage() + ": --all-using finds the clusters through the Cloud API, so nothing was changed;"
                            + " `cmek revoke --cluster ID --yes` removes one cluster's grants without it");
        }
        return all.stream()
                .filter(c -> c.plan() == null || c.plan().equals("ADVANCED"))
                .filter(c -> CloudProvider.SERVED.contains(c.cloudProvider()))
                .toList();
    }

    /** One cluster's CMEK status, and whether its live keys live in {@code account}. */
    private Optional<Candidate> read(Cluster c, String account) {
        CmekClusterInfo status = CmekLifecycle.statusOrDisabled(api, c.id());
        Map<String, KeySpec> there = new java.util.LinkedHashMap<>();
        CmekLifecycle.currentSpecs(status).forEach((region, spec) -> {
            if (accountOf(spec).filter(account::equalsIgnoreCase).isPresent()
                    || (spec.type() == KeyType.AZURE_KEY_VAULT
                            && inSubscription(account).test(spec))) {
                there.put(region, spec);
            }
        });
        return there.isEmpty() || status.status() == CmekStatus.DISABLED
                ? Optional.empty()
                : Optional.of(new Candidate(c, status, there));
    }

    /**
     * The Azure keys in the vaults of subscription {@code account} (a GUID names a tenant or a subscription; a key spec
     * names only its tenant and vault). A listing that fails is told, and only the tenant's keys are chosen: the
     * revocation goes on with what it can find.
     */
    private Predicate<KeySpec> inSubscription(String account) {
        if (!AZURE_GUID.matcher(account).matches()) {
            return spec -> false;
        }
        return inSubscription.computeIfAbsent(account.toLowerCase(Locale.ROOT), sub -> {
            try {
                return keysFor.apply(CloudProvider.AZURE).heldIn(sub);
            } catch (RuntimeException e) {
                String why = "the key vaults of Azure subscription " + sub + " could not be listed (" + e.getMessage()
                        + "): clusters whose keys are there may not have been found";
                unlisted.put(sub, why);
                progress.accept(why + "; only Azure keys whose spec names " + sub + " as their tenant are chosen");
                return spec -> false;
            }
        });
    }

    /**
     * Why clusters whose keys live in {@code account} may have been missed by the last selection or revocation (its
     * subscription's vaults could not be listed), if so.
     */
    public Optional<String> unlisted(String account) {
        return Optional.ofNullable(unlisted.get(account.toLowerCase(Locale.ROOT)));
    }

    /** What a revocation of each candidate would remove, read from the cloud, by cluster id in candidate order. */
    public Map<String, BreachResponse.Preview> preview(
            List<Candidate> candidates, BreachResponse.Steps steps, boolean immediate, int parallel) {
        String organization = api.organization().id();
        List<BreachResponse.Preview> found = Parallel.map(
                candidates,
                parallel,
                "cmek-all-using-dry-run",
                c -> breach.preview(new BreachResponse.Read(c.cluster(), organization, c.status()), steps, immediate));
        Map<String, BreachResponse.Preview> previews = new LinkedHashMap<>();
        for (int i = 0; i < candidates.size(); i++) {
            previews.put(candidates.get(i).cluster().id(), found.get(i));
        }
        return previews;
    }

    /**
     * Revokes {@code chosen} (already read, e.g. to be confirmed), each into {@code dir/<cluster id>}; when empty, lists
     * every cluster, reads each one's status and revokes each whose keys live in the account as soon as its status
     * says so: nobody waits for the last status read before the first grants go.
     */
    public Result revokeAll(Request r, Optional<List<Candidate>> chosen) {
        return chosen.isPresent()
                ? revokeAll(r.account(), chosen.get(), r.dir(), r.steps(), r.immediate(), r.waitFor(), r.parallel())
                : revokeAll(r.account(), r.dir(), r.steps(), r.immediate(), r.waitFor(), r.parallel());
    }

    private Result revokeAll(
            String account,
            Path dir,
            BreachResponse.Steps steps,
            boolean immediate,
            Optional<Duration> waitFor,
            int parallel) {
        checkAccount(account);
        Parallel.Call<String> organization =
                Parallel.start(() -> api.organization().id());
        List<Cluster> clusters = listed();
        progress.accept("reading the CMEK status of " + clusters.size() + " cluster(s), revoking each whose keys"
                + " live in " + account + " at once...");
        Index index = Index.begin(dir, account, List.of(), clock);
        // Every status is asked at once (the pacer spaces them), and each cluster found is handed to the revokers,
        // `parallel` at a time, as soon as its answer came: the first grants go while later statuses are still read.
        ExecutorService revokers = Executors.newFixedThreadPool(parallel, r -> {
            Thread t = new Thread(r, "cmek-all-using-revoke");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Optional<Future<ClusterResult>>> started = Parallel.map(
                    clusters,
                    Math.max(1, Math.min(clusters.size(), READERS)),
                    "cmek-all-using-read",
                    c -> read(c, account).map(x -> {
                        index.add(x);
                        return revokers.submit(
                                () -> revokeOne(x, organization.join(), dir, steps, immediate, waitFor, index));
                    }));
            List<ClusterResult> results = new ArrayList<>();
            for (Optional<Future<ClusterResult>> f : started) {
                if (f.isPresent()) {
                    results.add(joined(f.get()));
                }
            }
            index.complete();
            return new Result(account, index.file, results, unlisted(account));
        } finally {
            revokers.shutdownNow();
        }
    }

    /** Status reads in flight at once; the process's pacer keeps them under the API's rate anyway. */
    private static final int READERS = 32;

    private static ClusterResult joined(Future<ClusterResult> f) {
        try {
            return f.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r
                    ? r
                    : new CmekException(ExitCode.INTERNAL, "revocation failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CmekException(ExitCode.INTERNAL, "interrupted while revoking");
        }
    }

    private Result revokeAll(
            String account,
            List<Candidate> candidates,
            Path dir,
            BreachResponse.Steps steps,
            boolean immediate,
            Optional<Duration> waitFor,
            int parallel) {
        String organization = api.organization().id();
        Index index = Index.begin(dir, account, candidates, clock);
        List<ClusterResult> results = Parallel.map(
                candidates,
                parallel,
                "cmek-all-using",
                c -> revokeOne(c, organization, dir, steps, immediate, waitFor, index));
        index.complete();
        return new Result(account, index.file, results, unlisted(account));
    }

    private ClusterResult revokeOne(
            Candidate c,
            String organization,
            Path dir,
            BreachResponse.Steps steps,
            boolean immediate,
            Optional<Duration> waitFor,
            Index index) {
        Cluster cluster = c.cluster();
        Path evidence = dir.resolve(cluster.id());
        ClusterResult result;
        try {
            if (finishedEarlier(evidence)) {
                result = new ClusterResult(
                        cluster,
                        evidence,
                        ExitCode.OK,
                        "REVOKED",
                        "revoked completely by an earlier run of this evidence",
                        null);
            } else {
                BreachResponse.RevokeOutcome outcome = breach.revoke(
                        new BreachResponse.RevokeRequest(
                                cluster.id(), evidence, steps, immediate, waitFor, Optional.empty()),
                        new BreachResponse.Read(cluster, organization, c.status()));
                int removed = outcome.summary().removed().size();
                int left = outcome.summary().left().size();
                String verdict = left > 0 ? "PARTIAL" : outcome.alreadyRevoked() ? "ALREADY_REVOKED" : "REVOKED";
                String message = switch (verdict) {
                    case "PARTIAL" ->
                        removed + " grant(s) removed, " + left + " left"
                                + (outcome.revokeSent() ? ", REVOKE sent" : "");
                    case "ALREADY_REVOKED" -> "already revoked: REVOKE not needed; " + removed + " grant(s) removed";
                    default ->
                        "revoked: " + removed + " grant(s) removed" + (outcome.revokeSent() ? ", REVOKE sent" : "");
                };
                result = new ClusterResult(cluster, evidence, outcome.exitCode(), verdict, message, outcome);
            }
        } catch (CmekException e) {
            result = new ClusterResult(cluster, evidence, e.exitCode(), "FAILED", e.getMessage(), null);
        } catch (RuntimeException e) {
            result = new ClusterResult(cluster, evidence, ExitCode.INTERNAL, "FAILED", "internal error: " + e, null);
        }
        index.finished(result);
        progress.accept((result.exitCode() == ExitCode.OK ? "done: " : "NOT DONE: ") + cluster.id() + " ("
                + cluster.name() + "): " + result.message());
        return result;
    }

    /** A re-run of the same --all-using finishes the clusters left; those finished before are not touched again. */
    private boolean finishedEarlier(Path evidence) {
        return Files.exists(evidence.resolve(EvidenceFile.FILE_NAME))
                && EvidenceFile.read(evidence, clock).document().hasNonNull("completed_at");
    }

    /** The index of one {@code --all-using} run: which clusters, where each one's evidence is, how each ended. */
    static final class Index {
        private final Path file;
        private final ObjectNode doc;
        private final Clock clock;

        private Index(Path file, ObjectNode doc, Clock clock) {
            this.file = file;
            this.doc = doc;
            this.clock = clock;
        }

        static Index begin(Path dir, String account, List<Candidate> candidates, Clock clock) {
            EvidenceFile.createOwnerOnly(dir);
            ObjectNode doc = EvidenceFile.JSON.createObjectNode();
            doc.put("format", FORMAT);
            doc.put("account", account);
            doc.put("started_at", clock.instant().toString());
            doc.putArray("clusters");
            Index index = new Index(dir.resolve(INDEX), doc, clock);
            candidates.forEach(index::addQuietly);
            index.save();
            return index;
        }

        /** A cluster chosen for revocation, listed before its evidence is begun. */
        synchronized void add(Candidate c) {
            addQuietly(c);
            save();
        }

        private void addQuietly(Candidate c) {
            ObjectNode e = ((ArrayNode) doc.get("clusters")).addObject();
            e.put("cluster_id", c.cluster().id());
            e.put("name", c.cluster().name());
            e.put("cloud", c.cluster().cloudProvider().name());
            e.put("evidence", c.cluster().id());
            e.put("outcome", "PENDING");
        }

        synchronized void finished(ClusterResult result) {
            for (JsonNode e : doc.path("clusters")) {
                if (e.path("cluster_id").asText().equals(result.cluster().id())) {
                    ObjectNode entry = (ObjectNode) e;
                    entry.put("outcome", result.verdict());
                    entry.put("exit_code", result.exitCode().code());
                    entry.put("message", result.message());
                }
            }
            save();
        }

        synchronized void complete() {
            doc.put("completed_at", clock.instant().toString());
            save();
        }

        private void save() {
            AtomicFile.write(file, PrettyJson.write(EvidenceFile.JSON, doc) + "\n");
        }
    }

    /** The evidence directories an index lists, in its order; bad input if {@code index} is not one. */
    public static List<Path> evidenceOf(Path index) {
        JsonNode doc;
        try {
            doc = EvidenceFile.JSON.readTree(
                    StrictJson.withoutByteOrderMark(Files.readString(index, StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new CmekException.InvalidInput(index + ": cannot read the index: " + FileProblem.describe(e));
        }
        if (doc == null
                || !FORMAT.equals(doc.path("format").asText())
                || !doc.path("clusters").isArray()) {
            throw new CmekException.InvalidInput(
                    index + ": not an index of revocations (format must be " + FORMAT + ")");
        }
        Path dir = index.toAbsolutePath().getParent();
        List<Path> out = new ArrayList<>();
        for (JsonNode e : doc.path("clusters")) {
            String sub = e.path("evidence").asText("");
            Path evidence = dir.resolve(sub).normalize();
            if (sub.isEmpty() || !evidence.startsWith(dir) || evidence.equals(dir)) {
                throw new CmekException.InvalidInput(index + ": entry "
                        + e.path("cluster_id").asText("?") + " names evidence outside the index's directory: " + sub);
            }
            out.add(evidence);
        }
        return out;
    }
}
