package dev.cmek.testing;

import dev.cmek.api.ApiKey;
import dev.cmek.api.ApiSettings;
import dev.cmek.api.HttpCloudApi;
import dev.cmek.api.RequestPacer;
import dev.cmek.sandbox.CloudApiSandbox;
import dev.cmek.sandbox.KeySpecCheck;
import dev.cmek.sandbox.OpenApiContract;
import dev.cmek.sandbox.SandboxConfig;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A sandbox with one AWS, one GCP and one non-Advanced cluster, and clients for it. */
public final class Sandboxes {
    public static final String API_KEY = "CCDB1_sandboxsecret_9f8e7d6c5b4a";
    public static final String ORG_ID = "9c0bde16-3d1b-4c16-8f6b-1d2c3e4f5a6b";
    public static final String AWS_CLUSTER = "35c4abb2-bb66-46d7-afed-25ebef5ed2aa";
    public static final String AWS_ACCOUNT = "210987654321";
    public static final String GCP_CLUSTER = "b1a2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d";
    public static final String GCP_ACCOUNT = "crl-prod-ledger";
    public static final String STANDARD_CLUSTER = "11111111-2222-4333-8444-555555555555";

    public static final String CONFIG =
            """
            {"organization": {"id": "%s", "name": "acme"},
             "clusters": [
               {"id": "%s", "name": "payments", "cloud_provider": "AWS", "account_id": "%s",
                "plan": "ADVANCED", "state": "CREATED", "network_visibility": "PRIVATE",
                "regions": [{"name": "us-east-1", "node_count": 3}, {"name": "us-west-2", "node_count": 3}]},
               {"id": "%s", "name": "ledger", "cloud_provider": "GCP", "account_id": "%s",
                "plan": "ADVANCED", "state": "CREATED", "network_visibility": "PRIVATE",
                "regions": [{"name": "us-central1", "node_count": 3}]},
               {"id": "%s", "name": "small", "cloud_provider": "AWS", "account_id": "%s", "plan": "STANDARD",
                "regions": [{"name": "us-east-1", "node_count": 1}]}
             ]}
            """.formatted(ORG_ID, AWS_CLUSTER, AWS_ACCOUNT, GCP_CLUSTER, GCP_ACCOUNT, STANDARD_CLUSTER, AWS_ACCOUNT);

    private Sandboxes() {}

    /** Started, with a short transition delay and the real 10 requests/s limit. */
    public static CloudApiSandbox start(Duration transitionDelay) {
        return CloudApiSandbox.builder()
                .config(SandboxConfig.parse(CONFIG))
                .apiKey(API_KEY)
                .transitionDelay(transitionDelay)
                .build()
                .start();
    }

    /**
     * Started like {@link #start}, checking each submitted key spec with {@code check} the way CockroachDB would, and
     * refusing (400) a key it cannot use yet, as the real API does while IAM propagates.
     */
    public static CloudApiSandbox startCheckingKeys(Duration transitionDelay, KeySpecCheck check) {
        CloudApiSandbox sandbox = start(transitionDelay);
        sandbox.setKeySpecCheck(check);
        sandbox.setRejectInaccessibleKeys(true);
        return sandbox;
    }

    /** Closes the sandbox after checking that every exchange it served conforms to the API's OpenAPI spec. */
    public static void closeConforming(CloudApiSandbox sandbox) {
        try {
            OpenApiContract.assertConforms(sandbox.requestLog().exchanges());
        } finally {
            sandbox.close();
        }
    }

    /** Settings with short retry pauses and windows, so failure paths finish in test time. */
    public static ApiSettings fastSettings(CloudApiSandbox sandbox) {
        return ApiSettings.defaults(sandbox.baseUri())
                .withRetryPauses(Duration.ofMillis(20), Duration.ofMillis(200))
                .withPropagationWindow(Duration.ofSeconds(5))
                .withNotReadyWindow(Duration.ofSeconds(5));
    }

    /** A client that records its retry notices. */
    public static final class Client {
        public final HttpCloudApi api;
        public final List<String> notices = new CopyOnWriteArrayList<>();

        public Client(ApiSettings settings, String key, RequestPacer pacer) {
            this.api = new HttpCloudApi(settings, ApiKey.of(key), pacer, notices::add);
        }
    }

    public static Client client(CloudApiSandbox sandbox) {
        return new Client(fastSettings(sandbox), API_KEY, RequestPacer.cloudApiDefault());
    }
}
