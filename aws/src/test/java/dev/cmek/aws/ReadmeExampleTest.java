package dev.cmek.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cmek.aws.testing.MotoServer;
import dev.cmek.core.RevocationJournal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.regions.Region;

/** The README's example is this test's code, so it compiles and runs: the README shows what this test does. */
class ReadmeExampleTest {
    @RegisterExtension
    static MotoServer moto = MotoServer.create();

    // README:begin
    static RestoreResult provisionVerifyRevokeRestore(
            SdkClients clients, String clusterId, String clusterAccount, String organizationId) {
        try (AwsCmek cmek = new AwsCmek(clients)) { // clients: SdkClients.builder().build(), the default chain
            AwsCmekRequest req = AwsCmekRequest.of(
                    ClusterId.of(clusterId),
                    AccountId.of(clusterAccount), // the cluster's account_id, from the Cloud API
                    ExternalId.of(organizationId), // the CockroachDB Cloud organization id
                    List.of(Region.US_EAST_1, Region.EU_WEST_1));
            ProvisionResult plan = cmek.plan(req); // reads only: what provision would do
            ProvisionResult done = cmek.provision(req); // the role, a key per region, and every change
            VerifyReport report = cmek.verify(req); // each control, per region, with its evidence
            RevocationRecord record = cmek.revoke(RevocationRequest.of(req, true), RevocationJournal.none());
            return cmek.restore(RestoreRequest.of(record, req)); // exactly what record.intents() removed
        }
    }
    // README:end

    @Test
    void theReadmeExample_provisionsVerifiesRevokesAndRestores() {
        String clusterId = "5b7d2c1e-8f3a-4b6c-9d0e-1f2a3b4c5d6e";
        AwsCmekRequest req = AwsCmekRequest.of(
                ClusterId.of(clusterId),
                AccountId.of("999988887777"),
                ExternalId.of("9b8a7c6d-0000-4000-8000-00000000abcd"),
                List.of(Region.US_EAST_1, Region.EU_WEST_1));
        try (SdkClients clients = moto.clients()) {
            RestoreResult back = provisionVerifyRevokeRestore(
                    clients, clusterId, "999988887777", "9b8a7c6d-0000-4000-8000-00000000abcd");

            assertTrue(back.couldNot().isEmpty(), back.toString());
            assertFalse(back.changes().isEmpty(), "the revocation removed grants, and restore put them back");
        }
        try (SdkClients clients = moto.clients();
                AwsCmek cmek = new AwsCmek(clients)) {
            VerifyReport after = cmek.verify(req);
            assertEquals(2, after.regions().size(), after.toString());
            assertTrue(after.ok(), after.toString());
        }
    }

    @Test
    void theReadmeShowsExactlyThisTestsExample() throws Exception {
        assertEquals(
                unindented(between(Files.readString(Path.of("src/test/java/dev/cmek/aws/ReadmeExampleTest.java")))),
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
