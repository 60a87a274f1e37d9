package dev.cmek.cli;

import dev.cmek.CmekException;
import dev.cmek.ExitCode;
import dev.cmek.OutputPath;
import dev.cmek.api.CmekWaiter;
import dev.cmek.model.CloudProvider;
import dev.cmek.model.ClusterIdRule;
import dev.cmek.model.ManifestCodec;
import dev.cmek.workflow.AccountRevocation;
import dev.cmek.workflow.BreachResponse;
import dev.cmek.workflow.EvidenceFile;
import dev.cmek.workflow.Fleet;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "revoke",
        // picocli's generated synopsis puts the required choice last, after every option, and wraps inside a group.
        customSynopsis = {
            "cmek revoke (--cluster=ID | --all-using=ACCOUNT) [--yes] [--dry-run]",
            "                   [--cloud-only | --api-only] [--evidence=DIR] [--immediate]",
            "                   [OPTIONS]"
        },
        description = {
            "Breach response: remove CockroachDB's access to the cluster's keys in your cloud, then tell CockroachDB to stop using them (REVOKE) and wait until REVOKED.",
            "%nThe master switch goes first, then every key's grant, each region on its own; REVOKE is sent even when a grant is left (exit 8, naming what is left and the command that finishes). With the Cloud API down the grants still go and REVOKE waits for --api-only. Every change is recorded in --evidence DIR first; `cmek restore` puts it back. Keys are never deleted or disabled. See `man cmek-revoke`."
        },
        footer = {
            "",
            "Examples:",
            "  cmek revoke --cluster 3a0c...e1 --dry-run     # what would be removed",
            "  cmek revoke --cluster 3a0c...e1 --yes --immediate --evidence incident-42/",
            "  cmek revoke --cluster 3a0c...e1 --yes --cloud-only --manifest cmek_config.json --evidence incident-42/",
            "  cmek revoke --all-using 111122223333 --yes --evidence incident-42/",
            "  cmek restore --evidence incident-42/         # later: put it back"
        })
final class RevokeCommand extends CloudCommand {
    /** One cluster, or every cluster whose keys live in an account. */
    static final class Target {
        @Option(names = "--cluster", paramLabel = "ID", description = "Cluster id (UUID).")
        String clusterId;

        @Option(
                names = "--all-using",
                paramLabel = "ACCOUNT",
                description =
                        "Revoke every cluster of the organization whose keys live in this AWS account id, GCP project or Azure tenant (the key specs' auth_principal), in parallel; one evidence directory per cluster under --evidence DIR, with an index.json that `cmek restore --evidence DIR` accepts.")
        String allUsing;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Target target;

    /** One of the two steps alone; both when neither is given. */
    static final class OneStep {
        @Option(names = "--cloud-only", description = "Only remove the grants in your cloud; do not send REVOKE.")
        boolean cloudOnly;

        @Option(names = "--api-only", description = "Only send REVOKE; leave the grants in your cloud.")
        boolean apiOnly;
    }

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    OneStep oneStep = new OneStep();

    @Option(names = "--yes", description = "Do not ask for confirmation (for scripts and incident runbooks).")
    boolean yes;

    @Option(
            names = "--evidence",
            paramLabel = "DIR",
            description =
                    "Where to write the evidence record (default: cmek-revocation-<cluster>-<time> in the current directory).")
    Path evidence;

    @Option(
            names = "--immediate",
            description =
                    "Also cut access already in use (AWS: deny role sessions issued before the trust was cut; GCP: disable the service account, reversibly; Azure: nothing more, Key Vault checks every request).")
    boolean immediate;

    @Option(
            names = "--manifest",
            paramLabel = "FILE",
            description =
                    "With --cloud-only: the cluster's keys and principal from this manifest, without reading the Cloud API.")
    Path manifest;

    @Option(
            names = "--regions",
            split = ",",
            paramLabel = "R,...",
            description =
                    "With --cloud-only and --cloud: the cluster's regions, without reading the Cloud API (the keys are found by their tags or labels).")
    List<String> regions = new ArrayList<>();

    @Option(
            names = "--cloud",
            paramLabel = "aws|gcp|azure",
            completionCandidates = OptionValues.Clouds.class,
            description = "With --cloud-only and --regions (or to check a --manifest): the cluster's cloud.")
    String cloud;

    @Option(
            names = "--gcp-project",
            paramLabel = "PROJECT",
            description =
                    "GCP without the Cloud API: your project that holds the service account and keys, when no key spec names it (default: $CMEK_GCP_PROJECT).")
    String gcpProject;

    @Option(
            names = "--azure-subscription",
            paramLabel = "ID",
            description = "Azure: the subscription that holds the cluster's vaults (default: $AZURE_SUBSCRIPTION_ID).")
    String azureSubscription;

    @Option(
            names = "--azure-resource-group",
            paramLabel = "NAME",
            description =
                    "Azure: the vaults' resource group, when provision was given one (default: crdb-cmek-<cluster id>).")
    String azureResourceGroup;

    @Option(
            names = "--parallel",
            paramLabel = "N",
            defaultValue = "16",
            description = "With --all-using: clusters revoked at once (default: ${DEFAULT-VALUE}).")
    int parallel = 16;

    @Option(
            names = "--dry-run",
            description = "Show the keys and principals whose grants would be removed, and change nothing.")
    boolean dryRun;

    @Mixin
    WaitOptions wait;

    /** The evidence directory in use, once chosen: what an interrupt notice points to. */
    private volatile Path evidenceDir;

    RevokeCommand(Terminal terminal) {
        super(terminal);
    }

    @Override
    CloudOptions cloudOptions() {
        CloudOptions options = CloudOptions.forExistingKeys();
        options.gcpProject = gcpProject;
        options.azureSubscription = azureSubscription;
        options.azureResourceGroup = azureResourceGroup;
        return options;
    }

    @Override
    ExitCode run() {
        BreachResponse.Steps steps = checkInput();
        // Every cloud call ends within --timeout, however the cloud behaves: a revoke never hangs.
        keys().callDeadline(wait.timeout);
        if (target.allUsing != null) {
            return allUsing(steps);
        }
        String clusterId = target.clusterId;
        Optional<BreachResponse.Offline> offline = offline();
        BreachResponse breach = offline.isPresent()
                ? new BreachResponse(null, null, this::keysFor, Clock.systemUTC(), report()::progress)
                : breachResponse();
        if (dryRun) {
            BreachResponse.Preview preview = offline.isPresent()
                    ? breach.preview(clusterId, steps, offline.get(), immediate)
                    : breach.preview(clusterId, steps, immediate);
            return RevokeView.printPreview(
                    report(),
                    clusterId,
                    steps,
                    preview,
                    offline.map(BreachResponse.Offline::regions).orElse(List.of()));
        }
        // The clients are built beside the evidence checks and the confirmation (nothing is written before both; on
        // Azure the tokens are asked for beside them).
        offline.ifPresent(o -> keys().prepare(o.cloud(), o.regions()));
        Path dir = evidence != null ? evidence : EvidenceFile.defaultDirectory(clusterId, Clock.systemUTC());
        EvidenceFile.checkUsable(dir, clusterId, Clock.systemUTC());
        confirmByTyping(
                yes,
                clusterId,
                "cluster id",
                "Revoking stops cluster " + clusterId + " from serving data, and no API call undoes it.");
        evidenceDir = dir;
        BreachResponse.RevokeOutcome outcome = breach.revoke(
                new BreachResponse.RevokeRequest(clusterId, dir, steps, immediate, waitFor(wait), offline));
        Path used = outcome.evidence().getParent();
        return RevokeView.print(
                report(),
                outcome,
                manifest != null ? "--manifest" : "--regions",
                Interruption.command(RerunAdvice.again(originalArgs(), used)),
                Interruption.command(RerunAdvice.sendLater(originalArgs(), clusterId, used)));
    }

    /** Every option combination is checked before anything is read or sent. */
    private BreachResponse.Steps checkInput() {
        if (target.clusterId != null) {
            ClusterIdRule.check(target.clusterId);
        } else {
            AccountRevocation.checkAccount(target.allUsing);
        }
        boolean offline = manifest != null || !regions.isEmpty();
        if (offline && !oneStep.cloudOnly) {
            throw new CmekException.InvalidInput("--manifest and --regions revoke without the Cloud API, which cannot"
                    + " send REVOKE: add --cloud-only (and send REVOKE later with --api-only and the same --evidence)");
        }
        if (offline && target.allUsing != null) {
            throw new CmekException.InvalidInput(
                    "--all-using reads every cluster from the Cloud API; --manifest and --regions are for one cluster");
        }
        if (manifest != null && !regions.isEmpty()) {
            throw new CmekException.InvalidInput("give --manifest or --regions, not both");
        }
        if (!regions.isEmpty() && cloud == null) {
            throw new CmekException.InvalidInput("--regions needs --cloud aws, gcp or azure");
        }
        if (cloud != null && !offline) {
            throw new CmekException.InvalidInput("--cloud goes with --cloud-only and --regions or --manifest");
        }
        if (parallel < 1) {
            throw new CmekException.InvalidInput("--parallel must be at least 1 (got " + parallel + ")");
        }
        if (evidence != null && target.allUsing != null) {
            OutputPath.checkDirectory(evidence, "--evidence");
        }
        return oneStep.cloudOnly
                ? BreachResponse.Steps.CLOUD_ONLY
                : oneStep.apiOnly ? BreachResponse.Steps.API_ONLY : BreachResponse.Steps.BOTH;
    }

    /** The cluster without the Cloud API, from --manifest or --regions and --cloud; empty when the API is read. */
    private Optional<BreachResponse.Offline> offline() {
        if (manifest == null && regions.isEmpty()) {
            return Optional.empty();
        }
        Optional<String> project = Optional.ofNullable(gcpProject)
                .or(() -> Optional.ofNullable(terminal.env().get(CloudKeysFactory.GCP_PROJECT_ENV)))
                .filter(p -> !p.isBlank());
        return Optional.of(BreachResponse.Offline.of(
                Optional.ofNullable(manifest).map(ManifestCodec::read),
                String.valueOf(manifest),
                regions,
                Optional.ofNullable(cloud).map(CloudProvider::fromOption),
                project));
    }

    private ExitCode allUsing(BreachResponse.Steps steps) {
        String account = target.allUsing;
        // Many clusters wait at once under one rate limit: each polls gently (first after 1 s), as the fleet does.
        CmekWaiter gentle = new CmekWaiter(
                api(), Fleet.Options.standard(parallel, wait.timeout).schedule(), report()::progress);
        BreachResponse breach = new BreachResponse(api(), gentle, this::keysFor, Clock.systemUTC(), report()::progress);
        AccountRevocation revocation = new AccountRevocation(api(), breach, Clock.systemUTC(), report()::progress);
        Path dir = evidence != null ? evidence : EvidenceFile.defaultDirectory(account, Clock.systemUTC());
        if (!dryRun) {
            AccountRevocation.checkEvidence(dir);
        }
        if (yes && !dryRun) {
            // No one to ask: each cluster is revoked as soon as its status shows keys there.
            evidenceDir = dir;
            return RevokeView.printAll(
                    report(),
                    account,
                    revocation.revokeAll(account, dir, steps, immediate, waitFor(wait), parallel),
                    dir,
                    Interruption.command(RerunAdvice.again(originalArgs(), dir)));
        }
        List<AccountRevocation.Candidate> chosen = revocation.select(account, parallel);
        if (dryRun) {
            return RevokeView.printAccountPreview(
                    report(), account, steps, chosen, revocation.preview(chosen, steps, immediate, parallel));
        }
        if (chosen.isEmpty()) {
            return RevokeView.printNothingUsing(report(), account);
        }
        confirmByTyping(
                yes,
                account,
                "account",
                "Revoking stops " + chosen.size() + " cluster(s) from serving data, and no API call undoes it.");
        evidenceDir = dir;
        return RevokeView.printAll(
                report(),
                account,
                revocation.revokeAll(account, chosen, dir, steps, immediate, waitFor(wait), parallel),
                dir,
                Interruption.command(RerunAdvice.again(originalArgs(), dir)));
    }

    @Override
    Interruption.Notice interruptNotice() {
        Path dir = evidenceDir;
        return target.allUsing != null
                ? RevokeView.interruptedAll(
                        target.allUsing, dir, dir == null ? null : RerunAdvice.again(originalArgs(), dir))
                : RevokeView.interrupted(
                        target.clusterId, dir, dir == null ? null : RerunAdvice.again(originalArgs(), dir));
    }
}
