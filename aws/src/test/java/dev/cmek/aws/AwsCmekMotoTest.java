package dev.cmek.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cmek.aws.testing.FaultInjectingClients;
import dev.cmek.aws.testing.MotoServer;
import dev.cmek.aws.testing.StrictAws;
import dev.cmek.core.Change;
import dev.cmek.core.Fate;
import dev.cmek.core.Outcome;
import dev.cmek.core.RevocationJournal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.iam.model.Tag;
import software.amazon.awssdk.services.kms.model.MalformedPolicyDocumentException;

class AwsCmekMotoTest extends MotoClusterTest {
    @RegisterExtension
    static MotoServer moto = MotoServer.create();

    static final ClusterId CLUSTER = ClusterId.of("3f1c2b9e-1a2b-4c3d-8e9f-0123456789ab");
    static final List<Region> REGIONS = List.of(Region.US_EAST_1, Region.EU_WEST_1, Region.AP_SOUTHEAST_2);
    static final ResourceNames NAMES = new ResourceNames(CLUSTER);

    @Override
    MotoServer moto() {
        return moto;
    }

    static AwsCmekRequest request() {
        return request(CLUSTER, REGIONS);
    }

    Inventory inventory() {
        return Inventory.of(raw, CLUSTER, REGIONS);
    }

    @Test
    void provision_fromNothing_createsRoleKeysAliasesAndGrants() {
        ProvisionResult result = cmek.provision(request());

        assertEquals(RoleArn.of("aws", MotoServer.ACCOUNT, "crdb-cmek-3f1c2b9e-0123456789ab"), result.role());
        assertEquals(3, result.keys().size());
        result.keys().forEach((region, arn) -> assertEquals(region, arn.region().id()));
        assertEquals(Inventory.converged(REGIONS), inventory());
        var role = raw.iam().getRole(b -> b.roleName(NAMES.roleName())).role();
        assertTrue(PolicyDocument.parse(role.assumeRolePolicyDocument())
                .sameAs(request().trustPolicy("aws").document()));
        assertTrue(raw.iam()
                .listRolePolicies(b -> b.roleName(NAMES.roleName()))
                .policyNames()
                .isEmpty());
        assertTrue(raw.iam()
                .listAttachedRolePolicies(b -> b.roleName(NAMES.roleName()))
                .attachedPolicies()
                .isEmpty());
        var meta = raw.kms(Region.EU_WEST_1)
                .describeKey(b -> b.keyId(NAMES.alias(1)))
                .keyMetadata();
        assertEquals("SYMMETRIC_DEFAULT", meta.keySpecAsString());
        assertEquals("ENCRYPT_DECRYPT", meta.keyUsageAsString());
        assertEquals("AWS_KMS", meta.originAsString());
        VerifyReport report = cmek.verify(request());
        assertTrue(report.ok(), report.toString());
    }

    @Test
    void plan_fromNothing_reportsCreationsAndChangesNothing() {
        ProvisionResult plan = cmek.plan(request());

        assertFalse(plan.applied());
        assertEquals(RoleArn.of("aws", MotoServer.ACCOUNT, NAMES.roleName()), plan.role());
        assertTrue(plan.keys().isEmpty());
        assertEquals(
                1 + 3 * REGIONS.size(), // role; per region the key, its grant and its automatic rotation
                plan.changes().stream()
                        .filter(c -> c.action() == Change.Action.WOULD_CREATE)
                        .count());
        assertEquals(new Inventory(0, zero(), zero(), zero()), inventory());
    }

    @Test
    void provision_twice_secondRunCreatesNothing() {
        ProvisionResult first = cmek.provision(request());
        Inventory afterFirst = inventory();

        ProvisionResult second = cmek.provision(request());

        assertTrue(second.noop(), second.changes().toString());
        assertEquals(first.keys(), second.keys());
        assertEquals(afterFirst, inventory());
        assertTrue(cmek.plan(request()).noop());
    }

    @Test
    void provision_existingKeyWithForeignPolicy_keepsOtherStatementsAndTouchesNothingElse() {
        Region r = Region.US_EAST_1;
        String foreign = """
                {"Version":"2012-10-17","Id":"customer-policy","Statement":[
                 {"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"},
                 {"Sid":"OtherApp","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/other-app"},"Action":["kms:Decrypt"],"Resource":"*"}]}""";
        var kms = raw.kms(r);
        KeyArn key = KeyArn.of(kms.createKey(b -> b.policy(foreign)
                        .tags(software.amazon.awssdk.services.kms.model.Tag.builder()
                                .tagKey("team")
                                .tagValue("x")
                                .build()))
                .keyMetadata()
                .arn());
        kms.enableKeyRotation(b -> b.keyId(key.keyId())); // the customer's key passes AWS Security Hub KMS.4
        AwsCmekRequest req = AwsCmekRequest.of(CLUSTER, CRDB, ORG, List.of(r))
                .withPlacement(KeyPlacement.existing(Map.of(r.id(), key)));

        ProvisionResult result = cmek.provision(req);

        assertEquals(Map.of(r.id(), key), result.keys());
        PolicyDocument after =
                PolicyDocument.parse(kms.getKeyPolicy(b -> b.keyId(key.keyId()).policyName("default"))
                        .policy());
        PolicyDocument expected = PolicyDocument.parse(foreign)
                .withStatement(new KeyPolicyGrant(NAMES.grantSid(), result.role()).statement());
        assertTrue(after.sameAs(expected), after::json);
        assertEquals("customer-policy", after.json().contains("customer-policy") ? "customer-policy" : "lost Id");
        assertEquals(1, kms.listKeys().keys().size());
        assertTrue(kms.listAliases().aliases().stream()
                .noneMatch(a -> a.aliasName().startsWith(NAMES.aliasPrefix())));
        assertEquals(1, kms.listResourceTags(b -> b.keyId(key.keyId())).tags().size());
        assertTrue(cmek.verify(req).ok(), () -> cmek.verify(req).toString());
        assertTrue(cmek.provision(req).noop());
    }

    /** Someone else's role under our role's name (an EC2 trust, their own tag); answers its trust policy. */
    private String createForeignRoleOfOurName() {
        String otherTrust = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                + "\"Principal\":{\"Service\":\"ec2.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}";
        raw.iam()
                .createRole(b -> b.roleName(NAMES.roleName())
                        .assumeRolePolicyDocument(otherTrust)
                        .tags(Tag.builder().key("owner").value("someone-else").build()));
        return otherTrust;
    }

    @Test
    void provision_foreignRoleOfOurName_isRefusedAndNothingIsCreated() {
        String otherTrust = createForeignRoleOfOurName();

        NotOursException e = assertThrows(NotOursException.class, () -> cmek.provision(request()));

        assertEquals(NAMES.roleName(), e.resource());
        assertEquals(AwsResource.ROLE, e.type());
        assertEquals(new Inventory(1, zero(), zero(), zero()), inventory());
        assertTrue(PolicyDocument.parse(raw.iam()
                        .getRole(b -> b.roleName(NAMES.roleName()))
                        .role()
                        .assumeRolePolicyDocument())
                .sameAs(PolicyDocument.parse(otherTrust)));
        assertTrue(cmek.plan(request()).changes().stream()
                .anyMatch(c -> c.action() == Change.Action.BLOCKED && c.type() == AwsResource.ROLE));
        assertFalse(cmek.verify(request()).roleOk());
    }

    /**
     * A fresh provision creates the role without waiting for the read of it beside (one round trip on the critical
     * path instead of two): with GetRole answering late, CreateRole is already answered before it.
     */
    @Test
    void provision_fromNothing_createsTheRoleWithoutWaitingForItsRead() {
        moto.strict().slow("GetRole", Duration.ofMillis(1500)).record();

        ProvisionResult result = cmek.provision(request());

        var roleChange = result.changes().stream()
                .filter(c -> c.type() == AwsResource.ROLE)
                .findFirst()
                .orElseThrow();
        assertEquals(Change.Action.CREATED, roleChange.action(), roleChange::toString);
        var timeline = moto.strict().timeline().stream()
                .filter(e -> e.where().equals("iam"))
                .toList();
        var getRole = timeline.stream()
                .filter(e -> e.operation().equals("GetRole"))
                .findFirst()
                .orElseThrow();
        var createRole = timeline.stream()
                .filter(e -> e.operation().equals("CreateRole"))
                .findFirst()
                .orElseThrow();
        assertTrue(createRole.answered() < getRole.answered(), "CreateRole did not wait for GetRole: " + timeline);
        assertEquals(1, moto.strict().calls("CreateRole"));
        assertEquals(Inventory.converged(REGIONS), inventory());
        assertTrue(cmek.verify(request()).ok());
    }

    /** Our role exists: the CreateRole sent before the read answered is refused, changes nothing, and the read decides. */
    @Test
    void provision_again_withTheReadAnsweringLate_changesNothing() {
        cmek.provision(request());
        Inventory before = inventory();
        moto.strict().resetCounts();
        moto.strict().slow("GetRole", Duration.ofMillis(1000));

        ProvisionResult again = cmek.provision(request());

        assertTrue(again.noop(), again.changes().toString());
        assertEquals(before, inventory());
        assertEquals(1, moto.strict().calls("CreateRole"), "the one CreateRole sent early was refused");
    }

    /** A foreign role of our name, found only after CreateRole was refused, is still refused and left as it was. */
    @Test
    void provision_foreignRoleOfOurName_withTheReadAnsweringLate_isStillRefused() {
        String otherTrust = createForeignRoleOfOurName();
        moto.strict().slow("GetRole", Duration.ofMillis(1000));

        NotOursException e = assertThrows(NotOursException.class, () -> cmek.provision(request()));

        assertEquals(AwsResource.ROLE, e.type());
        assertEquals(new Inventory(1, zero(), zero(), zero()), inventory());
        var role = raw.iam().getRole(b -> b.roleName(NAMES.roleName())).role();
        assertTrue(PolicyDocument.parse(role.assumeRolePolicyDocument()).sameAs(PolicyDocument.parse(otherTrust)));
        assertEquals(List.of(Tag.builder().key("owner").value("someone-else").build()), role.tags());
    }

    /**
     * Credentials that may not create roles, with our role already made by someone who may: the refused CreateRole
     * is not the end, the read finds the role and the provision goes on. With no role, the refusal is the answer.
     */
    @Test
    void provision_withoutCreateRole_usesTheRoleThatExists_andNamesTheRefusalWhenThereIsNone() {
        moto.strict().slow("GetRole", Duration.ofMillis(1000)).denyAccess("CreateRole", null, null);
        CallFailedException refused = assertThrows(CallFailedException.class, () -> cmek.provision(request()));
        assertEquals(CallFailedException.Failure.PERMISSION_DENIED, refused.failure(), refused::getMessage);
        assertTrue(refused.getMessage().contains("iam:CreateRole"), refused.getMessage());
        assertEquals(0, inventory().roles());

        moto.strict().reset();
        cmek.provision(request());
        Inventory made = inventory();
        moto.strict().slow("GetRole", Duration.ofMillis(1000)).denyAccess("CreateRole", null, null);

        ProvisionResult again = cmek.provision(request());

        assertTrue(again.noop(), again.changes().toString());
        assertEquals(made, inventory());
    }

    @Test
    void provision_aliasOnForeignKey_isRefused() {
        var kms = raw.kms(Region.EU_WEST_1);
        String id = kms.createKey(b -> b.description("not ours")).keyMetadata().keyId();
        kms.createAlias(b -> b.aliasName(NAMES.alias(1)).targetKeyId(id));

        NotOursException e = assertThrows(NotOursException.class, () -> cmek.provision(request()));

        assertEquals("eu-west-1", e.region());
        assertEquals(1, inventory().keys().get("eu-west-1"));
    }

    @Test
    void revoke_thenRestore_givesBackTheSameDocuments() throws Exception {
        CreateRevokeRestoreScenario.run(clients, request());
    }

    @Test
    void revoke_killedAfterEachWrite_canBeRestoredFromTheIntentsKeptBeforeWriting() {
        for (String write : List.of("updateAssumeRolePolicy", "putKeyPolicy", "putRolePolicy")) {
            reset();
            ProvisionResult created = cmek.provision(request());
            PolicyDocument trustBefore = CreateRevokeRestoreScenario.trust(raw, request());
            Map<String, PolicyDocument> policiesBefore = CreateRevokeRestoreScenario.policies(raw, created);
            List<RevocationRecord.Intent> journal = new java.util.concurrent.CopyOnWriteArrayList<>();
            FaultInjectingClients faulty = new FaultInjectingClients(clients).crashAfter(write, 1);
            try (AwsCmek crashing = new AwsCmek(faulty)) {
                assertThrows(
                        FaultInjectingClients.SimulatedCrash.class,
                        () -> crashing.revoke(RevocationRequest.of(request(), true), keeping(journal)),
                        write);
            }
            assertFalse(journal.isEmpty(), write);
            assertFalse(
                    CreateRevokeRestoreScenario.eventually(() -> cmek.verify(request()), v -> !v.ok())
                            .ok(),
                    "something is revoked after " + write);

            RestoreResult restored = cmek.restore(new RestoreRequest(
                    CLUSTER,
                    java.util.Optional.of(CRDB),
                    java.util.Optional.of(ORG),
                    java.util.Optional.empty(),
                    journal.stream()
                            .map(i -> RevocationRecord.Intent.fromJson(i.toJson()))
                            .toList(),
                    Duration.ofSeconds(10)));

            assertTrue(restored.couldNot().isEmpty(), restored::toString);
            assertTrue(CreateRevokeRestoreScenario.trust(raw, request()).sameAs(trustBefore), write);
            assertEquals(policiesBefore, CreateRevokeRestoreScenario.policies(raw, created), write);
            assertTrue(cmek.verify(request()).ok(), () -> cmek.verify(request()).toString());
        }
    }

    static RevocationJournal<RevocationRecord.Intent> keeping(List<RevocationRecord.Intent> intents) {
        return new RevocationJournal<>() {
            @Override
            public void intent(RevocationRecord.Intent intent) {
                intents.add(intent);
            }

            @Override
            public void outcome(Outcome target) {}
        };
    }

    @Test
    void noPath_makesADestructiveCall() throws Exception {
        List<String> destructive = List.of(
                "scheduleKeyDeletion",
                "disableKey",
                "deleteRole",
                "deleteAlias",
                "updateAlias",
                "untagResource",
                "untagRole",
                "disableKeyRotation",
                "deleteImportedKeyMaterial",
                "deleteCustomKeyStore",
                "retireGrant",
                "revokeGrant",
                "detachRolePolicy",
                "deleteRolePermissionsBoundary");
        FaultInjectingClients guarded = new FaultInjectingClients(clients);
        destructive.forEach(
                m -> guarded.failFirst(m, Integer.MAX_VALUE, () -> new IllegalStateException("destructive call " + m)));
        CreateRevokeRestoreScenario.run(guarded, request());
        moto.reset();
        CreateRevokeRestoreScenario.run(guarded, request().withPlacement(KeyPlacement.multiRegion()));
        try (AwsCmek c = new AwsCmek(guarded)) {
            AwsCmekRequest multi = request().withPlacement(KeyPlacement.multiRegion());
            c.provision(multi.withGeneration(2));
            c.plan(multi);
            c.verify(multi);
        }
        destructive.forEach(m -> assertEquals(0, guarded.calls(m), m));
        // The only delete: restore removes the session-deny inline policy that revoke itself added.
        assertEquals(2, guarded.calls("deleteRolePolicy"));
    }

    @Test
    void revoke_whenAlreadyRevoked_intendsNothingAndClaimsNothing() {
        cmek.provision(request());
        cmek.revoke(RevocationRequest.of(request(), false));

        RevocationRecord again = cmek.revoke(RevocationRequest.of(request(), false));

        assertTrue(again.intents().isEmpty(), again.intents()::toString);
        assertTrue(
                again.outcomes().stream().allMatch(t -> t.fate() == Fate.ALREADY_ABSENT), again.outcomes()::toString);
    }

    @Test
    void multiRegionKey_replicasShareTheKeyAndAreRevokedAndRestoredToo() throws Exception {
        AwsCmekRequest req = request().withPlacement(KeyPlacement.multiRegion());
        ProvisionResult result = cmek.provision(req);

        String keyId = result.keys().get("us-east-1").keyId();
        assertTrue(keyId.startsWith("mrk-"));
        result.keys().values().forEach(k -> assertEquals(keyId, k.keyId()));
        assertEquals(Inventory.converged(REGIONS), inventory());
        assertTrue(
                cmek.provision(req).noop(), () -> cmek.provision(req).changes().toString());
        reset();
        CreateRevokeRestoreScenario.run(clients, req);
    }

    @Test
    void driftedTrust_isReportedAndRepairedOnlyWhenAsked() {
        cmek.provision(request());
        String wrong = new TrustPolicy(CRDB, ExternalId.of("someone-elses-org"), "aws")
                .document()
                .json();
        raw.iam().updateAssumeRolePolicy(b -> b.roleName(NAMES.roleName()).policyDocument(wrong));

        ProvisionResult reported = cmek.provision(request());
        assertTrue(
                reported.changes().stream()
                        .anyMatch(c -> c.action() == Change.Action.DRIFTED
                                && c.detail().contains("someone-elses-org")),
                reported.changes()::toString);
        assertFalse(cmek.verify(request()).roleOk());

        ProvisionResult repaired = cmek.provision(request().withRepairDrift(true));
        assertTrue(repaired.changes().stream()
                .anyMatch(c -> c.action() == Change.Action.UPDATED && c.type() == AwsResource.ROLE));
        assertTrue(cmek.verify(request()).ok());
    }

    @Test
    void verify_broaderGrantOrWildcard_isReported() {
        ProvisionResult result = cmek.provision(request());
        KeyArn key = result.keys().get("us-east-1");
        var kms = raw.kms(Region.US_EAST_1);
        PolicyDocument p =
                PolicyDocument.parse(kms.getKeyPolicy(b -> b.keyId(key.keyId()).policyName("default"))
                        .policy());
        var broad = new KeyPolicyGrant("Broad", result.role()).statement();
        broad.put("Action", "kms:*");
        var wildcard = new KeyPolicyGrant("Anyone", result.role()).statement();
        wildcard.putObject("Principal").put("AWS", "*");
        String changed = p.withStatement(broad).withStatement(wildcard).json();
        kms.putKeyPolicy(b -> b.keyId(key.keyId()).policyName("default").policy(changed));

        VerifyReport report = cmek.verify(request());

        List<String> findings = report.regions().get("us-east-1").findings();
        assertTrue(findings.stream().anyMatch(f -> f.contains("Broad") && f.contains("broader")), findings::toString);
        assertTrue(findings.stream().anyMatch(f -> f.contains("Anyone") && f.contains("wildcard")), findings::toString);
        assertTrue(report.regions().get("eu-west-1").ok());
    }

    @Test
    void verify_whenRoleDeleted_reportsItAsAFinding() {
        cmek.provision(request());
        raw.iam().deleteRole(b -> b.roleName(NAMES.roleName()));

        VerifyReport report = cmek.verify(request());

        assertEquals(null, report.role());
        assertEquals(List.of("role " + NAMES.roleName() + " does not exist"), report.principalFindings());
        assertFalse(report.ok());
    }

    @Test
    void verify_whenRoleUntagged_reportsItAsAFinding() {
        cmek.provision(request());
        raw.iam().untagRole(b -> b.roleName(NAMES.roleName()).tagKeys(ResourceNames.CLUSTER_TAG));

        VerifyReport report = cmek.verify(request());

        assertTrue(
                report.principalFindings().get(0).contains("not tagged as ours"), report.principalFindings()::toString);
        assertFalse(report.roleOk());
    }

    @Test
    void verify_whenKeyPendingDeletionOrBroughtKeyGone_reportsThemAsFindings() {
        ProvisionResult made = cmek.provision(request());
        KeyArn east = made.keys().get("us-east-1");
        raw.kms(Region.US_EAST_1).scheduleKeyDeletion(b -> b.keyId(east.keyId()).pendingWindowInDays(7));

        VerifyReport report = cmek.verify(request());

        List<String> findings = report.regions().get("us-east-1").findings();
        assertTrue(findings.stream().anyMatch(f -> f.contains("PendingDeletion")), findings::toString);
        assertTrue(report.regions().get("eu-west-1").ok());

        KeyArn gone = KeyArn.of(east.value().replace(east.keyId(), "0000abcd-12ab-34cd-56ef-1234567890ab"));
        AwsCmekRequest brought = AwsCmekRequest.of(CLUSTER, CRDB, ORG, List.of(Region.US_EAST_1))
                .withPlacement(KeyPlacement.existing(Map.of("us-east-1", gone)));
        VerifyReport missing = cmek.verify(brought);
        assertEquals(gone, missing.regions().get("us-east-1").key());
        assertTrue(missing.regions().get("us-east-1").findings().get(0).contains("not found"));
    }

    @Test
    void revoke_whenRoleDeleted_removesTheGrantsAndNotesTheRole() {
        cmek.provision(request());
        raw.iam().deleteRole(b -> b.roleName(NAMES.roleName()));

        RevocationRecord record = cmek.revoke(RevocationRequest.of(request(), true));

        assertTrue(record.intents().stream().noneMatch(i -> i.document() != RevocationRecord.Document.KEY_POLICY));
        assertEquals(REGIONS.size(), record.intents().size());
        assertTrue(record.notes().get(0).contains("does not exist"), record.notes()::toString);
        assertTrue(record.outcomes().stream().noneMatch(t -> t.fate() == Fate.LEFT));
    }

    @Test
    void multiRegionKey_replicasAreEnabledWhenProvisionReturns_andRotationGoesToThePrimary() {
        AwsCmekRequest req = request().withPlacement(KeyPlacement.multiRegion());
        moto.strict().settings(moto.strict().settings().withWindows(Duration.ofMillis(300), Duration.ofMillis(800)));

        ProvisionResult made = cmek.provision(req);

        for (Region r : REGIONS) {
            KeyArn key = made.keys().get(r.id());
            assertEquals(
                    "Enabled",
                    clients.kms(r)
                            .describeKey(b -> b.keyId(key.keyId()))
                            .keyMetadata()
                            .keyStateAsString(),
                    "no replica goes into the manifest before it is Enabled: " + r);
        }
        KeyArn replica = made.keys().get("eu-west-1");
        KeyArn rotated = cmek.rotateKeyMaterial(replica);
        assertEquals(made.keys().get("us-east-1"), rotated, "RotateKeyOnDemand goes to the primary");
        assertEquals(1, moto.strict().calls("RotateKeyOnDemand"));
    }

    @Test
    void provision_existingKeyOfAnotherAccount_isRefusedUpFrontWithTheStatementItsOwnerMustAdd() {
        KeyArn theirs = KeyArn.of("arn:aws:kms:us-east-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab");
        AwsCmekRequest req = AwsCmekRequest.of(CLUSTER, CRDB, ORG, List.of(Region.US_EAST_1))
                .withPlacement(KeyPlacement.existing(Map.of("us-east-1", theirs)));

        InvalidInputException e = assertThrows(InvalidInputException.class, () -> cmek.provision(req));

        assertTrue(e.getMessage().contains("444455556666") && e.getMessage().contains(NAMES.grantSid()), e::getMessage);
        assertTrue(e.getMessage().contains("kms:Decrypt"), e::getMessage);
        assertEquals(0, moto.strict().calls("CreateRole"), "nothing was made");
        assertEquals(0, moto.strict().calls("GetKeyPolicy"));
    }

    @Test
    void provision_leavesACustomersHardenedAdministrationAlone() {
        ProvisionResult made = cmek.provision(request());
        KeyArn key = made.keys().get("us-east-1");
        var kms = raw.kms(Region.US_EAST_1);
        PolicyDocument hardened = PolicyDocument.parse(
                        kms.getKeyPolicy(b -> b.keyId(key.keyId()).policyName("default"))
                                .policy())
                .withoutStatements(
                        s -> KeyPolicyGrant.ADMIN_SID.equals(s.path("Sid").asText()))
                .withStatement(PolicyDocument.parse("""
                        {"Statement":[{"Sid":"KeyAdmins","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/key-admins"},
                         "Action":["kms:Describe*","kms:Put*","kms:Get*"],"Resource":"*"}]}""").statements().get(0));
        kms.putKeyPolicy(b -> b.keyId(key.keyId()).policyName("default").policy(hardened.json()));

        ProvisionResult again = cmek.provision(request());

        assertTrue(again.noop(), again.changes()::toString);
        PolicyDocument after =
                PolicyDocument.parse(kms.getKeyPolicy(b -> b.keyId(key.keyId()).policyName("default"))
                        .policy());
        assertTrue(after.sameAs(hardened), after::json);
        assertTrue(cmek.verify(request()).ok(), () -> cmek.verify(request()).toString());
    }

    @Test
    void callsWithoutTheSessionToken_areRefusedAsAwsRefusesThem() {
        try (SdkClients noToken = SdkClients.builder()
                        .endpoint(moto.endpoint())
                        .credentials(software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                                software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create(
                                        MotoServer.ACCESS_KEY_ID, MotoServer.SECRET_ACCESS_KEY)))
                        .build();
                AwsCmek refused = new AwsCmek(noToken)) {
            CallFailedException e = assertThrows(CallFailedException.class, () -> refused.plan(request()));
            assertEquals(CallFailedException.Failure.PERMISSION_DENIED, e.failure());
            assertTrue(e.getMessage().contains("security token included in the request is invalid"), e::getMessage);
        }
    }

    @Test
    void newGeneration_createsASecondKeyWhileTheOldOneKeepsItsGrant_andMaterialRotates() {
        ProvisionResult g1 = cmek.provision(request());
        ProvisionResult g2 = cmek.provision(request().withGeneration(2));

        g2.keys().forEach((region, key) -> assertFalse(key.equals(g1.keys().get(region))));
        assertTrue(cmek.verify(request()).ok());
        assertTrue(cmek.verify(request().withGeneration(2)).ok());
        Inventory inv = inventory();
        REGIONS.forEach(r -> {
            assertEquals(2, inv.keys().get(r.id()));
            assertEquals(2, inv.grants().get(r.id()));
        });

        KeyArn key = g2.keys().get("eu-west-1");
        cmek.rotateKeyMaterial(key);
        assertEquals(
                1,
                raw.kms(Region.EU_WEST_1)
                        .listKeyRotations(b -> b.keyId(key.keyId()))
                        .rotations()
                        .size());
    }

    @ParameterizedTest(name = "{0} placement, crash after call {2} of {1}")
    @CsvSource({
        "per-region, createRole, 1",
        "per-region, createKey, 1",
        "per-region, createKey, 3",
        "per-region, createAlias, 2",
        "per-region, getKeyPolicy, 1",
        "multi-region, createKey, 1",
        "multi-region, replicateKey, 1",
        "multi-region, tagResource, 2",
        "multi-region, createAlias, 1",
        "existing, putKeyPolicy, 2",
    })
    void crashAfterAStep_rerunConvergesWithoutDuplicatesOrOrphans(String placement, String method, int nth) {
        AwsCmekRequest req = switch (placement) {
            case "multi-region" -> request().withPlacement(KeyPlacement.multiRegion());
            case "existing" -> request().withPlacement(KeyPlacement.existing(existingKeys()));
            default -> request();
        };
        FaultInjectingClients faulty = new FaultInjectingClients(clients).crashAfter(method, nth);
        try (AwsCmek crashing = new AwsCmek(faulty)) {
            assertThrows(FaultInjectingClients.SimulatedCrash.class, () -> crashing.provision(req));
        }

        ProvisionResult rerun = cmek.provision(req);

        assertEquals(
                Inventory.converged(REGIONS),
                placement.equals("existing")
                        ? new Inventory(
                                inventory().roles(),
                                inventory().keys(),
                                ones(),
                                inventory().grants())
                        : inventory());
        assertTrue(cmek.verify(req).ok(), () -> cmek.verify(req).toString());
        assertTrue(cmek.provision(req).noop(), () -> rerun.changes().toString());
    }

    /**
     * A re-run inside the new alias's window, without tag:GetResources: DescribeKey does not resolve the alias yet, but
     * ListAliases already lists it (KMS documents no order between the two). The scan must still find the key by its
     * tags; skipping it as aliased would make a second key, grant it, and fail on the alias.
     */
    @Test
    void aRerunWhileTheNewAliasIsListedButNotResolved_withoutTheTaggingApi_makesNoSecondKey() {
        moto.strict()
                .settings(StrictAws.Settings.defaults().withNewAliasNotFound(Duration.ofSeconds(3)))
                .listAliasesAtOnce()
                .denyAccess("GetResources", null, null);
        AwsCmekRequest one = request().withRegions(List.of(Region.US_EAST_1));
        try (AwsCmek crashing = new AwsCmek(new FaultInjectingClients(clients).crashAfter("createAlias", 1))) {
            assertThrows(FaultInjectingClients.SimulatedCrash.class, () -> crashing.provision(one));
        }

        ProvisionResult rerun = cmek.provision(one);

        assertEquals(1, raw.kms(Region.US_EAST_1).listKeys().keys().size(), rerun.changes()::toString);
        assertTrue(cmek.verify(one).ok(), () -> cmek.verify(one).toString());
    }

    /**
     * A re-run that can see neither its key's alias (not resolved yet) nor the key itself (the Tagging API not showing
     * it yet) makes a second key. Its CreateAlias is refused AlreadyExists, and since a key made without the grant is
     * granted only once our alias names it, the second key never grants the role; the next run uses the first.
     */
    @Test
    void aRerunThatSeesNeitherItsAliasNorItsKey_makesASecondKeyThatNeverGrantsTheRole() {
        moto.strict()
                .settings(StrictAws.Settings.defaults().withNewAliasNotFound(Duration.ofSeconds(2)))
                .taggingLag(Duration.ofSeconds(2));
        AwsCmekRequest one = request().withRegions(List.of(Region.US_EAST_1));
        try (AwsCmek crashing = new AwsCmek(new FaultInjectingClients(clients).crashAfter("createAlias", 1))) {
            assertThrows(FaultInjectingClients.SimulatedCrash.class, () -> crashing.provision(one));
        }

        AwsCmekException refused = assertThrows(AwsCmekException.class, () -> cmek.provision(one));
        assertTrue(refused.getMessage().contains("already points to"), refused.getMessage());

        var kms = raw.kms(Region.US_EAST_1);
        List<String> keys = kms.listKeys().keys().stream().map(k -> k.keyId()).toList();
        assertEquals(2, keys.size(), "the re-run made a second key");
        // Neither grants the role yet: the first run stopped at CreateAlias, before its grant; the second key's
        // CreateAlias was refused.
        for (String k : keys) {
            assertFalse(grantsTheRole(kms, k), k);
        }
        Pause.millis(2000); // both windows over
        cmek.provision(one);
        assertEquals(2, kms.listKeys().keys().size(), "no third key");
        String named =
                kms.describeKey(b -> b.keyId(NAMES.alias(1))).keyMetadata().keyId();
        for (String k : keys) {
            assertEquals(k.equals(named), grantsTheRole(kms, k), "only the key our alias names grants the role: " + k);
        }
        assertTrue(cmek.verify(one).ok(), () -> cmek.verify(one).toString());
    }

    private static boolean grantsTheRole(software.amazon.awssdk.services.kms.KmsClient kms, String key) {
        return kms.getKeyPolicy(b -> b.keyId(key).policyName("default"))
                .policy()
                .contains(NAMES.grantSid());
    }

    @Test
    void orphanKey_amongManyOtherKeys_isFoundByItsTagsNotDuplicated() {
        var kms = raw.kms(Region.US_EAST_1);
        for (int i = 0; i < 25; i++) {
            int n = i;
            kms.createKey(b -> b.description("other " + n)
                    .tags(software.amazon.awssdk.services.kms.model.Tag.builder()
                            .tagKey(ResourceNames.CLUSTER_TAG)
                            .tagValue(n % 2 == 0 ? "another-cluster" : CLUSTER.value())
                            .build()));
        }
        AwsCmekRequest one = request().withRegions(List.of(Region.US_EAST_1));
        try (AwsCmek crashing = new AwsCmek(new FaultInjectingClients(clients).crashAfter("createKey", 1))) {
            assertThrows(FaultInjectingClients.SimulatedCrash.class, () -> crashing.provision(one));
        }
        ProvisionResult rerun = cmek.provision(one);

        assertEquals(26, kms.listKeys().keys().size());
        assertTrue(rerun.changes().stream().anyMatch(c -> c.detail().contains("unaliased")), rerun.changes()::toString);
        assertTrue(cmek.verify(one).ok());
    }

    @Test
    void invalidPrincipal_onCreateKeyOfAMultiRegionKey_isRetriedWithinTheBound() {
        // A multi-region key is created naming the role (its replicas start with the policy they are given).
        FaultInjectingClients faulty =
                new FaultInjectingClients(clients).failFirst("createKey", 3, FaultInjectingClients::invalidPrincipal);
        try (AwsCmek retrying = new AwsCmek(faulty)) {
            retrying.provision(
                    request().withRegions(List.of(Region.US_EAST_1)).withPlacement(KeyPlacement.multiRegion()));
        }
        // The 3 injected refusals, then as many as the stand-in's own window for the new role refuses (none or one,
        // depending on how the backoff falls against it), then the one that succeeds: never a second key.
        int calls = faulty.calls("createKey");
        assertTrue(calls >= 4 && calls <= 6, "CreateKey attempts: " + calls);
        assertEquals(
                1, Inventory.of(raw, CLUSTER, List.of(Region.US_EAST_1)).keys().get("us-east-1"));
    }

    @Test
    void aNewKey_isCreatedWhileKmsCannotSeeTheNewRoleYet_andGrantedOnceItCan() {
        // IAM takes seconds to show a new role to KMS: the key, its alias and its rotation do not wait for that; only
        // the grant does (the stand-in refuses a policy naming the role for 5 s after CreateRole; wide enough that a
        // loaded machine still makes the key inside it).
        StrictAws strict = moto.strict();
        strict.settings(StrictAws.Settings.defaults().withPrincipalNotVisible(Duration.ofSeconds(5)));
        strict.record();
        AwsCmekRequest one = request().withRegions(List.of(Region.US_EAST_1));
        cmek.provision(one);

        List<StrictAws.Event> calls = strict.timeline();
        long roleMade = calls.stream()
                .filter(e -> e.operation().equals("CreateRole") && e.status() == 200)
                .mapToLong(StrictAws.Event::answered)
                .min()
                .orElseThrow();
        StrictAws.Event keyMade = calls.stream()
                .filter(e -> e.operation().equals("CreateKey"))
                .findFirst()
                .orElseThrow();
        assertEquals(200, keyMade.status(), "the first CreateKey is accepted: it names no principal");
        assertTrue(
                keyMade.answered() - roleMade < Duration.ofSeconds(5).toNanos(),
                "CreateKey answered within the role's 5 s window");
        assertTrue(
                calls.stream().anyMatch(e -> e.operation().equals("PutKeyPolicy") && e.status() == 400),
                "the grant was refused while KMS could not see the role: " + calls);
        assertEquals(
                1, calls.stream().filter(e -> e.operation().equals("CreateKey")).count());
        assertEquals(
                Inventory.converged(List.of(Region.US_EAST_1)), Inventory.of(raw, CLUSTER, List.of(Region.US_EAST_1)));
        assertTrue(cmek.verify(one).ok());
    }

    @Test
    void aClusterWithNoKeyYet_isLookedForInOneRoundTrip() {
        // The alias's read and our tagged keys are asked together, not one after another; the Region's aliases are not
        // listed at all (a call per 100 aliases in the account).
        StrictAws strict = moto.strict();
        strict.latency(Duration.ofMillis(100));
        strict.record();
        cmek.provision(request().withRegions(List.of(Region.US_EAST_1)));

        List<StrictAws.Event> calls = strict.timeline();
        long aliasReadAnswered = calls.stream()
                .filter(e -> e.operation().equals("DescribeKey"))
                .mapToLong(StrictAws.Event::answered)
                .min()
                .orElseThrow();
        StrictAws.Event tagged = calls.stream()
                .filter(c -> c.operation().equals("GetResources"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("GetResources not called: " + calls));
        assertTrue(tagged.arrived() < aliasReadAnswered, "GetResources sent before the alias's read was answered");
        assertEquals(0, strict.calls("ListAliases"), calls::toString);
    }

    @Test
    void invalidPrincipal_onTheGrantOfANewKey_isRetriedWithinTheBound() {
        // A key of one Region is created without the role (beside the role's propagation) and granted by a policy
        // write, which KMS refuses while it cannot see the role yet.
        FaultInjectingClients faulty = new FaultInjectingClients(clients)
                .failFirst("putKeyPolicy", 3, FaultInjectingClients::invalidPrincipal);
        AwsCmekRequest one = request().withRegions(List.of(Region.US_EAST_1));
        try (AwsCmek retrying = new AwsCmek(faulty)) {
            retrying.provision(one);
        }
        assertEquals(1, faulty.calls("createKey"), faulty.calls()::toString);
        int writes = faulty.calls("putKeyPolicy");
        assertTrue(writes >= 4 && writes <= 6, "PutKeyPolicy attempts: " + writes);
        assertEquals(
                1, Inventory.of(raw, CLUSTER, List.of(Region.US_EAST_1)).keys().get("us-east-1"));
        assertTrue(cmek.verify(one).ok());
    }

    @Test
    void invalidPrincipal_onPolicyWriteOfAnExistingKey_isRetriedWithinTheBound() {
        AwsCmekRequest req = request().withPlacement(KeyPlacement.existing(existingKeys()));
        FaultInjectingClients faulty = new FaultInjectingClients(clients)
                .failFirst("putKeyPolicy", 4, FaultInjectingClients::invalidPrincipal);
        try (AwsCmek retrying = new AwsCmek(faulty)) {
            retrying.provision(req);
        }
        // 4 injected refusals, then one write per region; the strict proxy may refuse more while the role is new.
        assertTrue(faulty.calls("putKeyPolicy") >= 3 + 4, faulty.calls()::toString);
        assertTrue(cmek.verify(req).ok());
    }

    @Test
    void invalidPrincipal_pastTheBound_givesUpCleanly() {
        FaultInjectingClients faulty = new FaultInjectingClients(clients)
                .failFirst("putKeyPolicy", Integer.MAX_VALUE, FaultInjectingClients::invalidPrincipal);
        AwsCmekRequest req = request().withPrincipalPropagationBound(Duration.ofSeconds(1));
        cmek.plan(req); // moto loads its IAM, STS and KMS backends on first use: seconds that are not ours to time
        long start = System.nanoTime();
        try (AwsCmek retrying = new AwsCmek(faulty)) {
            PrincipalNotYetVisibleException e =
                    assertThrows(PrincipalNotYetVisibleException.class, () -> retrying.provision(req));
            assertEquals(RoleArn.of("aws", MotoServer.ACCOUNT, NAMES.roleName()).value(), e.principal());
        }
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        // Far below the default two-minute bound, with room for a loaded machine: the one-second bound was kept.
        assertTrue(took.compareTo(Duration.ofSeconds(30)) < 0, took::toString);
        // The keys and their aliases were made beside the role's propagation; none has the grant yet.
        assertEquals(new Inventory(1, ones(), ones(), zero()), inventory());

        ProvisionResult rerun = cmek.provision(req);
        assertEquals(Inventory.converged(REGIONS), inventory());
        assertTrue(
                rerun.changes().stream()
                        .filter(c -> c.type() == AwsResource.KEY)
                        .noneMatch(c -> c.action() == Change.Action.CREATED),
                rerun.changes()::toString);
    }

    @Test
    void invalidPrincipal_pastTheBound_ofAMultiRegionKey_createsNoKey() {
        FaultInjectingClients faulty = new FaultInjectingClients(clients)
                .failFirst("createKey", Integer.MAX_VALUE, FaultInjectingClients::invalidPrincipal);
        AwsCmekRequest req = request()
                .withPlacement(KeyPlacement.multiRegion())
                .withPrincipalPropagationBound(Duration.ofSeconds(1));
        try (AwsCmek retrying = new AwsCmek(faulty)) {
            assertThrows(PrincipalNotYetVisibleException.class, () -> retrying.provision(req));
        }
        assertEquals(new Inventory(1, zero(), zero(), zero()), inventory());
    }

    @Test
    void malformedPolicyForAnotherReason_isNotRetried() {
        FaultInjectingClients faulty = new FaultInjectingClients(clients)
                .failFirst(
                        "createKey",
                        1,
                        () -> MalformedPolicyDocumentException.builder()
                                .message("The policy has a syntax error")
                                .build());
        try (AwsCmek once = new AwsCmek(faulty)) {
            CallFailedException e = assertThrows(
                    CallFailedException.class, () -> once.provision(request().withRegions(List.of(Region.US_EAST_1))));
            assertEquals("kms:CreateKey", e.operation());
            assertInstanceOf(MalformedPolicyDocumentException.class, e.getCause());
        }
        assertEquals(1, faulty.calls("createKey"));
    }

    @Test
    void revokeAndRestore_ofBroughtKeys_keepTheirOtherStatements() throws Exception {
        CreateRevokeRestoreScenario.run(clients, request().withPlacement(KeyPlacement.existing(existingKeys())));
    }

    @Test
    void revoke_oneRegionRefusingTheCaller_isLeftAndNamed_whileTheTrustAndTheOtherRegionsGo() {
        ProvisionResult created = cmek.provision(request());
        moto.strict().denyAccess("PutKeyPolicy", "eu-west-1", null);

        RevocationRecord record = cmek.revoke(RevocationRequest.of(request(), false));

        KeyArn west = created.keys().get("eu-west-1");
        Outcome left = record.outcomes().stream()
                .filter(t -> t.resource().equals(west.value()))
                .findFirst()
                .orElseThrow();
        assertEquals(Fate.LEFT, left.fate());
        assertTrue(left.detail().contains("kms:PutKeyPolicy"), left.detail());
        assertEquals(
                Fate.REMOVED,
                record.outcomes().stream()
                        .filter(t -> t.document() == RevocationRecord.Document.TRUST)
                        .findFirst()
                        .orElseThrow()
                        .fate());
        Map<String, PolicyDocument> now = CreateRevokeRestoreScenario.policies(raw, created);
        assertTrue(now.get("eu-west-1").statement(NAMES.grantSid()).isPresent());
        assertTrue(now.get("us-east-1").statement(NAMES.grantSid()).isEmpty());
        assertTrue(now.get("ap-southeast-2").statement(NAMES.grantSid()).isEmpty());
    }

    @Test
    void revoke_withoutTheTaggingApi_findsEveryTaggedKeyByAskingTheKeys() {
        ProvisionResult created = cmek.provision(request());
        KeyArn orphan = KeyArn.of(raw.kms(Region.US_EAST_1)
                .createKey(b -> b.policy(new KeyPolicyGrant(
                                        NAMES.grantSid(), RoleArn.of("aws", MotoServer.ACCOUNT, NAMES.roleName()))
                                .newKeyPolicy(MotoServer.ACCOUNT)
                                .json())
                        .tags(software.amazon.awssdk.services.kms.model.Tag.builder()
                                .tagKey(ResourceNames.CLUSTER_TAG)
                                .tagValue(CLUSTER.value())
                                .build()))
                .keyMetadata()
                .arn());
        moto.strict().denyAccess("GetResources", null, null);

        RevocationRecord record = cmek.revoke(RevocationRequest.of(request(), false));

        assertTrue(
                record.intents().stream().anyMatch(i -> i.resource().equals(orphan.value())),
                record.intents()::toString);
        assertEquals(
                REGIONS.size() + 1,
                record.intents().stream()
                        .filter(i -> i.document() == RevocationRecord.Document.KEY_POLICY)
                        .count());
        assertTrue(moto.strict().calls("ListResourceTags") > 0, "the fallback asked the keys themselves");
        assertTrue(created.keys().size() == REGIONS.size());
    }

    @Test
    void revoke_aRegionThatNeverAnswers_neitherDelaysTheTrustNorHangs() throws Exception {
        cmek.provision(request());
        moto.strict().neverAnswer("GetKeyPolicy", "ap-southeast-2");
        java.util.Map<String, Long> at = new java.util.concurrent.ConcurrentHashMap<>();
        long start = System.nanoTime();
        RevocationJournal<RevocationRecord.Intent> timed =
                timedTargets(at, start, t -> t.document() + " " + t.region() + " " + t.fate());
        try (SdkClients bounded = boundedClients();
                AwsCmek c = new AwsCmek(bounded)) {
            RevocationRecord record = c.revoke(RevocationRequest.of(request(), false), timed);
            long took = System.nanoTime() - start;
            assertTrue(took < Duration.ofSeconds(20).toNanos(), "bounded by the call deadline: " + took);
            assertTrue(
                    record.outcomes().stream()
                            .anyMatch(t -> "ap-southeast-2".equals(t.region()) && t.fate() == Fate.LEFT),
                    record.outcomes()::toString);
        }
        long trust = at.get("TRUST null REMOVED");
        long slow = at.get("KEY_POLICY ap-southeast-2 LEFT");
        assertTrue(trust < slow, "the trust went before the slow region gave up: " + at);
    }

    @Test
    void revoke_theKeyInUseDoesNotWaitForTheSearchForTaggedKeys() throws Exception {
        ProvisionResult created = cmek.provision(request());
        KeyArn inUse = created.keys().get("eu-west-1");
        moto.strict().neverAnswer("GetResources", "eu-west-1").record();
        long start = System.nanoTime();
        try (SdkClients bounded = boundedClients();
                AwsCmek c = new AwsCmek(bounded)) {
            RevocationRequest of = RevocationRequest.of(request(), false);
            RevocationRecord record = c.revoke(
                    new RevocationRequest(
                            of.clusterId(),
                            of.trustedAccount(),
                            of.externalId(),
                            of.regions(),
                            List.copyOf(created.keys().values()),
                            false,
                            of.propagationBound(),
                            false),
                    RevocationJournal.none());
            long took = System.nanoTime() - start;
            // The search is not an SDK client call: it keeps the SDK's attempt deadline itself (it once waited for the
            // 30 s socket timeout here), then falls back to asking the keys.
            assertTrue(took < Duration.ofSeconds(10).toNanos(), "bounded by the call deadline: " + took);
            assertTrue(
                    record.outcomes().stream()
                            .anyMatch(t -> t.resource().equals(inUse.value()) && t.fate() == Fate.REMOVED),
                    record.outcomes()::toString);
        }
        List<StrictAws.Event> inEurope = moto.strict().timeline().stream()
                .filter(e -> e.where().equals("kms/eu-west-1"))
                .toList();
        long written = inEurope.stream()
                .filter(e -> e.operation().equals("PutKeyPolicy"))
                .mapToLong(StrictAws.Event::arrived)
                .min()
                .orElseThrow(() -> new AssertionError("no PutKeyPolicy in eu-west-1: " + inEurope));
        // The search gives up on the Tagging API, then asks the keys themselves: its first ListKeys marks its end.
        long fallback = inEurope.stream()
                .filter(e -> e.operation().equals("ListKeys"))
                .mapToLong(StrictAws.Event::arrived)
                .min()
                .orElseThrow(() -> new AssertionError("no ListKeys in eu-west-1: " + inEurope));
        assertTrue(written < fallback, "the key in use lost its grant while the search still waited: " + inEurope);
    }

    /** A journal that notes when each target was first reported (nanoseconds after {@code start}), under {@code key}. */
    private static RevocationJournal<RevocationRecord.Intent> timedTargets(
            java.util.Map<String, Long> at, long start, java.util.function.Function<Outcome, String> key) {
        return new RevocationJournal<>() {
            @Override
            public void intent(RevocationRecord.Intent intent) {}

            @Override
            public void outcome(Outcome t) {
                at.putIfAbsent(key.apply(t), System.nanoTime() - start);
            }
        };
    }

    /** Clients through the strict stand-in whose calls end: 1 s per attempt, 2 s per call with its retries. */
    private SdkClients boundedClients() {
        return SdkClients.builder()
                .endpoint(moto.endpoint())
                .credentials(MotoServer.sessionCredentials())
                .callTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(2))
                .build();
    }

    /** Keys the customer brings, with automatic rotation on (as AWS Security Hub KMS.4 asks of every key). */
    private Map<String, KeyArn> existingKeys() {
        Map<String, KeyArn> out = new java.util.HashMap<>();
        for (Region r : REGIONS) {
            KeyArn key = KeyArn.of(raw.kms(r)
                    .createKey(b -> b.description("brought by the customer"))
                    .keyMetadata()
                    .arn());
            raw.kms(r).enableKeyRotation(b -> b.keyId(key.keyId()));
            out.put(r.id(), key);
        }
        return out;
    }

    private void reset() {
        moto.reset();
    }

    private static Map<String, Integer> zero() {
        Map<String, Integer> m = new java.util.TreeMap<>();
        REGIONS.forEach(r -> m.put(r.id(), 0));
        return m;
    }

    private static Map<String, Integer> ones() {
        Map<String, Integer> m = new java.util.TreeMap<>();
        REGIONS.forEach(r -> m.put(r.id(), 1));
        return m;
    }
}
