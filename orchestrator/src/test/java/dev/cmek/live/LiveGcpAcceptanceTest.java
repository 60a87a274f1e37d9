package dev.cmek.live;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.api.gax.rpc.AlreadyExistsException;
import com.google.api.gax.rpc.NotFoundException;
import com.google.iam.admin.v1.CreateServiceAccountRequest;
import com.google.iam.admin.v1.GetServiceAccountRequest;
import com.google.iam.admin.v1.ServiceAccount;
import dev.cmek.gcp.GcpClients;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The live tier on GCP: runs only with {@code CMEK_LIVE_GCP=1} and {@code CMEK_LIVE_GCP_PROJECT}, against that real
 * project with Application Default Credentials, under a new cluster id. CockroachDB's identity for a cluster lives in
 * CockroachDB's own project, out of reach here, so the project given stands for both: the test first creates a service
 * account {@code crl-kms-user-<last 12>} there to play CockroachDB's identity. It creates a key ring and a key per
 * region (in {@code CMEK_LIVE_GCP_REGIONS}, default us-central1) and two service accounts, and never deletes them; see
 * the README for cleaning up by label. Skipped, with this reason, everywhere else.
 */
class LiveGcpAcceptanceTest {
    static final String HOW =
            "live GCP acceptance test skipped: set CMEK_LIVE_GCP=1 and CMEK_LIVE_GCP_PROJECT=<your project id>"
                    + " (Application Default Credentials; CMEK_LIVE_GCP_REGIONS=us-central1,...) to run it against a real"
                    + " project";

    @Test
    void provisionVerifyRevokeRestore_againstARealProject(@TempDir Path dir) throws Exception {
        Map<String, String> env = System.getenv();
        boolean asked = "1".equals(env.get("CMEK_LIVE_GCP"));
        if (!asked) {
            System.err.println(HOW);
        }
        assumeTrue(asked, HOW);
        String project = env.get("CMEK_LIVE_GCP_PROJECT");
        assumeTrue(project != null && !project.isBlank(), HOW);
        run(dir, new HashMap<>(env), project.strip(), regions(env.get("CMEK_LIVE_GCP_REGIONS")), Duration.ofMinutes(3));
    }

    /** Shared with the stand-in run. */
    static LiveScenario.Outcome run(
            Path dir, Map<String, String> env, String project, List<String> regions, Duration identityPropagation)
            throws Exception {
        Map<String, String> cliEnv = new HashMap<>(env);
        cliEnv.put("CMEK_GCP_PROJECT", project);
        return LiveScenario.run(
                new LiveScenario.Target("GCP", project, regions, cliEnv, List.of("--gcp-project", project)),
                dir,
                clusterId -> createCockroachIdentity(env, project, clusterId, identityPropagation));
    }

    /** The service account that plays CockroachDB's identity for the cluster, visible before provisioning names it. */
    private static void createCockroachIdentity(
            Map<String, String> env, String project, String clusterId, Duration propagation) {
        String accountId = "crl-kms-user-" + clusterId.substring(clusterId.length() - 12);
        String name =
                "projects/" + project + "/serviceAccounts/" + accountId + "@" + project + ".iam.gserviceaccount.com";
        try (GcpClients clients = GcpClients.fromEnvironment(env)) {
            try {
                clients.iam()
                        .createServiceAccount(CreateServiceAccountRequest.newBuilder()
                                .setName("projects/" + project)
                                .setAccountId(accountId)
                                .setServiceAccount(ServiceAccount.newBuilder()
                                        .setDisplayName("cmek live test: CockroachDB identity")
                                        .setDescription(
                                                "stands in for CockroachDB's identity of test cluster " + clusterId))
                                .build());
            } catch (AlreadyExistsException e) {
                // A re-run with the same id: the account is there.
            }
            // IAM is eventually consistent: wait until the account can be read before a policy names it.
            long deadline = System.nanoTime() + propagation.toNanos();
            while (true) {
                try {
                    clients.iam()
                            .getServiceAccount(GetServiceAccountRequest.newBuilder()
                                    .setName(name)
                                    .build());
                    return;
                } catch (NotFoundException e) {
                    if (System.nanoTime() > deadline) {
                        throw new AssertionError(name + " did not become visible within " + propagation, e);
                    }
                    sleep(Duration.ofMillis(200));
                }
            }
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    static List<String> regions(String list) {
        return list == null || list.isBlank()
                ? List.of("us-central1")
                : Arrays.stream(list.split(",")).map(String::strip).toList();
    }
}
