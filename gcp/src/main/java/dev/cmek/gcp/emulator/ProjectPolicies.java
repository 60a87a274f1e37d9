package dev.cmek.gcp.emulator;

import com.google.cloud.resourcemanager.v3.ProjectsGrpc;
import com.google.iam.v1.GetIamPolicyRequest;
import com.google.iam.v1.Policy;
import com.google.iam.v1.SetIamPolicyRequest;
import io.grpc.stub.StreamObserver;
import java.util.regex.Pattern;

/**
 * Cloud Resource Manager v3 {@code Projects.GetIamPolicy} / {@code SetIamPolicy}: the project's own IAM policy, whose
 * bindings reach every key ring, key and service account in it. Every well-formed project id exists.
 */
final class ProjectPolicies extends ProjectsGrpc.ProjectsImplBase {
    private static final Pattern PROJECT_NAME = Pattern.compile("projects/" + EmulatorState.PROJECT.pattern());

    private final EmulatorState state;

    ProjectPolicies(EmulatorState state) {
        this.state = state;
    }

    private static void check(String resource) {
        if (!PROJECT_NAME.matcher(resource).matches()) {
            throw Rpc.invalid("Invalid project resource name [" + resource + "]: expected projects/{project id}.");
        }
    }

    @Override
    public void getIamPolicy(GetIamPolicyRequest req, StreamObserver<Policy> out) {
        Rpc.answer(state, out, () -> {
            check(req.getResource());
            return state.readPolicy(req.getResource(), req.getOptions().getRequestedPolicyVersion());
        });
    }

    @Override
    public void setIamPolicy(SetIamPolicyRequest req, StreamObserver<Policy> out) {
        Rpc.answer(state, out, () -> {
            check(req.getResource());
            return state.setPolicy(req.getResource(), req.getPolicy(), Roles.On.PROJECT);
        });
    }
}
