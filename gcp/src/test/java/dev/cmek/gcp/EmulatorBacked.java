package dev.cmek.gcp;

import com.google.cloud.kms.v1.CryptoKeyName;
import com.google.iam.v1.Binding;
import com.google.iam.v1.GetIamPolicyRequest;
import com.google.iam.v1.Policy;
import com.google.iam.v1.SetIamPolicyRequest;
import dev.cmek.gcp.emulator.GcpEmulator;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** Starts an in-process emulator and real clients over it for each test. */
abstract class EmulatorBacked {
    static final String PROJECT = "cust-proj";
    static final String CLUSTER = "9e1a3c0b-9ebd-43d9-8f42-589c9e6fc081";
    static final String CRDB_ACCOUNT = "crdb-acct-123";

    /** The default budget's shape with test-sized pauses, so retried UNAVAILABLEs cost milliseconds, not seconds. */
    static final GcpClients.CallBudget TEST_BUDGET = new GcpClients.CallBudget(
            Duration.ofSeconds(10), Duration.ofSeconds(5), Duration.ofMillis(20), Duration.ofMillis(200));

    GcpEmulator emulator;
    GcpClients clients;
    GcpCmek cmek;

    @BeforeEach
    void startEmulator() {
        emulator = GcpEmulator.inProcess();
        clients = GcpClients.overChannel(emulator.channel(), TEST_BUDGET);
        cmek = new GcpCmek(clients);
    }

    @AfterEach
    void stopEmulator() {
        clients.close();
        emulator.close();
    }

    static GcpCmekRequest.Builder request(String... regions) {
        return GcpCmekRequest.builder()
                .customerProject(PROJECT)
                .clusterId(CLUSTER)
                .cockroachAccountId(CRDB_ACCOUNT)
                .regions(List.of(regions));
    }

    Policy keyPolicy(CryptoKeyName key) {
        return clients.kms()
                .getIamPolicy(GetIamPolicyRequest.newBuilder()
                        .setResource(key.toString())
                        .build());
    }

    Policy saPolicy(ServiceAccountEmail sa) {
        return clients.iam()
                .getIamPolicy(GetIamPolicyRequest.newBuilder()
                        .setResource(sa.resourceName())
                        .build());
    }

    /** Someone else's edit: adds a binding with a raw read-modify-write. */
    void addToKeyPolicy(CryptoKeyName key, String role, String member) {
        Policy p = keyPolicy(key);
        p = p.toBuilder()
                .addBindings(Binding.newBuilder().setRole(role).addMembers(member))
                .build();
        clients.kms()
                .setIamPolicy(SetIamPolicyRequest.newBuilder()
                        .setResource(key.toString())
                        .setPolicy(p)
                        .build());
    }

    /**
     * Whether CockroachDB's identity can use the key through the account within {@code window}: new bindings take the
     * emulator's propagation window to become effective, as in IAM.
     */
    static boolean usableWithin(GcpEmulator emulator, String member, String sa, String key, Duration window) {
        long deadline = System.nanoTime() + window.toNanos();
        while (!emulator.canImpersonateAndUse(member, sa, key)) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    boolean usableSoon(String member, ServiceAccountEmail sa, CryptoKeyName key) {
        return usableWithin(emulator, member, sa.value(), key.toString(), Duration.ofSeconds(3));
    }

    /** Whether verify comes out ok within {@code window} (an HSM primary starts PENDING_GENERATION). */
    boolean verifiedWithin(GcpCmekRequest req, Duration window) {
        long deadline = System.nanoTime() + window.toNanos();
        while (!cmek.verify(req).ok()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /** Each member appears at most once per role, across unconditional bindings. */
    static boolean noDuplicateMembers(Policy p) {
        return p.getBindingsList().stream()
                        .allMatch(b -> b.getMembersList().stream().distinct().count() == b.getMembersCount())
                && p.getBindingsList().stream().map(Binding::getRole).distinct().count() == p.getBindingsCount();
    }
}
