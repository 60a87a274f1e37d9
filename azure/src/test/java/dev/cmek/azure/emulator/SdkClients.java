package dev.cmek.azure.emulator;

import com.azure.core.credential.TokenCredential;
import com.azure.core.http.HttpClient;
import com.azure.core.http.policy.ExponentialBackoffOptions;
import com.azure.core.http.policy.RetryOptions;
import com.azure.core.management.AzureEnvironment;
import com.azure.core.management.profile.AzureProfile;
import com.azure.identity.ClientSecretCredentialBuilder;
import com.azure.resourcemanager.authorization.AuthorizationManager;
import com.azure.resourcemanager.keyvault.KeyVaultManager;
import com.azure.resourcemanager.resources.ResourceManager;
import com.azure.security.keyvault.keys.KeyClient;
import com.azure.security.keyvault.keys.KeyClientBuilder;
import com.azure.security.keyvault.keys.cryptography.CryptographyClient;
import com.azure.security.keyvault.keys.cryptography.CryptographyClientBuilder;
import dev.cmek.azure.AzureTransport;
import java.time.Duration;

/** The real Azure SDK clients, pointed at an emulator through {@link AzureTransport}. */
final class SdkClients {
    /** Short retry pauses so tests that meet 5xx or 429 do not wait the SDK's default 0.8 s and up. */
    static final RetryOptions FAST_RETRY = new RetryOptions(new ExponentialBackoffOptions()
            .setMaxRetries(3)
            .setBaseDelay(Duration.ofMillis(20))
            .setMaxDelay(Duration.ofMillis(200)));

    final AzureEmulator emulator;
    final HttpClient http;

    SdkClients(AzureEmulator emulator) {
        this.emulator = emulator;
        this.http = AzureTransport.throughEmulator(emulator.address(), emulator.caFile());
    }

    TokenCredential credential(EmulatorViews.ClientCredentials c) {
        return credential(c.tenantId(), c.clientId(), c.clientSecret());
    }

    TokenCredential credential(String tenantId, String clientId, String secret) {
        return builder(tenantId, clientId, secret, emulator.authorityHost())
                .disableInstanceDiscovery() // Entra would refuse to describe the emulator's authority
                .build();
    }

    /** The admin's credential at {@code authorityHost}, with MSAL's instance discovery on, as its default is. */
    TokenCredential adminWithDiscovery(String authorityHost) {
        EmulatorViews.ClientCredentials a = emulator.admin();
        return builder(a.tenantId(), a.clientId(), a.clientSecret(), authorityHost)
                .build();
    }

    private ClientSecretCredentialBuilder builder(String tenantId, String clientId, String secret, String authority) {
        return new ClientSecretCredentialBuilder()
                .tenantId(tenantId)
                .clientId(clientId)
                .clientSecret(secret)
                .authorityHost(authority)
                .httpClient(http);
    }

    TokenCredential admin() {
        return credential(emulator.admin());
    }

    KeyClient keys(String vault, TokenCredential credential) {
        return new KeyClientBuilder()
                .vaultUrl("https://" + vault + ".vault.azure.net")
                .credential(credential)
                .httpClient(http)
                .retryOptions(FAST_RETRY)
                .buildClient();
    }

    /** A client that sends every operation to the service (no local public-key encrypt). */
    CryptographyClient crypto(String kid, TokenCredential credential) {
        return new CryptographyClientBuilder()
                .keyIdentifier(kid)
                .credential(credential)
                .httpClient(http)
                .retryOptions(FAST_RETRY)
                .disableKeyCaching()
                .buildClient();
    }

    AzureProfile profile() {
        return new AzureProfile(emulator.tenantId(), emulator.subscriptionId(), AzureEnvironment.AZURE);
    }

    ResourceManager resources(TokenCredential credential) {
        return ResourceManager.configure()
                .withHttpClient(http)
                .withRetryOptions(FAST_RETRY)
                .authenticate(credential, profile())
                .withSubscription(emulator.subscriptionId());
    }

    KeyVaultManager vaults(TokenCredential credential) {
        return KeyVaultManager.configure()
                .withHttpClient(http)
                .withRetryOptions(FAST_RETRY)
                .authenticate(credential, profile());
    }

    AuthorizationManager authorization(TokenCredential credential) {
        return AuthorizationManager.configure()
                .withHttpClient(http)
                .withRetryOptions(FAST_RETRY)
                .authenticate(credential, profile());
    }
}
