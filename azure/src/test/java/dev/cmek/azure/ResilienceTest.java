package dev.cmek.azure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cmek.azure.emulator.EmulatorViews;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Runs stopped at each step (a 5xx through every retry, a refusal, a lost reply) and run again; endpoints that do not
 * answer; credentials that are missing or refused.
 */
class ResilienceTest extends EmulatorBacked {
    private static final List<String> REGIONS = List.of("eastus", "westeurope");

    /** Every write provisioning makes, in the order a fresh run makes them. */
    private static final String[] STEPS = {
        "graph.servicePrincipals.create",
        "arm.resourceGroups.put",
        "arm.vaults.put",
        "keyvault.keys.create",
        "keyvault.keys.setRotationPolicy",
        "arm.roleAssignments.put"
    };

    private static AzureCmekRequest req() {
        return request(REGIONS.toArray(String[]::new)).build();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "graph.servicePrincipals.create",
                "arm.resourceGroups.put",
                "arm.vaults.put",
                "keyvault.keys.create",
                "keyvault.keys.setRotationPolicy",
                "arm.roleAssignments.put"
            })
    void stoppedByA5xxAtAStep_aRerunFinishes_withoutDuplicates(String step) {
        emulator.failNext(step, 100, 503);
        CallFailedException e = assertThrows(CallFailedException.class, () -> cmek.provision(req()));
        assertEquals(CallFailedException.Failure.UNAVAILABLE, e.failure(), e.getMessage());
        emulator.clearFaults();

        cmek.provision(req());

        assertExactlyOneOfEach();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "arm.resourceGroups.put",
                "arm.vaults.put",
                "keyvault.keys.create",
                "keyvault.keys.setRotationPolicy",
                "arm.roleAssignments.put"
            })
    void stoppedByARefusalAtAStep_saysWhichPermission_andARerunFinishes(String step) {
        emulator.deny(step);
        CallFailedException e = assertThrows(CallFailedException.class, () -> cmek.provision(req()));
        assertEquals(CallFailedException.Failure.PERMISSION_DENIED, e.failure(), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        emulator.clearFaults();

        cmek.provision(req());

        assertExactlyOneOfEach();
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 4, 5})
    void aLostReplyAtAStep_leavesNoDuplicate_afterARerun(int step) {
        // Two: a vault's first data-plane request is the unauthenticated challenge, and the second is the write itself.
        emulator.resetCallCounts();
        emulator.loseReplyOfNext(STEPS[step], 2);
        try {
            cmek.provision(req());
        } catch (AzureCmekException stopped) {
            // a run may stop here; the next one must finish what it began
        }
        emulator.clearFaults();
        List<EmulatorViews.Call> lost = emulator.requestLog().stream()
                .filter(c -> c.operation().equals(STEPS[step]))
                .limit(2)
                .toList();
        assertTrue(lost.stream().anyMatch(c -> c.status() / 100 == 2), "a write was made and its reply lost: " + lost);

        cmek.provision(req());

        assertExactlyOneOfEach();
    }

    @Test
    void aLostReplyToAKeyCreate_isReadBack_notSentAgain() {
        emulator.loseReplyOfNext("keyvault.keys.create", 2);

        cmek.provision(request("eastus").build());

        EmulatorViews.Key key =
                emulator.key(vaultName("eastus"), CmekNames.KEY_BASE).orElseThrow();
        assertEquals(1, key.versions().size(), "one version: the create whose reply was lost was not sent again");
    }

    private static void assertExactlyOneOfEach() {
        assertEquals(
                1,
                emulator.servicePrincipals().stream()
                        .filter(p -> p.appId().equals(APP) && p.tenantId().equals(emulator.tenantId()))
                        .count());
        assertEquals(REGIONS.size(), emulator.vaults().size(), emulator.vaults().toString());
        for (String region : REGIONS) {
            List<EmulatorViews.Key> keys = emulator.keys(vaultName(region));
            assertEquals(1, keys.size(), keys.toString());
            assertEquals(1, keys.get(0).versions().size(), "one version of " + keys.get(0));
            assertTrue(keys.get(0).hasRotationPolicy());
        }
        assertEquals(REGIONS.size(), crdbAssignments().size(), crdbAssignments().toString());
        assertTrue(crdbAssignments().stream().allMatch(a -> a.roleName().equals(CRYPTO_USER)));
    }

    @Test
    void throttled_isRetriedAfterRetryAfter_bySdkRetryOnly() {
        emulator.resetCallCounts();
        emulator.throttleNext("arm.vaults.put", 2, Duration.ofSeconds(1));

        cmek.provision(request("eastus").build());

        assertEquals(3, emulator.callCount("arm.vaults.put"));
        List<EmulatorViews.Call> puts = emulator.requestLog().stream()
                .filter(c -> c.operation().equals("arm.vaults.put"))
                .toList();
        for (int i = 1; i < puts.size(); i++) {
            // The retry waits what Retry-After asked (1 s), not the test clients' 10-100 ms backoff.
            assertTrue(Duration.between(puts.get(i - 1).at(), puts.get(i).at()).toMillis() >= 950, puts.toString());
        }
        assertExactlyOne("eastus");
    }

    private static void assertExactlyOne(String region) {
        assertEquals(1, emulator.keys(vaultName(region)).size());
    }

    @Test
    void aDeadEndpoint_isNotRetried_andTheFailureNamesIt_andSaysUnreachable() throws IOException {
        Map<String, String> env = new HashMap<>(emulator.env());
        env.put("AZURE_EMULATOR_HOST", "127.0.0.1:" + freePort());
        CountingHttpClient http = new CountingHttpClient(AzureTransport.fromEnvironment(env));
        // Tokens from the live emulator, so that each request counted is a call of the plan's own (a token request's
        // URL
        // and scope are the same for every caller). The default retry (5 retries) retries a lost connection, not this.
        AzureCmek dead = new AzureCmek(AzureClients.builder()
                .environment(env)
                .credential(clients.credential())
                .httpClient(http)
                .build());

        CallFailedException e = assertThrows(
                CallFailedException.class, () -> dead.plan(request("eastus").build()));

        assertEquals(CallFailedException.Failure.UNAVAILABLE, e.failure());
        assertTrue(e.getMessage().contains("unreachable"), e.getMessage());
        assertTrue(e.getMessage().contains(env.get("AZURE_EMULATOR_HOST")), e.getMessage());
        assertFalse(e.getMessage().toLowerCase().contains("permission"), e.getMessage());
        assertFalse(http.sent().isEmpty());
        assertEquals(Set.copyOf(http.sent()).size(), http.sent().size(), "each request tried once: " + http.sent());
    }

    @Test
    void aVaultHostThatDoesNotResolve_isNotRetried_andTheFailureNamesTheVault() {
        CountingHttpClient http = new CountingHttpClient(AzureTransport.fromEnvironment(emulator.env()));
        AzureCmek counted = new AzureCmek(AzureClients.builder()
                .environment(emulator.env())
                .httpClient(http)
                .build());

        CallFailedException e = assertThrows(
                CallFailedException.class,
                () -> counted.visible(KeyUri.parse("https://no-such-vault.vault.azure.net/keys/k")));

        assertEquals(CallFailedException.Failure.UNAVAILABLE, e.failure());
        assertTrue(e.getMessage().contains("no-such-vault.vault.azure.net"), e.getMessage());
        assertTrue(e.getMessage().contains("unreachable"), e.getMessage());
        List<String> toTheVault =
                http.sent().stream().filter(r -> r.contains("no-such-vault")).toList();
        assertEquals(1, toTheVault.size(), "tried once: " + http.sent());
    }

    @Test
    void noCredentials_isOneLine_namingWhatWasTried() {
        Map<String, String> env = new HashMap<>(emulator.env());
        env.remove("AZURE_CLIENT_ID");
        env.remove("AZURE_CLIENT_SECRET");
        env.remove("AZURE_TENANT_ID");
        env.put("AZURE_TOKEN_CREDENTIALS", "prod"); // not this machine's own Azure CLI login, if it has one
        AzureCmek none = new AzureCmek(AzureClients.fromEnvironment(env));

        NoCredentialsException e = assertThrows(
                NoCredentialsException.class, () -> none.plan(request("eastus").build()));

        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertTrue(e.getMessage().contains("AZURE_CLIENT_SECRET"), e.getMessage());
        assertTrue(e.getMessage().contains("managed identity"), e.getMessage());
        assertTrue(e.getMessage().contains("az login"), e.getMessage());
    }

    @Test
    void anAuthorityEntraDoesNotKnow_isRefusedBeforeAnySecretIsSent_andTheMessageSaysWhatToSet() {
        Map<String, String> env = new HashMap<>(emulator.env());
        env.remove(AzureClients.DISABLE_INSTANCE_DISCOVERY_ENV);
        // localhost, not the 127.0.0.1 of the other tests: MSAL keeps what it learnt of a host for the JVM's life.
        env.put("AZURE_AUTHORITY_HOST", "https://localhost:" + emulator.port());
        AzureCmek unknown = new AzureCmek(AzureClients.fromEnvironment(env));
        emulator.resetCallCounts();

        NoCredentialsException e = assertThrows(
                NoCredentialsException.class,
                () -> unknown.plan(request("eastus").build()));

        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertTrue(e.getMessage().contains("AADSTS50049"), e.getMessage());
        assertTrue(e.getMessage().contains("AZURE_AUTHORITY_HOST"), e.getMessage());
        assertTrue(e.getMessage().contains("AZURE_DISABLE_INSTANCE_DISCOVERY=true"), e.getMessage());
        assertTrue(
                emulator.callCount("entra.instanceDiscovery") > 0,
                emulator.callCounts().toString());
        assertEquals(0, emulator.callCount("entra.token"), emulator.callCounts().toString());
    }

    @Test
    void instanceDiscovery_isTurnedOffOnlyWhenAskedFor() throws Exception {
        assertFalse(AzureClients.instanceDiscoveryDisabled(Map.of()));
        assertFalse(AzureClients.instanceDiscoveryDisabled(Map.of("AZURE_DISABLE_INSTANCE_DISCOVERY", "false")));
        assertTrue(AzureClients.instanceDiscoveryDisabled(Map.of("AZURE_DISABLE_INSTANCE_DISCOVERY", "TRUE")));
        IllegalArgumentException bad = assertThrows(
                IllegalArgumentException.class,
                () -> AzureClients.fromEnvironment(Map.of("AZURE_DISABLE_INSTANCE_DISCOVERY", "yes")));
        assertEquals("AZURE_DISABLE_INSTANCE_DISCOVERY must be true or false, got 'yes'", bad.getMessage());

        // Each sign-in in a JVM of its own (MSAL keeps what it learnt of a host for the JVM's life): with the switch,
        // as
        // the emulator's environment has it, no discovery and a token; without it, Entra's refusal and no token.
        emulator.resetCallCounts();
        String signedIn = signInProbe(emulator.env());
        assertTrue(signedIn.endsWith("signed in\n"), signedIn);
        assertEquals(
                0,
                emulator.callCount("entra.instanceDiscovery"),
                emulator.callCounts().toString());
        assertTrue(emulator.callCount("entra.token") > 0, emulator.callCounts().toString());

        Map<String, String> without = new HashMap<>(emulator.env());
        without.remove(AzureClients.DISABLE_INSTANCE_DISCOVERY_ENV);
        emulator.resetCallCounts();
        String refused = signInProbe(without);
        assertTrue(refused.contains("AADSTS50049"), refused);
        assertTrue(
                emulator.callCount("entra.instanceDiscovery") > 0,
                emulator.callCounts().toString());
        assertEquals(0, emulator.callCount("entra.token"), emulator.callCounts().toString());
    }

    /** {@link SignInProbe}'s output (and the libraries' logging) in a new JVM with exactly {@code env} (and the JVM's own PATH). */
    private static String signInProbe(Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        SignInProbe.class.getName())
                .redirectErrorStream(true);
        pb.environment().clear();
        pb.environment().putAll(env);
        pb.environment().put("AZURE_TOKEN_CREDENTIALS", "prod"); // not this machine's own Azure CLI login
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), out);
        return out;
    }

    @Test
    void aRefusedSecret_isNoCredentials_andTheSecretAppearsNowhere() {
        Map<String, String> env = new HashMap<>(emulator.env());
        String wrong = "not-the-secret-" + System.nanoTime();
        env.put("AZURE_CLIENT_SECRET", wrong);
        AzureCmek refused = new AzureCmek(AzureClients.fromEnvironment(env));

        NoCredentialsException e = assertThrows(
                NoCredentialsException.class,
                () -> refused.provision(request("eastus").build()));

        assertTrue(e.getMessage().contains("AADSTS7000215"), e.getMessage());
        for (Throwable t = e; t != null; t = t.getCause()) {
            assertFalse(String.valueOf(t.getMessage()).contains(wrong), t.toString());
            assertFalse(String.valueOf(t.getMessage()).contains(emulator.admin().clientSecret()), t.toString());
        }
    }

    @Test
    void theSecret_appearsInNoFailureMessage() {
        String secret = emulator.admin().clientSecret();
        emulator.deny("arm.vaults.put");
        AzureCmekException e = assertThrows(
                AzureCmekException.class, () -> cmek.provision(request("eastus").build()));
        for (Throwable t = e; t != null; t = t.getCause()) {
            assertFalse(String.valueOf(t.getMessage()).contains(secret), t.toString());
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
