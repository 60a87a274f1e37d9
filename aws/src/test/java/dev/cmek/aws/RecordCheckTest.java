package dev.cmek.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** Restore's checks of a record, before anything is written: only what cmek writes passes. */
class RecordCheckTest {
    static final ClusterId CLUSTER = ClusterId.of("3f1c2b9e-1a2b-4c3d-8e9f-0123456789ab");
    static final ResourceNames NAMES = new ResourceNames(CLUSTER);
    static final AccountId CRDB = AccountId.of("999988887777");
    static final ExternalId ORG = ExternalId.of("9b8a7c6d-0000-4000-8000-00000000abcd");
    static final RoleArn ROLE = RoleArn.of("aws", AccountId.of("111122223333"), NAMES.roleName());
    static final KeyArn KEY = KeyArn.of("arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab");
    static final TrustPolicy TRUST = new TrustPolicy(CRDB, ORG, "aws");

    static RevocationRecord.Intent trustIntent(UnaryOperator<ObjectNode> edit) {
        // As an editor keeps a record consistent: the edited statement is what the documents and lists say went.
        PolicyDocument before = TRUST.document().withStatements(List.of(edit.apply(TRUST.statement())));
        PolicyDocument after = TRUST.revoked(TRUST.document(), NAMES.trustDenySid());
        return intent(RevocationRecord.Document.TRUST, NAMES.roleName(), null, before, after);
    }

    static RevocationRecord.Intent keyIntent(UnaryOperator<ObjectNode> edit) {
        KeyPolicyGrant grant = new KeyPolicyGrant(NAMES.grantSid(), ROLE);
        PolicyDocument before = PolicyDocument.of(
                KeyPolicyGrant.POLICY_ID,
                List.of(
                        KeyPolicyGrant.ownerAdministration(AccountId.of("111122223333"), "aws"),
                        edit.apply(grant.statement())));
        PolicyDocument after = before.withoutStatements(
                s -> NAMES.grantSid().equals(s.path("Sid").asText()));
        return intent(RevocationRecord.Document.KEY_POLICY, KEY.value(), "us-east-1", before, after);
    }

    static RevocationRecord.Intent intent(
            RevocationRecord.Document doc,
            String resource,
            String region,
            PolicyDocument before,
            PolicyDocument after) {
        return new RevocationRecord.Intent(
                doc,
                resource,
                region,
                ROLE,
                before.json(),
                after.json(),
                PolicyDocument.difference(before, after),
                PolicyDocument.difference(after, before),
                Instant.EPOCH);
    }

    static RecordCheck.Checked check(RevocationRecord.Intent... intents) {
        return new RecordCheck(new RestoreRequest(
                        CLUSTER,
                        Optional.of(CRDB),
                        Optional.of(ORG),
                        Optional.empty(),
                        List.of(intents),
                        Duration.ZERO))
                .check();
    }

    static String refusal(RevocationRecord.Intent... intents) {
        return assertThrows(UntrustedRecordException.class, () -> check(intents))
                .getMessage();
    }

    @Test
    void whatCmekWrites_passes() {
        RecordCheck.Checked ok = check(trustIntent(s -> s), keyIntent(s -> s));
        assertEquals(AccountId.of("111122223333"), ok.customerAccount());
        assertTrue(ok.warnings().isEmpty());
    }

    @Test
    void aWildcardPrincipal_aDroppedExternalId_anotherAccount_orAnExtraField_isRefused() {
        assertTrue(refusal(trustIntent(s -> {
                    s.putObject("Principal").put("AWS", "*");
                    return s;
                }))
                .contains("not the one cmek writes"));
        assertTrue(refusal(trustIntent(s -> {
                    s.remove("Condition");
                    return s;
                }))
                .contains("not the one cmek writes"));
        assertTrue(refusal(trustIntent(s -> {
                    s.putObject("Principal").put("AWS", "arn:aws:iam::123456789012:root");
                    return s;
                }))
                .contains("not the cluster's account"));
        assertTrue(refusal(trustIntent(s -> {
                    ((ObjectNode) s.get("Condition").get("StringEquals")).put("sts:ExternalId", "someone-else");
                    return s;
                }))
                .contains("not the organization id"));
        assertTrue(refusal(trustIntent(s -> s.put("NotAction", "iam:*"))).contains("not the one cmek writes"));
    }

    @Test
    void aGrantWithExtraActions_aCondition_orAnotherRole_isRefused() {
        assertTrue(refusal(keyIntent(s -> {
                    ((ArrayNode) s.get("Action")).add("kms:*");
                    return s;
                }))
                .contains("not the grant cmek writes"));
        assertTrue(refusal(keyIntent(s -> {
                    s.putObject("Condition").putObject("Bool").put("aws:SecureTransport", "true");
                    return s;
                }))
                .contains("not the grant cmek writes"));
        assertTrue(refusal(keyIntent(s -> {
                    s.putObject("Principal").put("AWS", "arn:aws:iam::111122223333:role/someone-else");
                    return s;
                }))
                .contains("not the grant cmek writes"));
    }

    @Test
    void listsThatDisagreeWithTheirDocuments_orAnotherClustersRole_areRefused() {
        RevocationRecord.Intent ok = keyIntent(s -> s);
        RevocationRecord.Intent lying = new RevocationRecord.Intent(
                ok.document(),
                ok.resource(),
                ok.region(),
                ok.role(),
                ok.before(),
                ok.after(),
                ok.removed(),
                List.of(KeyPolicyGrant.ownerAdministration(AccountId.of("111122223333"), "aws")
                        .toString()),
                ok.at());
        assertTrue(refusal(lying).contains("do not match"), refusal(lying));
        RevocationRecord.Intent other = new RevocationRecord.Intent(
                ok.document(),
                ok.resource(),
                ok.region(),
                RoleArn.of("aws", AccountId.of("111122223333"), "crdb-cmek-00000000-000000000042"),
                ok.before(),
                ok.after(),
                ok.removed(),
                ok.added(),
                ok.at());
        assertTrue(refusal(other).contains("another cluster"), refusal(other));
    }

    @Test
    void theSessionDenyCutoff_isTakenAfterTheTrustWithTheMargin() {
        Instant cut = Instant.parse("2026-11-30T12:00:00.250Z");
        Instant cutoff = TrustPolicy.sessionCutoff(cut);
        assertTrue(!cutoff.isBefore(cut.plus(TrustPolicy.SESSION_CUTOFF_MARGIN)), cutoff.toString());
        assertTrue(TrustPolicy.isSessionDeny(TrustPolicy.denySessionsIssuedBefore(cutoff)));
        assertTrue(TrustPolicy.denySessionsIssuedBefore(cutoff).json().contains("2026-11-30T12:20:01Z"));
    }
}
