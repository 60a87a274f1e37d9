package dev.cmek.gcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.cloud.kms.v1.CryptoKeyName;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class NamesTest {
    private static final String CLUSTER = "9e1a3c0b-9ebd-43d9-8f42-589c9e6fc081";

    /** A request for the test cluster in project cust-proj, for CockroachDB account crdb-acct-1, in {@code regions}. */
    private static GcpCmekRequest.Builder request(List<String> regions) {
        return GcpCmekRequest.builder()
                .customerProject("cust-proj")
                .clusterId(CLUSTER)
                .cockroachAccountId("crdb-acct-1")
                .regions(regions);
    }

    @Test
    void serviceAccountId_isWithinGcpRule_andDerivedFromLast12() {
        String id = CmekNames.serviceAccountId(ClusterId.of(CLUSTER));
        assertEquals("crdb-cmek-589c9e6fc081", id);
        assertTrue(id.length() >= 6 && id.length() <= 30);
        assertTrue(id.matches("[a-z][a-z0-9-]*[a-z0-9]"));
    }

    @Test
    void serviceAccountId_whenClusterIdStartsOrEndsWithDigits_isStillValid() {
        String id = CmekNames.serviceAccountId(ClusterId.of("00000000-0000-0000-0000-000000000000"));
        assertTrue(id.matches("[a-z][a-z0-9-]{4,28}[a-z0-9]"), id);
    }

    @Test
    void cockroachIdentity_followsDocumentedForm() {
        Member m = Member.cockroachIdentity(ClusterId.of(CLUSTER), "docs-rule-123");
        assertEquals("serviceAccount:crl-kms-user-589c9e6fc081@docs-rule-123.iam.gserviceaccount.com", m.value());
    }

    @Test
    void clusterId_rejectsNonUuid_andLowercases() {
        assertThrows(InvalidInputException.class, () -> ClusterId.of("not-a-uuid"));
        assertEquals(CLUSTER, ClusterId.of(CLUSTER.toUpperCase()).value());
    }

    @Test
    void serviceAccountEmail_parsesParts_andRejectsOthers() {
        ServiceAccountEmail e = new ServiceAccountEmail("crdb-cmek-589c9e6fc081@cust-proj.iam.gserviceaccount.com");
        assertEquals("crdb-cmek-589c9e6fc081", e.accountId());
        assertEquals("cust-proj", e.project());
        assertEquals("projects/cust-proj/serviceAccounts/" + e.value(), e.resourceName());
        assertThrows(InvalidInputException.class, () -> new ServiceAccountEmail("x@gmail.com"));
        assertThrows(InvalidInputException.class, () -> Member.of("alice@example.com"));
    }

    @Test
    void keyIds_generationSuffix_neverReusesName() {
        assertEquals("crdb-cmek", CmekNames.cryptoKeyId("crdb-cmek", 1));
        assertEquals("crdb-cmek-g2", CmekNames.cryptoKeyId("crdb-cmek", 2));
        assertThrows(InvalidInputException.class, () -> CmekNames.cryptoKeyId("crdb-cmek", 0));
    }

    @Test
    void request_defaultsLocationToRegion_sharedLocationGivesOneKey_existingKeyWins() {
        CryptoKeyName brought = CryptoKeyName.of("cust-proj", "europe-west1", "theirs", "k");
        GcpCmekRequest r = request(List.of("us-east1", "us-west1", "europe-west1"))
                .existingKey("europe-west1", brought)
                .build();
        assertEquals(
                "projects/cust-proj/locations/us-east1/keyRings/crdb-cmek-" + CLUSTER + "/cryptoKeys/crdb-cmek",
                r.keyNameOf("us-east1", 1).toString());
        assertEquals(brought, r.keyNameOf("europe-west1", 1));
        assertFalse(r.keyNameOf("europe-west1", 2).equals(brought));
        GcpCmekRequest shared = request(List.of("us-east1", "us-west1"))
                .sharedLocation("global")
                .build();
        assertEquals(shared.keyNameOf("us-east1", 1), shared.keyNameOf("us-west1", 1));
        assertEquals("global", shared.keyNameOf("us-west1", 1).getLocation());
    }

    @Test
    void request_rejectsUnknownRegionsAndDuplicates() {
        assertThrows(
                InvalidInputException.class, () -> request(List.of("a1", "a1")).build());
        assertThrows(
                InvalidInputException.class,
                () -> request(List.of("a1")).keyLocation("b2", "global").build());
        assertThrows(
                InvalidInputException.class,
                () -> request(List.of("a1")).customerProject("Bad_Project").build());
        assertThrows(
                InvalidInputException.class,
                () -> request(List.of("us-east1")).sharedLocation("projects/x").build());
    }

    @Test
    void clients_explicitEndpointWins_thenEnvironment_thenAdc() {
        Map<String, String> env =
                Map.of(GcpClients.KMS_EMULATOR_ENV, "127.0.0.1:9001", GcpClients.IAM_EMULATOR_ENV, "127.0.0.1:9002");
        try (GcpClients c = GcpClients.resolve(Optional.of("127.0.0.1:7000"), Optional.empty(), env)) {
            assertEquals("127.0.0.1:7000 (plaintext)", c.kmsTargetDescription());
            assertEquals("127.0.0.1:9002 (plaintext)", c.iamTargetDescription());
        }
        try (GcpClients c = GcpClients.resolve(Optional.empty(), Optional.empty(), Map.of())) {
            assertEquals("google (ADC)", c.kmsTargetDescription());
        }
        assertThrows(
                InvalidInputException.class,
                () -> GcpClients.resolve(
                        Optional.empty(),
                        Optional.empty(),
                        Map.of(GcpClients.KMS_EMULATOR_ENV, "http://127.0.0.1:9001")));
    }
}
