package dev.cmek.azure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cmek.core.Change;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The README's example is this test's code, so it compiles and runs: the README shows what this test does. */
class ReadmeExampleTest extends EmulatorBacked {

    // README:begin
    static RestoreResult provisionVerifyRevokeRestore(
            Map<String, String> env, String clusterId, String clusterAppId, String tenantId) {
        AzureClients clients = AzureClients.fromEnvironment(env); // DefaultAzureCredential, AZURE_SUBSCRIPTION_ID
        AzureCmek azure = new AzureCmek(clients);
        AzureCmekRequest req = AzureCmekRequest.builder()
                .clusterId(clusterId)
                .clusterAppId(clusterAppId) // the cluster's azure_cluster_identity_client_id, from the Cloud API
                .tenantId(tenantId) // your tenant: the key spec's auth_principal
                .subscriptionId(clients.subscriptionIdOr(null)) // or the one given
                .regions(List.of("eastus", "centralindia"))
                .build();
        ProvisionResult plan = azure.plan(req); // reads only; ConsentRequiredException.url() when an admin must consent
        ProvisionResult done = azure.provision(req); // uri = done.keyOf(region) (versioned), done.authPrincipal()
        VerifyReport report = azure.verify(req, done.keys()); // each control: evidence, and a fix when it fails
        RevocationRecord record = azure.revoke(RevocationRequest.of(req, false)); // keep record.intents() (toJson)
        return azure.restore(RestoreRequest.of(record, req)); // refuses anything cmek never writes
    }
    // README:end

    @Test
    void theReadmeExample_provisionsVerifiesRevokesAndRestores() {
        RestoreResult back = provisionVerifyRevokeRestore(emulator.env(), CLUSTER, APP, emulator.tenantId());

        assertTrue(back.couldNot().isEmpty(), back.toString());
        // The revocation removed both regions' assignments and turned off the sign-in; restore put back all three.
        assertEquals(
                2,
                back.changes().stream()
                        .filter(c -> c.action() == Change.Action.CREATED)
                        .count(),
                back.toString());
        assertEquals(
                1,
                back.changes().stream()
                        .filter(c -> c.action() == Change.Action.UPDATED)
                        .count(),
                back.toString());
        VerifyReport after = cmek.verify(request("eastus", "centralindia").build());
        assertEquals(2, after.regions().size(), after.toString());
        assertTrue(after.ok(), after.toString());
    }

    @Test
    void theReadmeShowsExactlyThisTestsExample() throws Exception {
        assertEquals(
                unindented(between(Files.readString(Path.of("src/test/java/dev/cmek/azure/ReadmeExampleTest.java")))),
                unindented(javaBlock(Files.readString(Path.of("README.md")))),
                "README.md's first java block is the code between README:begin and README:end in this test");
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
