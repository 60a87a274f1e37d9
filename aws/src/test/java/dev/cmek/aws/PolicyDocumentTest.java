package dev.cmek.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class PolicyDocumentTest {
    static final ClusterId CLUSTER = ClusterId.of("3F1C2B9E-1A2B-4C3D-8E9F-0123456789AB");
    static final ResourceNames NAMES = new ResourceNames(CLUSTER);
    static final AccountId OWNER = AccountId.of("111122223333");
    static final AccountId CRDB = AccountId.of("999988887777");
    static final RoleArn ROLE = RoleArn.of("aws", OWNER, NAMES.roleName());
    static final KeyPolicyGrant GRANT = new KeyPolicyGrant(NAMES.grantSid(), ROLE);
    static final TrustPolicy TRUST = new TrustPolicy(CRDB, ExternalId.of("org-1234"), "aws");

    static final String FOREIGN = """
            {"Version":"2012-10-17","Id":"theirs","Statement":[
             {"Sid":"Admin","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"},
             {"Sid":"App","Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111122223333:role/b","arn:aws:iam::111122223333:role/a"]},
              "Action":["kms:Decrypt","kms:Encrypt"],"Resource":"*","Condition":{"StringEquals":{"kms:ViaService":"s3.us-east-1.amazonaws.com"}}}]}""";

    @Test
    void names_areDeterministicAndWithinAwsLimits() {
        assertEquals("3f1c2b9e-1a2b-4c3d-8e9f-0123456789ab", CLUSTER.value());
        assertEquals("crdb-cmek-3f1c2b9e-0123456789ab", NAMES.roleName());
        assertTrue(NAMES.roleName().length() <= 64);
        assertEquals("alias/crdb-cmek-3f1c2b9e-1a2b-4c3d-8e9f-0123456789ab", NAMES.alias(1));
        assertEquals(NAMES.alias(1) + "-g2", NAMES.alias(2));
        assertTrue(NAMES.grantSid().matches("[A-Za-z0-9]+"));
        assertThrows(InvalidInputException.class, () -> NAMES.alias(0));
    }

    @Test
    void values_areValidatedOnce() {
        assertThrows(InvalidInputException.class, () -> AccountId.of("12345"));
        assertThrows(InvalidInputException.class, () -> ClusterId.of("not-a-uuid"));
        assertThrows(InvalidInputException.class, () -> ExternalId.of("has space"));
        assertThrows(InvalidInputException.class, () -> KeyArn.of("arn:aws:kms:us-east-1:111122223333:alias/x"));
        KeyArn k = KeyArn.of("arn:aws:kms:eu-west-1:111122223333:key/mrk-0123456789abcdef0123456789abcdef");
        assertEquals("eu-west-1", k.region().id());
        assertEquals(OWNER, k.account());
        assertTrue(k.multiRegion());
        assertEquals(NAMES.roleName(), ROLE.roleName());
        assertEquals(OWNER, ROLE.account());
    }

    @Test
    void sameAs_ignoresStringVersusListOrderingAndKeyOrder() {
        PolicyDocument a = PolicyDocument.parse(FOREIGN);
        PolicyDocument b = PolicyDocument.parse("""
                {"Statement":[
                 {"Resource":["*"],"Action":["kms:Encrypt","kms:Decrypt"],"Sid":"App","Effect":"Allow",
                  "Condition":{"StringEquals":{"kms:ViaService":["s3.us-east-1.amazonaws.com"]}},
                  "Principal":{"AWS":["arn:aws:iam::111122223333:role/a","arn:aws:iam::111122223333:role/b"]}},
                 {"Sid":"Admin","Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111122223333:root"]},"Action":["kms:*"],"Resource":"*"}],
                 "Id":"theirs","Version":"2012-10-17"}""");
        assertTrue(a.sameAs(b));
        assertFalse(a.sameAs(a.withoutStatements(s -> s.path("Sid").asText().equals("App"))));
    }

    @Test
    void parse_decodesIamsUrlEncodedDocuments() {
        String encoded = URLEncoder.encode(TRUST.document().json(), StandardCharsets.UTF_8);
        assertTrue(PolicyDocument.parse(encoded).sameAs(TRUST.document()));
        assertThrows(InvalidInputException.class, () -> PolicyDocument.parse("[1]"));
    }

    @Test
    void trustPolicy_isExactlyTheDocumentedOne() {
        PolicyDocument expected = PolicyDocument.parse("""
                {"Version":"2012-10-17","Statement":[{"Effect":"Allow",
                  "Principal":{"AWS":"arn:aws:iam::999988887777:root"},
                  "Action":"sts:AssumeRole",
                  "Condition":{"StringEquals":{"sts:ExternalId":"org-1234"}}}]}""");
        assertTrue(TRUST.document().sameAs(expected));
        assertTrue(TRUST.findings(expected).isEmpty());
    }

    @Test
    void trustPolicy_findings_nameTheWrongExternalIdAndExtras() {
        PolicyDocument wrong = new TrustPolicy(CRDB, ExternalId.of("other-org"), "aws").document();
        assertTrue(TRUST.findings(wrong).stream().anyMatch(f -> f.contains("other-org")));
        PolicyDocument wildcard = PolicyDocument.parse("""
                {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}""");
        List<String> f = TRUST.findings(wildcard);
        assertTrue(f.stream().anyMatch(x -> x.contains("wildcard")), f::toString);
        assertTrue(f.stream().anyMatch(x -> x.contains("does not allow")), f::toString);
    }

    @Test
    void trustRevocation_dropsTheClusterAccountAndDeniesIt_keepingOtherStatements() {
        String other =
                "{\"Sid\":\"Ec2\",\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"ec2.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}";
        PolicyDocument before =
                TRUST.document().withStatements(List.of(TRUST.statement(), PolicyDocumentTestJson.object(other)));
        PolicyDocument after = TRUST.revoked(before, NAMES.trustDenySid());
        assertEquals(2, after.statements().size());
        assertTrue(after.statement("Ec2").isPresent());
        assertEquals(
                "Deny",
                after.statement(NAMES.trustDenySid())
                        .orElseThrow()
                        .path("Effect")
                        .asText());
        assertTrue(TRUST.findings(after).stream().anyMatch(x -> x.contains("denies")));
        assertTrue(PolicyDocument.restore(after, before, after).sameAs(before));
        assertTrue(TRUST.revoked(after, NAMES.trustDenySid()).sameAs(after), "revoking twice changes nothing");
    }

    @Test
    void denySessions_usesTokenIssueTime() {
        String json = TrustPolicy.denySessionsIssuedBefore(Instant.parse("2026-11-28T01:02:03.456Z"))
                .json();
        assertTrue(json.contains("\"aws:TokenIssueTime\":\"2026-11-28T01:02:03Z\""), json);
        assertTrue(json.contains("DateLessThan"));
    }

    @Test
    void newKeyPolicy_hasOwnerAdministrationAndExactlyTheFiveActions() {
        PolicyDocument p = GRANT.newKeyPolicy(OWNER);
        assertTrue(p.sameAs(PolicyDocument.parse("""
                {"Version":"2012-10-17","Id":"crdb-cmek-kms","Statement":[
                 {"Sid":"KeyOwnerAdministration","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"},
                 {"Sid":"%s","Effect":"Allow","Principal":{"AWS":"%s"},
                  "Action":["kms:Encrypt","kms:Decrypt","kms:GenerateDataKey*","kms:DescribeKey","kms:ReEncrypt*"],"Resource":"*"}]}""".formatted(NAMES.grantSid(), ROLE))), p::json);
        assertTrue(GRANT.findings(p).isEmpty());
        assertTrue(GRANT.presentExactlyIn(p));
    }

    @Test
    void merge_keepsForeignStatementsAndIsIdempotent() {
        PolicyDocument foreign = PolicyDocument.parse(FOREIGN);
        PolicyDocument merged = GRANT.mergeInto(foreign);
        assertEquals(3, merged.statements().size());
        assertTrue(PolicyDocument.sameStatement(
                merged.statement("App").orElseThrow(), foreign.statement("App").orElseThrow()));
        assertTrue(merged.json().contains("\"Id\":\"theirs\""));
        assertTrue(GRANT.mergeInto(merged).sameAs(merged));
        assertTrue(GRANT.removedFrom(merged).sameAs(foreign));
    }

    @Test
    void merge_leavesTheOwnersAdministrationAsTheOwnerKeepsIt_andVerifyDoesNotJudgeIt() {
        PolicyDocument noAdmin = PolicyDocument.parse(FOREIGN)
                .withoutStatements(s -> s.path("Sid").asText().equals("Admin"));
        PolicyDocument merged = GRANT.mergeInto(noAdmin);
        assertFalse(KeyPolicyGrant.hasOwnerAdministration(merged, OWNER), "a customer's hardening is not undone");
        assertTrue(GRANT.findings(merged).isEmpty(), GRANT.findings(merged)::toString);
        assertTrue(KeyPolicyGrant.hasOwnerAdministration(GRANT.newKeyPolicy(OWNER), OWNER), "a new key gets it");
    }

    @Test
    void partition_comesFromTheRole_notAssumed() {
        RoleArn govRole = RoleArn.of("aws-us-gov", OWNER, NAMES.roleName());
        assertEquals("aws-us-gov", govRole.partition());
        PolicyDocument p = new KeyPolicyGrant(NAMES.grantSid(), govRole).newKeyPolicy(OWNER);
        assertTrue(p.json().contains("arn:aws-us-gov:iam::111122223333:root"), p::json);
        TrustPolicy cn = new TrustPolicy(CRDB, ExternalId.of("org-1234"), "aws-cn");
        assertTrue(cn.document().json().contains("arn:aws-cn:iam::" + CRDB + ":root"), cn.document()::json);
        assertTrue(cn.findings(cn.document()).isEmpty());
    }

    @Test
    void merge_replacesADriftedStatementOfOurs() {
        var drifted = GRANT.statement();
        drifted.put("Action", "kms:*");
        PolicyDocument p = GRANT.newKeyPolicy(OWNER).withStatement(drifted);
        assertTrue(GRANT.findings(p).stream().anyMatch(f -> f.contains("kms:*")));
        PolicyDocument fixed = GRANT.mergeInto(p);
        assertTrue(fixed.sameAs(GRANT.newKeyPolicy(OWNER)));
    }

    @Test
    void findings_reportMissingGrantWrongPrincipalAndDeletedRoleIds() {
        assertTrue(GRANT.findings(PolicyDocument.parse(FOREIGN)).stream().anyMatch(f -> f.contains("no statement")));
        var uniqueId = GRANT.statement();
        uniqueId.putObject("Principal").put("AWS", "AROAEXAMPLEID123");
        List<String> f = GRANT.findings(GRANT.newKeyPolicy(OWNER).withStatement(uniqueId));
        assertTrue(f.stream().anyMatch(x -> x.contains("deleted and recreated")), f::toString);
    }

    @Test
    void restore_putsBackTheRemovedStatementAndKeepsLaterUnrelatedEdits() {
        PolicyDocument before = GRANT.mergeInto(PolicyDocument.parse(FOREIGN));
        PolicyDocument after = GRANT.removedFrom(before);
        assertTrue(PolicyDocument.restore(after, before, after).sameAs(before));
        PolicyDocument laterEdit =
                after.withoutStatements(s -> s.path("Sid").asText().equals("App"));
        PolicyDocument restored = PolicyDocument.restore(laterEdit, before, after);
        assertTrue(restored.statement(NAMES.grantSid()).isPresent());
        assertTrue(
                restored.statement("App").isEmpty(), "a statement someone removed after the revocation stays removed");
        assertTrue(PolicyDocument.restore(before, before, after).sameAs(before), "restoring twice changes nothing");
    }
}
