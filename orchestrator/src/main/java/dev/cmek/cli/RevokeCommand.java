package dev.cmek.cli;

import dev.cmek.CmekException;
import dev.cmek.ExitCode;
import java.io.IOException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "revoke",
        description = {"Breach response: tell CockroachDB to stop using the cluster's keys (PATCH .../cmek REVOKE), then wait until REVOKED.",
                "%nThe cluster stops serving data. No API call undoes this: recovery needs the grants put back in your cloud and then CockroachDB support. Remove CockroachDB's grants in your cloud first; until REVOKE is sent the cluster keeps using the data key it already holds. This never deletes, disables or schedules deletion of a key. Asks you to type the cluster id unless --yes is given; refuses without --yes when not interactive."})
final class RevokeCommand extends ApiCommand {
    @Option(names = "--cluster", required = true, paramLabel = "ID", description = "Cluster id (UUID).")
    String clusterId;

    @Option(names = "--yes", description = "Do not ask for confirmation (for scripts and incident runbooks).")
    boolean yes;

    @Mixin
    WaitOptions wait;

    RevokeCommand(Terminal terminal) {
        super(terminal);
    }

    @Override
    ExitCode execute() {
        if (!clusterId.matches("[0-9A-Za-z-]{1,64}")) {
            throw new CmekException.InvalidInput("cluster id \"" + clusterId + "\" is not a CockroachDB Cloud cluster id (a UUID)");
        }
        confirm();
        return LifecycleCommands.print(report(), lifecycle().revoke(clusterId, waitFor(wait)));
    }

    private void confirm() {
        if (yes) {
            return;
        }
        if (!terminal.interactive()) {
            throw new CmekException.InvalidInput("refusing to revoke without --yes: no terminal to confirm on; nothing was changed");
        }
        terminal.err().println("Revoking stops cluster " + clusterId + " from serving data, and no API call undoes it.");
        terminal.err().print("Type the cluster id to confirm: ");
        terminal.err().flush();
        String answer;
        try {
            answer = terminal.in().readLine();
        } catch (IOException e) {
            answer = null;
        }
        if (answer == null || !answer.strip().equals(clusterId)) {
            throw new CmekException.InvalidInput("not confirmed; nothing was changed");
        }
    }
}
