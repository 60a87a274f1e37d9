package dev.cmek.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cmek.core.Change;
import dev.cmek.core.Fate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.regions.Region;

/** Create, revoke (with the session deny), restore: run on moto and on LocalStack. */
final class CreateRevokeRestoreScenario {
    private CreateRevokeRestoreScenario() {}

    static void run(AwsClients clients, AwsCmekRequest request) throws Exception {
        try (AwsCmek cmek = new AwsCmek(clients)) {
            ProvisionResult created = cmek.provision(request);
            assertEquals(request.regions().size(), created.keys().size());
            assertTrue(cmek.verify(request).ok(), () -> cmek.verify(request).toString());

            PolicyDocument trustBefore = trust(clients, request);
            Map<String, PolicyDocument> policiesBefore = policies(clients, created);

            RevocationRecord record = cmek.revoke(RevocationRequest.of(request, true));
            assertEquals(
                    request.regions().size(),
                    record.intents().stream()
                            .filter(i -> i.document() == RevocationRecord.Document.KEY_POLICY)
                            .count());
            assertNotNull(record.intents().stream()
                    .filter(i -> i.document() == RevocationRecord.Document.TRUST)
                    .findFirst()
                    .orElse(null));
            assertTrue(record.outcomes().stream().noneMatch(t -> t.fate() == Fate.LEFT), record.outcomes()::toString);
            assertEquals(
                    record.intents().size(),
                    record.outcomes().stream()
                            .filter(t -> t.fate() == Fate.REMOVED)
                            .count(),
                    record.outcomes()::toString);
            // KMS reads may be stale for a moment after a write (the strict stand-in does it): look until they agree.
            VerifyReport revoked = eventually(
                    () -> cmek.verify(request),
                    v -> v.regions().values().stream().noneMatch(VerifyReport.RegionControls::ok));
            assertFalse(revoked.roleOk());
            revoked.regions().values().forEach(r -> assertFalse(r.ok()));
            eventually(
                            () -> policies(clients, created),
                            ps -> ps.values().stream()
                                    .allMatch(p -> p.statement(request.names().grantSid())
                                            .isEmpty()))
                    .values()
                    .forEach(p ->
                            assertTrue(p.statement(request.names().grantSid()).isEmpty(), p::json));
            assertTrue(PolicyDocument.parse(clients.iam()
                            .getRolePolicy(b -> b.roleName(request.names().roleName())
                                    .policyName(ResourceNames.REVOKE_SESSIONS_POLICY))
                            .policyDocument())
                    .json()
                    .contains("aws:TokenIssueTime"));

            // The intents go to disk with the incident and come back from there.
            List<RevocationRecord.Intent> fromDisk = record.intents().stream()
                    .map(i -> RevocationRecord.Intent.fromJson(i.toJson()))
                    .toList();
            assertEquals(record.intents(), fromDisk);
            RevocationRecord reread = new RevocationRecord(
                    record.clusterId(),
                    record.startedAt(),
                    record.revokedBy(),
                    fromDisk,
                    record.outcomes(),
                    record.notes());

            RestoreResult restored = cmek.restore(RestoreRequest.of(reread, request));
            assertTrue(restored.couldNot().isEmpty(), restored::toString);
            assertTrue(
                    restored.changes().stream().allMatch(c -> c.action() == Change.Action.UPDATED), restored::toString);
            assertTrue(trust(clients, request).sameAs(trustBefore));
            assertEquals(policiesBefore, policies(clients, created));
            assertTrue(clients.iam()
                    .listRolePolicies(b -> b.roleName(request.names().roleName()))
                    .policyNames()
                    .isEmpty());
            assertTrue(cmek.verify(request).ok());
            assertTrue(cmek.restore(RestoreRequest.of(reread, request)).changes().stream()
                    .allMatch(c -> c.action() == Change.Action.UNCHANGED));
        }
    }

    /** The first read that satisfies {@code done} within 5 s, else the last one (the caller's assertions say why). */
    static <T> T eventually(java.util.function.Supplier<T> read, java.util.function.Predicate<T> done) {
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(5).toNanos();
        T value = read.get();
        while (!done.test(value) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            value = read.get();
        }
        return value;
    }

    static PolicyDocument trust(AwsClients clients, AwsCmekRequest request) {
        return PolicyDocument.parse(clients.iam()
                .getRole(b -> b.roleName(request.names().roleName()))
                .role()
                .assumeRolePolicyDocument());
    }

    static Map<String, PolicyDocument> policies(AwsClients clients, ProvisionResult result) {
        Map<String, PolicyDocument> out = new LinkedHashMap<>();
        result.keys()
                .forEach((region, key) -> out.put(
                        region,
                        PolicyDocument.parse(clients.kms(Region.of(region))
                                .getKeyPolicy(b -> b.keyId(key.keyId()).policyName("default"))
                                .policy())));
        return out;
    }
}
