package dev.cmek.gcp.emulator;

import com.google.iam.v1.GetIamPolicyRequest;
import com.google.iam.v1.IAMPolicyGrpc;
import com.google.iam.v1.Policy;
import com.google.iam.v1.SetIamPolicyRequest;
import io.grpc.stub.StreamObserver;

/** {@code google.iam.v1.IAMPolicy} for key rings and crypto keys, served on the KMS channel as in GCP. */
final class KeyIamPolicyService extends IAMPolicyGrpc.IAMPolicyImplBase {
    private final EmulatorState state;

    KeyIamPolicyService(EmulatorState state) {
        this.state = state;
    }

    private void checkExists(String resource) {
        if (!KmsService.isKmsResource(resource)) {
            throw Rpc.invalid("Resource name [" + resource + "] is not a key ring or crypto key.");
        }
        if (!state.keyRings.containsKey(resource) && !state.cryptoKeys.containsKey(resource)) {
            throw Rpc.notFound("Resource " + resource);
        }
    }

    @Override
    public void getIamPolicy(GetIamPolicyRequest req, StreamObserver<Policy> out) {
        Rpc.answer(state, out, () -> {
            checkExists(req.getResource());
            return state.readPolicy(req.getResource(), req.getOptions().getRequestedPolicyVersion());
        });
    }

    @Override
    public void setIamPolicy(SetIamPolicyRequest req, StreamObserver<Policy> out) {
        Rpc.answer(state, out, () -> {
            checkExists(req.getResource());
            return state.setPolicy(req.getResource(), req.getPolicy(), Roles.On.KMS);
        });
    }
}
