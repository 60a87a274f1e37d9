package dev.cmek.azure.emulator;

import com.azure.core.credential.TokenCredential;
import com.azure.core.management.Region;
import com.azure.resourcemanager.keyvault.models.SkuName;
import com.azure.resourcemanager.keyvault.models.Vault;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/** One emulator per test class, reset before each test, windows off unless a test turns them on. */
abstract class EmulatorTest {
    static AzureEmulator emulator;
    static SdkClients sdk;
    static RawHttp raw;
    static TokenCredential admin;
    private static final AtomicInteger VAULTS = new AtomicInteger();

    @BeforeAll
    static void startEmulator() {
        emulator = AzureEmulator.start(0);
        sdk = new SdkClients(emulator);
        raw = new RawHttp(emulator);
        admin = sdk.admin();
    }

    @AfterAll
    static void stopEmulator() {
        emulator.close();
    }

    @BeforeEach
    void resetEmulator() {
        emulator.reset().propagation(Duration.ZERO).latency(Duration.ZERO);
    }

    static String armBase() {
        return "https://management.azure.com/subscriptions/" + emulator.subscriptionId();
    }

    /** A unique vault name: vault names are global, and the Key Vault SDK caches challenges per vault host. */
    static String vaultName(String prefix) {
        return prefix + "-" + ProcessHandle.current().pid() % 10000 + "-" + VAULTS.incrementAndGet();
    }

    static Vault createVault(String name, boolean premium, boolean purgeProtection) {
        if (sdk.resources(admin).resourceGroups().contain("rg-cmek") == false) {
            sdk.resources(admin)
                    .resourceGroups()
                    .define("rg-cmek")
                    .withRegion(Region.US_EAST)
                    .create();
        }
        var def = sdk.vaults(admin)
                .vaults()
                .define(name)
                .withRegion(Region.US_EAST)
                .withExistingResourceGroup("rg-cmek")
                .withRoleBasedAccessControl()
                .withSku(premium ? SkuName.PREMIUM : SkuName.STANDARD);
        return purgeProtection ? def.withPurgeProtectionEnabled().create() : def.create();
    }
}
