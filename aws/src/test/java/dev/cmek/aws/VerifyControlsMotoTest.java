package dev.cmek.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cmek.aws.testing.MotoServer;
import dev.cmek.core.Change;
import dev.cmek.core.Control;
import dev.cmek.core.ControlResult;
import dev.cmek.core.Verdict;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.model.Tag;

/**
 * Every control passing on a clean state and failing, with its evidence and fix, on a state crafted out of band with
 * moto's own clients (the toolkit never disables, deletes or weakens anything itself).
 */
class VerifyControlsMotoTest extends MotoClusterTest {
    @RegisterExtension
    static MotoServer moto = MotoServer.create();

    static final ClusterId CLUSTER = ClusterId.of("7e1c2b9e-1a2b-4c3d-8e9f-0123456789cd");
    static final Region EAST = Region.US_EAST_1;
    static final ResourceNames NAMES = new ResourceNames(CLUSTER);

    KeyArn key;

    @Override
    MotoServer moto() {
        return moto;
    }

    @BeforeEach
    void provision() {
        key = cmek.provision(request()).keys().get(EAST.id());
    }

    static AwsCmekRequest request() {
        return request(CLUSTER, List.of(EAST));
    }

    VerifyReport.RegionControls east() {
        return cmek.verify(request(), Set.of()).regions().get(EAST.id());
    }

    static ControlResult control(VerifyReport.RegionControls check, Control c) {
        return check.control(c);
    }

    void putPolicy(PolicyDocument p) {
        raw.kms(EAST)
                .putKeyPolicy(b -> b.keyId(key.keyId()).policyName("default").policy(p.json()));
    }

    PolicyDocument policy() {
        return PolicyDocument.parse(raw.kms(EAST)
                .getKeyPolicy(b -> b.keyId(key.keyId()).policyName("default"))
                .policy());
    }

    @Test
    void cleanState_everyControlPasses_withEvidence() {
        VerifyReport report = cmek.verify(request(), Set.of());

        assertTrue(report.ok(), report::toString);
        report.principalControls().forEach(c -> assertEquals(Verdict.PASS, c.verdict(), c::toString));
        VerifyReport.RegionControls east = report.regions().get(EAST.id());
        for (Control c : Control.values()) {
            if (c == Control.PRINCIPAL_TRUST || c == Control.EXTERNAL_ID || c == Control.CRDB_STATUS) {
                continue; // the role's controls are checked above; CockroachDB's status is the orchestrator's
            }
            if (c == Control.KEY_RECOVERABLE) {
                assertEquals(Verdict.NOT_APPLICABLE, control(east, c).verdict(), "no purge on AWS");
                continue;
            }
            ControlResult r = control(east, c);
            assertEquals(Verdict.PASS, r.verdict(), r::toString);
            assertFalse(r.evidence().isEmpty(), r::toString);
        }
        assertTrue(control(east, Control.KEY_ROTATION).evidence().get(0).contains("every 365 days"));
        assertTrue(east.newestKeyVersion() != null);
    }

    @Test
    void rotationOff_failsKeyRotation_withTheCommandThatTurnsItOn() {
        raw.kms(EAST).disableKeyRotation(b -> b.keyId(key.keyId()));

        ControlResult r = control(east(), Control.KEY_ROTATION);

        assertEquals(Verdict.FAIL, r.verdict(), r::toString);
        assertTrue(r.fix().contains("aws kms enable-key-rotation --key-id " + key), r::fix);
    }

    @Test
    void wildcardPrincipal_failsNoPublicAccess_butNotTheExactGrant() {
        var open = new KeyPolicyGrant("Anyone", RoleArn.of("aws", MotoServer.ACCOUNT, "x")).statement();
        open.putObject("Principal").put("AWS", "*");
        putPolicy(policy().withStatement(open));

        VerifyReport.RegionControls east = east();

        ControlResult pub = control(east, Control.NO_PUBLIC_ACCESS);
        assertEquals(Verdict.FAIL, pub.verdict(), pub::toString);
        assertTrue(pub.evidence().get(0).contains("Anyone"), pub::toString);
        assertEquals(Verdict.PASS, control(east, Control.EXACT_GRANT).verdict());
    }

    @Test
    void extraActionInTheGrant_failsExactGrant() {
        var broad = new KeyPolicyGrant(NAMES.grantSid(), cmek.verify(request()).role()).statement();
        broad.putArray("Action").add("kms:*");
        putPolicy(policy().withStatement(broad));

        ControlResult r = control(east(), Control.EXACT_GRANT);

        assertEquals(Verdict.FAIL, r.verdict(), r::toString);
        assertTrue(r.evidence().get(0).contains("kms:*"), r::toString);
    }

    @Test
    void trustWithoutExternalId_failsExternalId_only() {
        String open = """
                {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999988887777:root"},
                 "Action":"sts:AssumeRole"}]}""";
        raw.iam().updateAssumeRolePolicy(b -> b.roleName(NAMES.roleName()).policyDocument(open));

        VerifyReport report = cmek.verify(request());

        ControlResult ext = report.principalControls().get(1);
        assertEquals(Control.EXTERNAL_ID, ext.control());
        assertEquals(Verdict.FAIL, ext.verdict(), ext::toString);
        assertTrue(ext.evidence().get(0).contains("does not require an external id"), ext::toString);
        assertEquals(Verdict.PASS, report.principalControls().get(0).verdict(), report::toString);
        assertFalse(report.ok());
    }

    @Test
    void keyPendingDeletion_failsKeyUsable_withCancelKeyDeletion() {
        raw.kms(EAST).scheduleKeyDeletion(b -> b.keyId(key.keyId()).pendingWindowInDays(7));

        VerifyReport.RegionControls east = east();

        ControlResult r = control(east, Control.KEY_USABLE);
        assertEquals(Verdict.FAIL, r.verdict(), r::toString);
        assertTrue(r.evidence().get(0).contains("PendingDeletion"), r::toString);
        assertTrue(r.fix().contains("aws kms cancel-key-deletion --key-id " + key), r::fix);
        assertEquals(Verdict.NOT_APPLICABLE, control(east, Control.KEY_ROTATION).verdict());
    }

    @Test
    void keyDisabled_failsKeyUsable_withEnableKey() {
        raw.kms(EAST).disableKey(b -> b.keyId(key.keyId()));

        ControlResult r = control(east(), Control.KEY_USABLE);

        assertEquals(Verdict.FAIL, r.verdict(), r::toString);
        assertTrue(r.evidence().get(0).contains("Disabled"), r::toString);
        assertTrue(r.fix().contains("aws kms enable-key --key-id " + key), r::fix);
    }

    @Test
    void orphanKeyTaggedForTheClusterAndStillGranted_failsNoOrphanGrants_unlessCockroachUsedItBefore() {
        RoleArn role = cmek.verify(request()).role();
        PolicyDocument granted = new KeyPolicyGrant(NAMES.grantSid(), role).newKeyPolicy(MotoServer.ACCOUNT);
        KeyArn orphan = KeyArn.of(raw.kms(EAST)
                .createKey(b -> b.policy(granted.json())
                        .tags(
                                Tag.builder()
                                        .tagKey(ResourceNames.CLUSTER_TAG)
                                        .tagValue(CLUSTER.value())
                                        .build(),
                                Tag.builder()
                                        .tagKey(ResourceNames.GENERATION_TAG)
                                        .tagValue("1")
                                        .build()))
                .keyMetadata()
                .arn());

        ControlResult r = control(east(), Control.NO_ORPHAN_GRANTS);

        assertEquals(Verdict.FAIL, r.verdict(), r::toString);
        assertTrue(r.evidence().get(0).contains(orphan.toString()), r::toString);
        ControlResult former =
                control(cmek.verify(request(), Set.of(orphan)).regions().get(EAST.id()), Control.NO_ORPHAN_GRANTS);
        assertEquals(Verdict.PASS, former.verdict(), former::toString);
        assertTrue(former.evidence().stream().anyMatch(e -> e.contains("previous key " + orphan)), former::toString);
        assertEquals(
                Verdict.NOT_APPLICABLE,
                control(cmek.verify(request()).regions().get(EAST.id()), Control.NO_ORPHAN_GRANTS)
                        .verdict(),
                "without the key history, orphans are not looked for");
    }

    @Test
    void plan_namesAnOrphanKeyThatStillGrantsTheRole_andChangesNothing() {
        RoleArn role = cmek.verify(request()).role();
        PolicyDocument granted = new KeyPolicyGrant(NAMES.grantSid(), role).newKeyPolicy(MotoServer.ACCOUNT);
        KeyArn orphan = KeyArn.of(raw.kms(EAST)
                .createKey(b -> b.policy(granted.json())
                        .tags(Tag.builder()
                                .tagKey(ResourceNames.CLUSTER_TAG)
                                .tagValue(CLUSTER.value())
                                .build()))
                .keyMetadata()
                .arn());
        int writes = moto.strict().calls("PutKeyPolicy") + moto.strict().calls("CreateKey");

        ProvisionResult plan = cmek.plan(request());

        Change reported = plan.changes().stream()
                .filter(c -> c.resource().equals(orphan.value()))
                .findFirst()
                .orElseThrow(() -> new AssertionError(plan.changes().toString()));
        assertEquals(Change.Action.DRIFTED, reported.action());
        assertTrue(reported.detail().contains("orphan"), reported::toString);
        assertEquals(
                writes,
                moto.strict().calls("PutKeyPolicy") + moto.strict().calls("CreateKey"),
                "a plan writes nothing");
    }
}
