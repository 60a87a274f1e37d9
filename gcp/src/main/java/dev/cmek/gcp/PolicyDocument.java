package dev.cmek.gcp;

import com.google.iam.v1.Binding;
import com.google.iam.v1.Policy;
import java.util.Base64;
import java.util.List;

/** A Jackson-friendly copy of an IAM policy, for revocation records. */
public record PolicyDocument(int version, String etag, List<BindingDocument> bindings) {
    /** One binding; {@code condition} is the CEL expression or null. */
    public record BindingDocument(String role, List<String> members, String condition) {}

    public PolicyDocument {
        bindings = List.copyOf(bindings);
    }

    public static PolicyDocument of(Policy policy) {
        return new PolicyDocument(
                policy.getVersion(),
                Base64.getEncoder().encodeToString(policy.getEtag().toByteArray()),
                policy.getBindingsList().stream()
                        .map(b -> new BindingDocument(
                                b.getRole(),
                                List.copyOf(b.getMembersList()),
                                b.hasCondition() ? b.getCondition().getExpression() : null))
                        .toList());
    }

    /** The policy's bindings as a proto, without etag or condition titles; for comparing, not for writing. */
    public Policy toPolicy() {
        Policy.Builder p = Policy.newBuilder().setVersion(version);
        for (BindingDocument b : bindings) {
            Binding.Builder bb = Binding.newBuilder().setRole(b.role()).addAllMembers(b.members());
            if (b.condition() != null) {
                bb.setCondition(com.google.type.Expr.newBuilder().setExpression(b.condition()));
            }
            p.addBindings(bb);
        }
        return p.build();
    }
}
