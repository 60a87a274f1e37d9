package dev.cmek.gcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.iam.v1.Binding;
import com.google.iam.v1.Policy;
import com.google.type.Expr;
import java.util.List;
import org.junit.jupiter.api.Test;

class PolicyBindingsTest {
    private static final Member SA =
            Member.of("serviceAccount:crdb-cmek-0123456789ab@cust-proj.iam.gserviceaccount.com");
    private static final Member ALICE = Member.of("user:alice@example.com");
    private static final Grant GRANT = new Grant(Grant.ENCRYPTER_DECRYPTER, SA);

    private static Policy policy(Binding... bindings) {
        return Policy.newBuilder()
                .setVersion(1)
                .addAllBindings(List.of(bindings))
                .build();
    }

    private static Binding binding(String role, Member... members) {
        return Binding.newBuilder()
                .setRole(role)
                .addAllMembers(
                        java.util.Arrays.stream(members).map(Member::value).toList())
                .build();
    }

    @Test
    void with_whenRoleMissing_addsBindingAndKeepsOthers() {
        Policy p = policy(binding("roles/cloudkms.admin", ALICE));
        Policy out = PolicyBindings.with(p, GRANT);
        assertTrue(PolicyBindings.has(out, GRANT));
        assertTrue(PolicyBindings.has(out, new Grant("roles/cloudkms.admin", ALICE)));
        assertEquals(2, out.getBindingsCount());
    }

    @Test
    void with_whenRoleHasOtherMembers_appendsToSameBinding() {
        Policy out = PolicyBindings.with(policy(binding(Grant.ENCRYPTER_DECRYPTER, ALICE)), GRANT);
        assertEquals(1, out.getBindingsCount());
        assertEquals(List.of(ALICE.value(), SA.value()), out.getBindings(0).getMembersList());
    }

    @Test
    void with_whenAlreadyPresent_isNoOp() {
        Policy p = policy(binding(Grant.ENCRYPTER_DECRYPTER, SA));
        assertSame(p, PolicyBindings.with(p, GRANT));
    }

    @Test
    void with_conditionalBindingOfSameRole_isNotReusedNorChanged() {
        Binding conditional = binding(Grant.ENCRYPTER_DECRYPTER, ALICE).toBuilder()
                .setCondition(Expr.newBuilder().setExpression("request.time < timestamp('2030-01-01T00:00:00Z')"))
                .build();
        Policy out = PolicyBindings.with(policy(conditional), GRANT);
        assertEquals(2, out.getBindingsCount());
        assertEquals(conditional, out.getBindings(0));
    }

    @Test
    void without_removesOnlyThatMember_andDropsEmptyBinding() {
        Policy p = policy(binding(Grant.ENCRYPTER_DECRYPTER, SA), binding(Grant.TOKEN_CREATOR, ALICE, SA));
        Policy out = PolicyBindings.without(p, GRANT);
        assertFalse(PolicyBindings.has(out, GRANT));
        assertEquals(1, out.getBindingsCount());
        Policy out2 = PolicyBindings.without(p, new Grant(Grant.TOKEN_CREATOR, SA));
        assertEquals(List.of(ALICE.value()), out2.getBindings(1).getMembersList());
    }

    @Test
    void without_whenAbsent_isNoOp() {
        Policy p = policy(binding("roles/viewer", ALICE));
        assertSame(p, PolicyBindings.without(p, GRANT));
    }

    @Test
    void sameBindings_ignoresOrderAndEtag() {
        Policy a = policy(binding("r/a".replace("r/", "roles/"), ALICE, SA), binding(Grant.TOKEN_CREATOR, SA));
        Policy b = policy(binding(Grant.TOKEN_CREATOR, SA), binding("roles/a", SA, ALICE)).toBuilder()
                .setEtag(com.google.protobuf.ByteString.copyFromUtf8("x"))
                .build();
        assertTrue(PolicyBindings.sameBindings(a, b));
        assertFalse(PolicyBindings.sameBindings(a, PolicyBindings.without(a, new Grant(Grant.TOKEN_CREATOR, SA))));
    }

    @Test
    void policyDocument_roundTripsBindings() {
        Policy p = policy(binding(Grant.ENCRYPTER_DECRYPTER, SA, ALICE));
        assertTrue(PolicyBindings.sameBindings(p, PolicyDocument.of(p).toPolicy()));
    }
}
