package dev.cmek.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

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
}
