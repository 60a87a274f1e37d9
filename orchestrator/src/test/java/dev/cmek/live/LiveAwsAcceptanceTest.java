package dev.cmek.live;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cmek.aws.SdkClients;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The live tier on AWS, like the Terraform providers' {@code TF_ACC=1} tests: runs only with {@code CMEK_LIVE_AWS=1}
 * and {@code CMEK_LIVE_AWS_ACCOUNT} set to the account the credentials belong to (a guard against the wrong account),
 * against that real account, under a new cluster id. It creates a role and a key per region (in
 * {@code CMEK_LIVE_AWS_REGIONS}, default us-east-1) and never deletes them; see the README for cleaning up by tag.
 * Skipped, with this reason, everywhere else.
 */
class LiveAwsAcceptanceTest {
    static final String HOW =
            "live AWS acceptance test skipped: set CMEK_LIVE_AWS=1 and CMEK_LIVE_AWS_ACCOUNT=<your 12-digit account id>"
                    + " (credentials from the AWS default chain; CMEK_LIVE_AWS_REGIONS=us-east-1,...) to run it against a real"
                    + " account";

    @Test
    void provisionVerifyRevokeRestore_againstARealAccount(@TempDir Path dir) throws Exception {
        Map<String, String> env = System.getenv();
        boolean asked = "1".equals(env.get("CMEK_LIVE_AWS"));
        if (!asked) {
            System.err.println(HOW);
        }
        assumeTrue(asked, HOW);
        String account = env.get("CMEK_LIVE_AWS_ACCOUNT");
        assumeTrue(account != null && account.matches("\\d{12}"), HOW);
        run(
                dir,
                new HashMap<>(env),
                account,
                regions(env.get("CMEK_LIVE_AWS_REGIONS")),
                SdkClients.builder().build());
    }

    /** Shared with the stand-in run: checks the caller's account first, then runs the scenario. */
    static LiveScenario.Outcome run(
            Path dir, Map<String, String> env, String account, List<String> regions, SdkClients sts) throws Exception {
        String caller;
        try (sts) {
            caller = sts.sts().getCallerIdentity().account();
        }
        assertEquals(account, caller, "the credentials belong to account " + caller + ", not the one named");
        // The cluster's account is the caller's own: a role may trust it, where a made-up account is refused by IAM.
        return LiveScenario.run(new LiveScenario.Target("AWS", caller, regions, env, List.of()), dir, id -> {});
    }

    static List<String> regions(String list) {
        return list == null || list.isBlank()
                ? List.of("us-east-1")
                : Arrays.stream(list.split(",")).map(String::strip).toList();
    }
}
