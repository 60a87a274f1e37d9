package dev.cmek.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cmek.azure.emulator.AzureEmulator;
import dev.cmek.azure.emulator.EmulatorViews;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArchiveTrainingTest {
    private static List<String> listed() throws Exception {
        try (InputStream in = ArchiveTraining.class.getResourceAsStream(ArchiveTraining.AZURE_REVOKE_CLASSES)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8)
                    .lines()
                    .filter(l -> !l.isBlank())
                    .toList();
        }
    }

    @Test
    void azureRevokeClasses_areThoseOfAnAzureRevoke_andAllStillExist() throws Exception {
        List<String> names = listed();
        // What only an Azure revoke loads: the credential chain, MSAL, the JDK's HTTP client, our revocation.
        for (String used : List.of(
                "com.azure.identity.DefaultAzureCredential",
                "com.microsoft.aad.msal4j.ConfidentialClientApplication",
                "jdk.internal.net.http.HttpClientImpl",
                "sun.security.ssl.ClientHello",
                "dev.cmek.azure.Revocation",
                "dev.cmek.azure.SignInRevocation",
                "dev.cmek.azure.AssignmentRevocation")) {
            assertTrue(names.contains(used), used + " is not in " + ArchiveTraining.AZURE_REVOKE_CLASSES);
        }
        // A library upgrade that renames or drops classes leaves the list naming what no longer exists: run
        // `scripts/bench-azure-cli class-list` again.
        List<String> missing = new ArrayList<>();
        for (String name : names) {
            try {
                Class.forName(name, false, ArchiveTraining.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                missing.add(name);
            }
        }
        assertEquals(List.of(), missing, "listed but not found; run scripts/bench-azure-cli class-list");
        assertEquals(names.size(), ArchiveTraining.preload(ArchiveTraining.AZURE_REVOKE_CLASSES));
    }

    @Test
    void azureRevoke_runsThroughTheWholeBreachPath_againstAnEmulatorWithSmallKeys(@TempDir Path dir) {
        try (AzureEmulator azure = AzureEmulator.start(0, 1024)) {
            assertEquals(
                    1024,
                    ((java.security.interfaces.RSAPublicKey)
                                    azure.serverCertificate().getPublicKey())
                            .getModulus()
                            .bitLength());
            assertEquals(0, ArchiveTraining.azureRevoke(azure, dir));
            // What the archive is trained on: tokens, Key Vault's challenge (provisioning up to the refused keys),
            // ARM's vault and role assignment listings, and Graph's lookup and write of the cluster app's sign-in;
            // MSAL's instance discovery too, in the training's own JVM (in this fork an earlier test may have made it).
            List<String> operations = azure.requestLog().stream()
                    .map(EmulatorViews.Call::operation)
                    .distinct()
                    .toList();
            for (String op : List.of(
                    "entra.token",
                    "keyvault.keys.create",
                    "arm.vaults.listByResourceGroup",
                    "arm.roleAssignments.list",
                    "graph.servicePrincipals.get",
                    "graph.servicePrincipals.patch")) {
                assertTrue(operations.contains(op), op + " not in " + operations);
            }
            List<EmulatorViews.ServicePrincipal> inCustomerTenant = azure.servicePrincipals().stream()
                    .filter(sp -> sp.tenantId().equals(azure.tenantId()))
                    .filter(sp -> sp.displayName().equals("CockroachDB Cloud - " + ArchiveTraining.CLUSTER))
                    .toList();
            assertEquals(1, inCustomerTenant.size(), inCustomerTenant.toString());
            assertFalse(inCustomerTenant.get(0).accountEnabled(), "the cluster app's sign-in is still enabled");
        }
    }
}
