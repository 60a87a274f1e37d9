package dev.cmek.gcp;

import com.google.iam.v1.Binding;
import com.google.iam.v1.Policy;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/** Pure edits of IAM policies: add or remove one member of one role, keeping every other member, role and condition. */
public final class PolicyBindings {
    private PolicyBindings() {}

    /** Basic roles, too broad to ever grant the CockroachDB identity. */
    public static final Set<String> PRIMITIVE_ROLES = Set.of("roles/owner", "roles/editor", "roles/viewer");

    public static boolean has(Policy policy, Grant grant) {
        return policy.getBindingsList().stream()
                .anyMatch(b -> !b.hasCondition()
                        && b.getRole().equals(grant.role())
                        && b.getMembersList().contains(grant.member().value()));
    }

    /** The policy with the grant added; the same policy if it is there already. */
    public static Policy with(Policy policy, Grant grant) {
        if (has(policy, grant)) {
            return policy;
        }
        Policy.Builder out = policy.toBuilder();
        for (int i = 0; i < out.getBindingsCount(); i++) {
            Binding b = out.getBindings(i);
            if (!b.hasCondition() && b.getRole().equals(grant.role())) {
                out.setBindings(i, b.toBuilder().addMembers(grant.member().value()));
                return out.build();
            }
        }
        return out.addBindings(Binding.newBuilder()
                        .setRole(grant.role())
                        .addMembers(grant.member().value()))
                .build();
    }

    /** The policy with the grant removed (and a binding left empty dropped); the same policy if it was absent. */
    public static Policy without(Policy policy, Grant grant) {
        if (!has(policy, grant)) {
            return policy;
        }
        Policy.Builder out = policy.toBuilder().clearBindings();
        for (Binding b : policy.getBindingsList()) {
            if (b.hasCondition() || !b.getRole().equals(grant.role())) {
                out.addBindings(b);
                continue;
            }
            List<String> kept = b.getMembersList().stream()
                    .filter(m -> !m.equals(grant.member().value()))
                    .toList();
            if (!kept.isEmpty()) {
                out.addBindings(b.toBuilder().clearMembers().addAllMembers(kept));
            }
        }
        return out.build();
    }

    /** Every unconditional grant in the policy. */
    public static Set<Grant> grants(Policy policy) {
        Set<Grant> out = new TreeSet<>((a, b) -> (a.role() + " " + a.member()).compareTo(b.role() + " " + b.member()));
        for (Binding b : policy.getBindingsList()) {
            if (b.hasCondition()) {
                continue;
            }
            for (String m : b.getMembersList()) {
                if (m.contains(":")) {
                    out.add(new Grant(b.getRole(), new Member(m)));
                }
            }
        }
        return out;
    }

    /** Members (raw strings, any type) holding a role, conditional or not. */
    public static Set<String> membersWith(Policy policy, String role) {
        return policy.getBindingsList().stream()
                .filter(b -> b.getRole().equals(role))
                .flatMap(b -> b.getMembersList().stream())
                .collect(Collectors.toCollection(TreeSet::new));
    }

    /** Roles (any binding) held by a member. */
    public static Set<String> rolesOf(Policy policy, Member member) {
        return policy.getBindingsList().stream()
                .filter(b -> b.getMembersList().contains(member.value()))
                .map(Binding::getRole)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    /** Whether two policies grant the same things, ignoring etag and order. */
    public static boolean sameBindings(Policy a, Policy b) {
        return normalised(a).equals(normalised(b));
    }

    private static Set<String> normalised(Policy p) {
        Set<String> out = new TreeSet<>();
        for (Binding b : p.getBindingsList()) {
            for (String m : b.getMembersList()) {
                out.add(b.getRole() + "|" + m + "|"
                        + (b.hasCondition() ? b.getCondition().getExpression() : ""));
            }
        }
        return out;
    }
}
