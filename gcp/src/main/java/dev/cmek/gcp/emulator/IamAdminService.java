package dev.cmek.gcp.emulator;

import com.google.iam.admin.v1.CreateServiceAccountRequest;
import com.google.iam.admin.v1.DisableServiceAccountRequest;
import com.google.iam.admin.v1.EnableServiceAccountRequest;
import com.google.iam.admin.v1.GetServiceAccountRequest;
import com.google.iam.admin.v1.IAMGrpc;
import com.google.iam.admin.v1.ListServiceAccountsRequest;
import com.google.iam.admin.v1.ListServiceAccountsResponse;
import com.google.iam.admin.v1.ServiceAccount;
import com.google.iam.v1.GetIamPolicyRequest;
import com.google.iam.v1.Policy;
import com.google.iam.v1.SetIamPolicyRequest;
import com.google.protobuf.ByteString;
import com.google.protobuf.Empty;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** IAM admin: service accounts and their own IAM policies. Deleting is not offered: the toolkit never deletes. */
final class IamAdminService extends IAMGrpc.IAMImplBase {
    private static final Pattern PROJECT_NAME = Pattern.compile("projects/([^/]+)");
    private static final Pattern ACCOUNT_NAME = Pattern.compile("projects/([^/]+)/serviceAccounts/([^/]+)");

    private final EmulatorState state;

    IamAdminService(EmulatorState state) {
        this.state = state;
    }

    /** Resolves {@code projects/{project|-}/serviceAccounts/{email|uniqueId}}. */
    private ServiceAccount find(String name) {
        Matcher m = ACCOUNT_NAME.matcher(name);
        if (!m.matches()) {
            throw Rpc.invalid("Invalid service account name [" + name
                    + "]: expected projects/{project}/serviceAccounts/{email}.");
        }
        String id = m.group(2);
        ServiceAccount sa = state.serviceAccounts.values().stream()
                .filter(s -> s.getEmail().equals(id) || s.getUniqueId().equals(id))
                .map(s -> state.visibleAccount(s.getEmail()))
                .filter(java.util.Objects::nonNull)
                .findFirst()
                .orElse(null);
        if (sa == null || (!m.group(1).equals("-") && !m.group(1).equals(sa.getProjectId()))) {
            throw Rpc.notFound("Service account " + name);
        }
        return sa;
    }

    @Override
    public void createServiceAccount(CreateServiceAccountRequest req, StreamObserver<ServiceAccount> out) {
        Rpc.answer(state, out, () -> {
            Matcher m = PROJECT_NAME.matcher(req.getName());
            if (!m.matches() || !EmulatorState.PROJECT.matcher(m.group(1)).matches()) {
                throw Rpc.invalid("Invalid project name [" + req.getName() + "].");
            }
            if (!EmulatorState.ACCOUNT_ID.matcher(req.getAccountId()).matches()) {
                throw Rpc.invalid("Invalid account id [" + req.getAccountId()
                        + "]: must be 6 to 30 characters, [a-z][a-z0-9-]*[a-z0-9].");
            }
            String project = m.group(1);
            String email = req.getAccountId() + "@" + project + ".iam.gserviceaccount.com";
            if (state.serviceAccounts.containsKey(email)) {
                throw Status.ALREADY_EXISTS
                        .withDescription("Service account " + req.getAccountId() + " already exists within project "
                                + req.getName() + ".")
                        .asRuntimeException();
            }
            String uniqueId = Long.toString(state.uniqueIdCounter++);
            ServiceAccount sa = req.getServiceAccount().toBuilder()
                    .setName(req.getName() + "/serviceAccounts/" + email)
                    .setProjectId(project)
                    .setEmail(email)
                    .setUniqueId(uniqueId)
                    .setOauth2ClientId(uniqueId)
                    .setEtag(ByteString.copyFrom("MDEwMjE5MjA=", StandardCharsets.US_ASCII))
                    .setDisabled(false)
                    .build();
            state.serviceAccounts.put(email, sa);
            // https://cloud.google.com/iam/docs/service-accounts-create: reads are eventually consistent, a new account
            // can take 60 s or more to become visible (Terraform polls for it: resource_google_service_account.go).
            state.accountVisibleAt.put(email, java.time.Instant.now().plus(state.accountPropagation));
            return sa;
        });
    }

    @Override
    public void getServiceAccount(GetServiceAccountRequest req, StreamObserver<ServiceAccount> out) {
        Rpc.answer(state, out, () -> find(req.getName()));
    }

    @Override
    public void disableServiceAccount(DisableServiceAccountRequest req, StreamObserver<Empty> out) {
        Rpc.answer(state, out, () -> {
            ServiceAccount sa = find(req.getName());
            state.serviceAccounts.put(
                    sa.getEmail(), sa.toBuilder().setDisabled(true).build());
            return Empty.getDefaultInstance();
        });
    }

    @Override
    public void enableServiceAccount(EnableServiceAccountRequest req, StreamObserver<Empty> out) {
        Rpc.answer(state, out, () -> {
            ServiceAccount sa = find(req.getName());
            state.serviceAccounts.put(
                    sa.getEmail(), sa.toBuilder().setDisabled(false).build());
            return Empty.getDefaultInstance();
        });
    }

    @Override
    public void listServiceAccounts(ListServiceAccountsRequest req, StreamObserver<ListServiceAccountsResponse> out) {
        Rpc.answer(state, out, () -> {
            Matcher m = PROJECT_NAME.matcher(req.getName());
            if (!m.matches()) {
                throw Rpc.invalid("Invalid project name [" + req.getName() + "].");
            }
            return ListServiceAccountsResponse.newBuilder()
                    .addAllAccounts(state.serviceAccounts.keySet().stream()
                            .map(state::visibleAccount)
                            .filter(java.util.Objects::nonNull)
                            .filter(sa -> sa.getProjectId().equals(m.group(1)))
                            .toList())
                    .build();
        });
    }

    @Override
    public void getIamPolicy(GetIamPolicyRequest req, StreamObserver<Policy> out) {
        Rpc.answer(
                state,
                out,
                () -> state.readPolicy(
                        find(req.getResource()).getEmail(), req.getOptions().getRequestedPolicyVersion()));
    }

    @Override
    public void setIamPolicy(SetIamPolicyRequest req, StreamObserver<Policy> out) {
        Rpc.answer(
                state,
                out,
                () -> state.setPolicy(find(req.getResource()).getEmail(), req.getPolicy(), Roles.On.SERVICE_ACCOUNT));
    }
}
