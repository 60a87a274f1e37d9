package dev.cmek.cli;

import dev.cmek.CmekException;
import dev.cmek.ExitCode;
import dev.cmek.OutputPath;
import dev.cmek.model.ClusterIdRule;
import dev.cmek.workflow.AccountRevocation;
import dev.cmek.workflow.BreachResponse;
import dev.cmek.workflow.EvidenceFile;
import java.nio.file.Path;
import java.time.Clock;
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
                        "Every cluster whose keys are in this AWS account, GCP project, or Azure tenant or subscription.")
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
            description = "The evidence record (default: cmek-revocation-<cluster>-<time> in the current directory).")
    Path evidence;

    @Option(
            names = "--immediate",
            description = "Also cut access already in use (AWS: older role sessions; GCP: the service account).")
    boolean immediate;

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
    CloudOnlyOptions withoutApi;

    @Mixin
    WaitOptions wait;

    /** The evidence directory in use, once chosen: what an interrupt notice points to. */
    private volatile Path evidenceDir;

    RevokeCommand(Terminal terminal) {
        super(terminal);
    }

    @Override
    CloudOptions cloudOptions() {
        return withoutApi.cloudOptions();
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
        Optional<BreachResponse.Offline> offline = withoutApi.offline(terminal.env());
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
                withoutApi.source(),
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
        withoutApi.check(oneStep.cloudOnly, target.allUsing != null);
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

    private ExitCode allUsing(BreachResponse.Steps steps) {
        String account = target.allUsing;
        AccountRevocation revocation = AccountRevocation.gentle(
                api(), this::keysFor, parallel, wait.timeout, Clock.systemUTC(), report()::progress);
        if (dryRun) {
            List<AccountRevocation.Candidate> chosen = revocation.select(account, parallel);
            return RevokeView.printAccountPreview(
                    report(),
                    account,
                    steps,
                    chosen,
                    revocation.preview(chosen, steps, immediate, parallel),
                    revocation.unlisted(account));
        }
        Path dir = evidence != null ? evidence : EvidenceFile.defaultDirectory(account, Clock.systemUTC());
        AccountRevocation.checkEvidence(dir);
        // With --yes no one is asked: each cluster is revoked as soon as its status shows keys there.
        Optional<List<AccountRevocation.Candidate>> chosen =
                yes ? Optional.empty() : Optional.of(revocation.select(account, parallel));
        if (chosen.isPresent() && chosen.get().isEmpty()) {
            return RevokeView.printNothingUsing(report(), account, revocation.unlisted(account));
        }
        chosen.ifPresent(c -> confirmByTyping(
                false,
                account,
                "account",
                "Revoking stops " + c.size() + " cluster(s) from serving data, and no API call undoes it."));
        evidenceDir = dir;
        AccountRevocation.Request request =
                new AccountRevocation.Request(account, dir, steps, immediate, waitFor(wait), parallel);
        return RevokeView.printAll(
                report(),
                account,
                revocation.revokeAll(request, chosen),
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
