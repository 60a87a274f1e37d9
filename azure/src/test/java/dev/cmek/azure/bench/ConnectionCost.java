package dev.cmek.azure.bench;

import com.azure.core.http.HttpClient;
import com.azure.core.http.HttpMethod;
import com.azure.core.http.HttpRequest;
import com.azure.core.util.Context;
import dev.cmek.azure.AzureTransport;
import dev.cmek.azure.emulator.AzureEmulator;
import java.util.Arrays;

/**
 * What one new TLS connection through the emulator costs a warm JVM, against a call on a connection already open
 * (BENCHMARKS.md, Azure provisioning): each step of a provisioning chain reaches hosts the step before did not. Per
 * round, {@code calls} times: a new {@link AzureTransport} client (a new connection pool, as a new CLI process has) asks
 * the emulator's own address once on a new connection and once more on the same one, then ARM on a second new
 * connection (through the CONNECT tunnel). Medians per round; the first rounds warm the JIT. Not run by {@code mvn
 * verify}; see scripts/bench-azure. Args: {@code [rounds=3] [calls=200]}.
 */
public final class ConnectionCost {
    private ConnectionCost() {}

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int calls = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        try (AzureEmulator emulator = AzureEmulator.start(0)) {
            String entra =
                    emulator.authorityHost() + "/" + emulator.tenantId() + "/v2.0/.well-known/openid-configuration";
            // Unauthenticated: ARM's 401 is a whole answer, and needs no token that would add a call.
            String arm = "https://management.azure.com/subscriptions?api-version=2022-12-01";
            System.out.println("| round | new connection | same connection again | second new connection (ARM) |");
            System.out.println("|---|---|---|---|");
            for (int round = 1; round <= rounds; round++) {
                long[] fresh = new long[calls];
                long[] reused = new long[calls];
                long[] other = new long[calls];
                for (int i = 0; i < calls; i++) {
                    HttpClient http = AzureTransport.throughEmulator(emulator.address(), emulator.caFile());
                    long t0 = System.nanoTime();
                    http.sendSync(new HttpRequest(HttpMethod.GET, entra), Context.NONE)
                            .close();
                    long t1 = System.nanoTime();
                    http.sendSync(new HttpRequest(HttpMethod.GET, entra), Context.NONE)
                            .close();
                    long t2 = System.nanoTime();
                    http.sendSync(new HttpRequest(HttpMethod.GET, arm), Context.NONE)
                            .close();
                    long t3 = System.nanoTime();
                    fresh[i] = t1 - t0;
                    reused[i] = t2 - t1;
                    other[i] = t3 - t2;
                }
                System.out.printf(
                        "| %d | %.1f ms | %.2f ms | %.1f ms |%n", round, median(fresh), median(reused), median(other));
            }
        }
    }

    private static double median(long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2] / 1e6;
    }
}
