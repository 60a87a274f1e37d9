package dev.cmek.gcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The README's example is this test's code, so it compiles and runs: the README shows what this test does. */
class ReadmeExampleTest extends EmulatorBacked {

    // README:begin
    static RestoreResult provisionVerifyRevokeRestore(
            GcpClients clients, String project, String clusterId, String clusterAccount) {
        GcpCmek gcp = new GcpCmek(clients); // clients: GcpClients.fromEnvironment(), ADC or the emulator
        GcpCmekRequest req = GcpCmekRequest.builder()
                .customerProject(project) // your project: the key ring, the keys and the service account
                .clusterId(clusterId)
                .cockroachAccountId(clusterAccount) // the cluster's account_id, from the Cloud API
                .regions(List.of("us-east1", "us-west1")) // .sharedLocation("global") for one key
                .build();
        ProvisionPlan plan = gcp.plan(req); // reads only: what provision would do
        ProvisionResult done = gcp.provision(req); // uri = done.keyOf(region), auth_principal = done.serviceAccount()
        VerifyReport report = gcp.verify(req); // each control; report.notChecked(): what could not be read
        RevocationRecord record = gcp.revoke(req, true); // keep record.intents() (Jackson + JavaTimeModule)
        return gcp.restore(RestoreRequest.of(record, req)); // refuses grants cmek never makes
    }
    // README:end

    @Test
    void theReadmeExample_provisionsVerifiesRevokesAndRestores() {
        RestoreResult back = provisionVerifyRevokeRestore(clients, PROJECT, CLUSTER, CRDB_ACCOUNT);

        assertTrue(back.couldNot().isEmpty(), back.toString());
        assertFalse(back.changes().isEmpty(), "the revocation removed grants, and restore put them back");
        VerifyReport after = cmek.verify(request("us-east1", "us-west1").build());
        assertEquals(2, after.regions().size(), after.toString());
        assertTrue(after.ok(), after.toString());
    }

    @Test
    void theReadmeShowsExactlyThisTestsExample() throws Exception {
        assertEquals(
                unindented(between(Files.readString(Path.of("src/test/java/dev/cmek/gcp/ReadmeExampleTest.java")))),
                unindented(javaBlock(Files.readString(Path.of("README.md")))),
                "README.md's java block is the code between README:begin and README:end in this test");
    }

    private static String between(String source) {
        String begin = "// README:" + "begin\n";
        int from = source.indexOf(begin) + begin.length();
        return source.substring(from, source.indexOf("// README:" + "end", from));
    }

    private static String javaBlock(String readme) {
        int from = readme.indexOf("```java\n") + "```java\n".length();
        return readme.substring(from, readme.indexOf("```", from));
    }

    private static String unindented(String text) {
        return text.lines().map(String::strip).filter(l -> !l.isEmpty()).reduce("", (a, b) -> a + b + "\n");
    }
}
