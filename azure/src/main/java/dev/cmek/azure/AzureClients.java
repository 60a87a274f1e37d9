package dev.cmek.azure;

import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import com.azure.core.http.HttpClient;
import com.azure.core.http.HttpPipeline;
import com.azure.core.http.HttpPipelineBuilder;
import com.azure.core.http.policy.BearerTokenAuthenticationPolicy;
import com.azure.core.http.policy.RequestIdPolicy;
import com.azure.core.http.policy.RetryOptions;
import com.azure.core.http.policy.RetryPolicy;
import com.azure.core.http.policy.UserAgentPolicy;
import com.azure.core.util.ClientOptions;
import com.azure.core.util.ConfigurationBuilder;
import com.azure.identity.DefaultAzureCredentialBuilder;
import com.azure.security.keyvault.keys.KeyClient;
import com.azure.security.keyvault.keys.KeyClientBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Azure clients of one run, all on one HTTP client ({@link AzureTransport}) and one credential: typed REST calls to
 * Azure Resource Manager and Microsoft Graph over azure-core pipelines with the SDK's own policies (bearer token, the
 * one {@link CallRetry} layer), and a Key Vault {@code KeyClient} per vault, built on first use.
 *
 * <p>ARM and Graph go through pipelines rather than the {@code azure-resourcemanager-*} libraries: a cold process that
 * lists vaults and role assignments and reads a service principal took 2.6 s this way against 3.4 s through the fluent
 * managers, which load 850 more classes (median of 5 on the project's 2-core machine, the emulator in another
 * process); the CLI's cold revoke pays that. The fluent role-assignment create also retries {@code PrincipalNotFound}
 * for 70 s on its own without setting {@code principalType}.
 */
public final class AzureClients {
    public static final String SUBSCRIPTION_ENV = "AZURE_SUBSCRIPTION_ID";
    /**
     * {@code true} turns off MSAL's instance discovery, and with it Entra's check of the authority host, for a private
     * cloud's authority (or the emulator's) that Entra does not know and would refuse to describe (400 {@code
     * invalid_instance}, AADSTS50049). Never on by itself: the check keeps a client secret from going to a mistyped
     * AZURE_AUTHORITY_HOST. The same switch as the Azure CLI's {@code core.instance_discovery} and the SDK builders'
     * {@code disableInstanceDiscovery()} (https://github.com/Azure/azure-cli/pull/27494).
     */
    public static final String DISABLE_INSTANCE_DISCOVERY_ENV = "AZURE_DISABLE_INSTANCE_DISCOVERY";

    static final String ARM = "https://management.azure.com";
    static final String GRAPH = "https://graph.microsoft.com";
    private static final String USER_AGENT = "cmek-toolkit";

    /** Where credentials may come from, in DefaultAzureCredential's order, for the one-line message when none is found. */
    static final String TRIED = "the environment (AZURE_TENANT_ID and AZURE_CLIENT_ID with AZURE_CLIENT_SECRET or"
            + " AZURE_CLIENT_CERTIFICATE_PATH), workload identity (AZURE_FEDERATED_TOKEN_FILE), managed identity,"
            + " the Azure CLI (az login), Azure PowerShell and the Azure Developer CLI";

    private final HttpClient http;
    private final TokenCredential credential;
    private final Optional<String> subscriptionId;
    private final RetryOptions retry;
    private final List<String> secrets;
    private final String route;
    private final RestApi arm;
    private final RestApi graph;
    private final Map<String, KeyClient> keys = new ConcurrentHashMap<>();

    private AzureClients(Builder b) {
        Map<String, String> env = Map.copyOf(b.env);
        this.http = b.http != null ? b.http : AzureTransport.fromEnvironment(env);
        this.retry = CallRetry.options(b.maxRetries, b.baseDelay, b.maxDelay);
        this.credential = new SharedTokens(b.credential != null ? b.credential : defaultCredential(env, http, retry));
        this.subscriptionId = subscription(env, b.subscriptionId);
        List<String> s = new ArrayList<>();
        for (String name : List.of("AZURE_CLIENT_SECRET", "AZURE_CLIENT_CERTIFICATE_PASSWORD", "AZURE_PASSWORD")) {
            String v = env.get(name);
            if (v != null && !v.isBlank()) {
                s.add(v);
            }
        }
        this.secrets = List.copyOf(s);
        String emulator = env.get(AzureTransport.EMULATOR_HOST);
        this.route = emulator == null || emulator.isBlank() ? "" : " through the emulator proxy at " + emulator.strip();
        this.arm = new RestApi(this, pipeline(ARM + "/.default"), ARM, CallFailedException.Service.ARM);
        this.graph = new RestApi(this, pipeline(GRAPH + "/.default"), GRAPH, CallFailedException.Service.GRAPH);
    }

    /**
     * DefaultAzureCredential reading {@code env} instead of the process environment: AZURE_AUTHORITY_HOST, the
     * environment's client secret or certificate, workload identity, managed identity, the Azure CLI. It reaches Entra
     * ID (and MSAL's instance discovery, unless {@link #DISABLE_INSTANCE_DISCOVERY_ENV}) through the same HTTP client as
     * every other call.
     */
    private static TokenCredential defaultCredential(Map<String, String> env, HttpClient http, RetryOptions retry) {
        DefaultAzureCredentialBuilder b = new DefaultAzureCredentialBuilder()
                .configuration(new ConfigurationBuilder(source -> Map.of(), source -> Map.of(), source -> env).build())
                .httpClient(http)
                // As a policy, not options: the managed identity credential brings its own IMDS retry policy, and
                // identity refuses options beside a policy.
                .retryPolicy(new RetryPolicy(retry));
        if (instanceDiscoveryDisabled(env)) {
            b.disableInstanceDiscovery();
        }
        return b.build();
    }

    /**
     * The settings in {@code env} that building clients from it would refuse ({@link InvalidInputException} or {@link
     * IllegalArgumentException}, one line each), checked without building anything, reading a file or sending a request,
     * so that a command can refuse them before it writes anything; {@code subscriptionId} as {@link
     * Builder#subscriptionId} would take it (null: the environment's).
     */
    public static void checkSettings(Map<String, String> env, String subscriptionId) {
        instanceDiscoveryDisabled(env);
        AzureTransport.checkSettings(env);
        subscription(env, subscriptionId);
    }

    /** {@code given}, else {@code AZURE_SUBSCRIPTION_ID}; empty when neither is set, refused when not a GUID. */
    private static Optional<String> subscription(Map<String, String> env, String given) {
        String sub = given != null ? given : env.get(SUBSCRIPTION_ENV);
        return Optional.ofNullable(sub).filter(s -> !s.isBlank()).map(s -> Guid.require(s, SUBSCRIPTION_ENV));
    }

    /** {@link #DISABLE_INSTANCE_DISCOVERY_ENV}: unset, {@code false} or {@code true}; anything else is refused. */
    static boolean instanceDiscoveryDisabled(Map<String, String> env) {
        String v = env.get(DISABLE_INSTANCE_DISCOVERY_ENV);
        if (v == null || v.isBlank() || v.strip().equalsIgnoreCase("false")) {
            return false;
        }
        if (v.strip().equalsIgnoreCase("true")) {
            return true;
        }
        throw new IllegalArgumentException(
                DISABLE_INSTANCE_DISCOVERY_ENV + " must be true or false, got '" + v.strip() + "'");
    }

    private HttpPipeline pipeline(String scope) {
        return new HttpPipelineBuilder()
                .httpClient(http)
                .policies(
                        new UserAgentPolicy(USER_AGENT),
                        new RequestIdPolicy(),
                        new RetryPolicy(retry),
                        new BearerTokenAuthenticationPolicy(credential, scope))
                .build();
    }

    /** Clients for the credentials and subscription in {@code env} (a map, so tests and the CLI pass their own). */
    public static AzureClients fromEnvironment(Map<String, String> env) {
        return builder().environment(env).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The subscription given, else {@code AZURE_SUBSCRIPTION_ID}; empty when neither is set. */
    public Optional<String> subscriptionId() {
        return subscriptionId;
    }

    /** The subscription to use: {@code given} when set, else this one, else {@link InvalidInputException}. */
    public String subscriptionIdOr(String given) {
        if (given != null && !given.isBlank()) {
            return Guid.require(given, "The subscription id (--azure-subscription)");
        }
        return subscriptionId.orElseThrow(() -> new InvalidInputException(
                "No Azure subscription: set " + SUBSCRIPTION_ENV + " or give --azure-subscription"));
    }

    TokenCredential credential() {
        return credential;
    }

    RestApi arm() {
        return arm;
    }

    RestApi graph() {
        return graph;
    }

    /** The data-plane client of one vault, built on first use and kept. */
    KeyClient keys(String vaultName) {
        return keys.computeIfAbsent(
                vaultName,
                v -> new KeyClientBuilder()
                        .vaultUrl("https://" + v + KeyUri.HOST_SUFFIX)
                        .credential(credential)
                        .httpClient(http)
                        .retryOptions(retry)
                        .addPolicy(new NoBlindRetryOfWrites())
                        .clientOptions(new ClientOptions().setApplicationId(USER_AGENT))
                        .buildClient());
    }

    /**
     * The token request azure-core's bearer policy makes for {@code resource} (CAE on, the credential's tenant), so a
     * token asked for ahead or read for its claims is the one the calls use ({@link SharedTokens}).
     */
    static TokenRequestContext tokenRequest(String resource) {
        return new TokenRequestContext().addScopes(resource + "/.default").setCaeEnabled(true);
    }

    /**
     * Gets the ARM token now, then Microsoft Graph's, so that the first calls find them: a caller with other work to do
     * first (a CLI reading its evidence file) can have them fetched beside it. One after the other: the second finds
     * the connection to Entra ID open, and MSAL's instance discovery done where it is on (side by side, each made its
     * own, about 0.2 s more CPU in a cold process), and the first calls need only ARM's. A failure is left for the
     * calls, which report it.
     */
    public void prepare() {
        prefetch(tokenRequest(ARM));
        prefetch(tokenRequest(GRAPH));
    }

    /** Gets a token now, as {@link #prepare} does for one resource; a failure is left for the calls. */
    Void prefetch(TokenRequestContext request) {
        try {
            credential.getTokenSync(request);
        } catch (RuntimeException e) {
            // the first call that needs it asks again, and reports it
        }
        return null;
    }

    /**
     * Gets the Key Vault token now, as the Key Vault client asks for it once a vault's challenge names the tenant
     * (https://github.com/Azure/azure-sdk-for-java/blob/main/sdk/keyvault/azure-security-keyvault-keys/src/main/java/com/azure/security/keyvault/keys/implementation/KeyVaultCredentialPolicy.java),
     * so that the first key call finds it cached instead of waiting for Entra ID; a failure is left for that call.
     */
    void prefetchKeyVaultToken(String tenantId) {
        prefetch(tokenRequest("https://vault.azure.net").setTenantId(tenantId));
    }

    /** {@code host} as a message names it: with the emulator proxy it goes through, when it does. */
    String endpoint(String host) {
        return host + route;
    }

    /** {@code text} without any secret of the environment the clients were built from. */
    String redacted(String text) {
        String out = text;
        for (String s : secrets) {
            out = out.replace(s, "***");
        }
        return out;
    }

    /** Builds clients from an environment map, with the default retry unless told otherwise. */
    public static final class Builder {
        private Map<String, String> env = Map.of();
        private String subscriptionId;
        private TokenCredential credential;
        private HttpClient http;
        private int maxRetries = CallRetry.DEFAULT_RETRIES;
        private Duration baseDelay = CallRetry.DEFAULT_BASE_DELAY;
        private Duration maxDelay = CallRetry.DEFAULT_MAX_DELAY;

        /** Credentials, subscription, authority host and emulator, read from this map only. */
        public Builder environment(Map<String, String> v) {
            env = Objects.requireNonNull(v, "env");
            return this;
        }

        public Builder subscriptionId(String v) {
            subscriptionId = v;
            return this;
        }

        /** A credential of the caller's own instead of DefaultAzureCredential. */
        public Builder credential(TokenCredential v) {
            credential = v;
            return this;
        }

        /** An HTTP client of the caller's own instead of {@link AzureTransport#fromEnvironment}. */
        public Builder httpClient(HttpClient v) {
            http = v;
            return this;
        }

        /** Attempts after the first on 408, 429, 5xx and lost connections, and the backoff between them. */
        public Builder retry(int retries, Duration base, Duration max) {
            if (retries < 0 || base.isNegative() || max.compareTo(base) < 0) {
                throw new IllegalArgumentException("retry needs retries >= 0 and 0 <= base <= max");
            }
            maxRetries = retries;
            baseDelay = base;
            maxDelay = max;
            return this;
        }

        public AzureClients build() {
            return new AzureClients(this);
        }
    }
}
