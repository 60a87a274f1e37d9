package dev.cmek.gcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.google.iam.admin.v1.GetServiceAccountRequest;
import com.google.iam.v1.Policy;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RevokeRestoreTest extends EmulatorBacked {
    private final ObjectMapper json = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    @Test
    void revokeThenRestore_givesBackTheSamePolicies() throws Exception {
        GcpCmekRequest req = request("us-east1", "us-west1").build();
        ProvisionResult r = cmek.provision(req);
        addToKeyPolicy(r.keyOf("us-east1"), "roles/cloudkms.viewer", "user:auditor@example.com");
        Map<String, Policy> before = new HashMap<>();
        for (String region : req.regions()) {
            before.put(region, keyPolicy(r.keyOf(region)));
        }
        Policy saBefore = saPolicy(r.serviceAccount());
        String member = req.cockroachMember().value();

        RevocationRecord record = cmek.revoke(req, true);

        assertTrue(record.serviceAccountDisabled());
        assertEquals(3, record.policies().size());
        assertTrue(record.policies().stream().allMatch(p -> p.removed().size() == 1), record.toString());
        for (String region : req.regions()) {
            Policy now = keyPolicy(r.keyOf(region));
            assertFalse(PolicyBindings.membersWith(now, Grant.ENCRYPTER_DECRYPTER)
                    .contains("serviceAccount:" + r.serviceAccount()));
            assertFalse(emulator.canImpersonateAndUse(
                    member, r.serviceAccount().value(), r.keyOf(region).toString()));
        }
        assertTrue(PolicyBindings.membersWith(keyPolicy(r.keyOf("us-east1")), "roles/cloudkms.viewer")
                .contains("user:auditor@example.com"));
        assertFalse(PolicyBindings.has(
                saPolicy(r.serviceAccount()), new Grant(Grant.TOKEN_CREATOR, req.cockroachMember())));
        assertTrue(serviceAccountDisabled(r.serviceAccount()));
        assertFalse(cmek.verify(req).ok());

        // The record survives a trip through JSON, as a responder would store it.
        String text = json.writeValueAsString(record);
        RevocationRecord read = json.readValue(text, RevocationRecord.class);
        assertEquals(record, read);

        RestoreResult restored = cmek.restore(read);
        assertTrue(restored.differFromBefore().isEmpty(), restored.toString());
        for (String region : req.regions()) {
            assertTrue(PolicyBindings.sameBindings(before.get(region), keyPolicy(r.keyOf(region))), region);
        }
        assertTrue(PolicyBindings.sameBindings(saBefore, saPolicy(r.serviceAccount())));
        assertFalse(serviceAccountDisabled(r.serviceAccount()));
        VerifyReport v = cmek.verify(req);
        assertTrue(v.serviceAccountFindings().isEmpty(), v.toString());
        assertTrue(v.regions().get(1).ok(), v.toString());
        assertFalse(v.regions().get(0).findings().isEmpty(), "the auditor we added is flagged: " + v);
        assertTrue(
                v.regions().get(0).findings().stream().allMatch(f -> f.contains("auditor")),
                "only the auditor we added is flagged: " + v);
        assertTrue(usableSoon(member, r.serviceAccount(), r.keyOf("us-west1")));
        assertEquals(2, emulator.cryptoKeyCount(), "keys are never touched");
        for (String method : emulator.callCounts().keySet()) {
            assertFalse(
                    method.matches(".*/(Destroy|Delete|UpdateCryptoKeyVersion|UpdateCryptoKey$).*"),
                    "destructive call made: " + method);
        }
    }

    @Test
    void revoke_whenAlreadyRevoked_removesNothing_andRestoreOfThatRecordChangesNothing() {
        GcpCmekRequest req = request("us-east1").build();
        cmek.provision(req);
        cmek.revoke(req, false);
        RevocationRecord second = cmek.revoke(req, false);
        assertTrue(second.policies().stream().allMatch(p -> p.removed().isEmpty()));
        assertFalse(second.serviceAccountDisabled());
        RestoreResult r = cmek.restore(second);
        assertTrue(r.changes().isEmpty());
        assertFalse(cmek.verify(req).ok(), "restoring an empty record grants nothing");
    }

    @Test
    void revoke_withoutDisabling_leavesAccountEnabled() {
        GcpCmekRequest req = request("us-east1").build();
        ProvisionResult p = cmek.provision(req);
        RevocationRecord rec = cmek.revoke(req, false);
        assertFalse(serviceAccountDisabled(p.serviceAccount()));
        cmek.restore(rec);
        assertTrue(cmek.verify(req).ok());
    }

    private boolean serviceAccountDisabled(ServiceAccountEmail sa) {
        return clients.iam()
                .getServiceAccount(GetServiceAccountRequest.newBuilder()
                        .setName(sa.resourceName())
                        .build())
                .getDisabled();
    }
}
