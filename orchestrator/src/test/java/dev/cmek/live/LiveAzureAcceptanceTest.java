package dev.cmek.live;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The live tier on Azure: runs only with {@code CMEK_LIVE_AZURE=1}, {@code AZURE_SUBSCRIPTION_ID},
 * {@code AZURE_TENANT_ID} and {@code CMEK_LIVE_AZURE_APP_ID}, against that real subscription with
 * DefaultAzureCredential, under a new cluster id. CockroachDB's multi-tenant app for a cluster is CockroachDB's, out of
 * reach here, so a multi-tenant app registration of your own stands in for it (its client id in
 * {@code CMEK_LIVE_AZURE_APP_ID}); provisioning makes or finds its service principal in your tenant. It creates a
 * resource group, a vault with purge protection and a key per region (in {@code CMEK_LIVE_AZURE_REGIONS}, default
 * eastus) and role assignments, and never deletes them; see the README for cleaning up by tag. Skipped, with this
 * reason, everywhere else.
 */
class LiveAzureAcceptanceTest {
    static final String HOW = "live Azure acceptance test skipped: set CMEK_LIVE_AZURE=1, AZURE_SUBSCRIPTION_ID,"
            + " AZURE_TENANT_ID and CMEK_LIVE_AZURE_APP_ID=<client id of a multi-tenant app standing in for"
            + " CockroachDB's> (DefaultAzureCredential: environment, managed identity or az login;"
            + " CMEK_LIVE_AZURE_REGIONS=eastus,...) to run it against a real subscription";

    @Test
    void provisionVerifyRevokeRestore_againstARealSubscription(@TempDir Path dir) throws Exception {
        Map<String, String> env = System.getenv();
        boolean asked = "1".equals(env.get("CMEK_LIVE_AZURE"));
        if (!asked) {
            System.err.println(HOW);
        }
        assumeTrue(asked, HOW);
        for (String required : List.of("AZURE_SUBSCRIPTION_ID", "AZURE_TENANT_ID", "CMEK_LIVE_AZURE_APP_ID")) {
            assumeTrue(env.get(required) != null && !env.get(required).isBlank(), HOW);
        }
        run(
                dir,
                new HashMap<>(env),
                env.get("CMEK_LIVE_AZURE_APP_ID").strip(),
                regions(env.get("CMEK_LIVE_AZURE_REGIONS")));
    }

    /** Shared with the stand-in run. */
    static LiveScenario.Outcome run(Path dir, Map<String, String> env, String appId, List<String> regions)
            throws Exception {
        return LiveScenario.run(new LiveScenario.Target("AZURE", appId, regions, env, List.of()), dir, id -> {});
    }

    static List<String> regions(String list) {
        return list == null || list.isBlank()
                ? List.of("eastus")
                : Arrays.stream(list.split(",")).map(String::strip).toList();
    }
}
