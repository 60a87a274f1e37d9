package dev.cmek.azure.bench;

import dev.cmek.azure.AzureClients;
import dev.cmek.azure.AzureCmek;
import dev.cmek.azure.ClusterId;
import dev.cmek.azure.RevocationRecord;
import dev.cmek.azure.RevocationRequest;
import dev.cmek.core.Fate;

/**
 * One cold revocation without the Cloud API, in a process of its own (what {@code cmek revoke --cloud-only} asks of the
 * adapter): clients from the environment, our vaults found from their tags. Prints the time spent in {@code main} and
 * the outcomes. Started by {@link ColdRevokeBench}. Args: {@code <cluster id>}.
 */
public final class ColdRevoke {
    private ColdRevoke() {}

    public static void main(String[] args) {
        long t0 = System.nanoTime();
        AzureClients clients = AzureClients.fromEnvironment(System.getenv());
        RevocationRecord r = new AzureCmek(clients)
                .revoke(RevocationRequest.cloudOnly(ClusterId.of(args[0]), clients.subscriptionIdOr(null), null));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        long removed =
                r.outcomes().stream().filter(o -> o.fate() == Fate.REMOVED).count();
        long left = r.outcomes().stream().filter(o -> o.fate() == Fate.LEFT).count();
        System.out.println("main-ms " + ms + " removed " + removed + " left " + left);
        System.out.flush();
        // The HTTP client's threads could keep the process up; the CLI exits the same way.
        System.exit(left == 0 ? 0 : 1);
    }
}
