package dev.cmek.terraform;

import static dev.cmek.cli.Cli.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cmek.azure.AzureClients;
import dev.cmek.azure.AzureCmek;
import dev.cmek.azure.AzureCmekRequest;
import dev.cmek.azure.AzureResource;
import dev.cmek.azure.Protection;
import dev.cmek.azure.ProvisionResult;
import dev.cmek.azure.RotationSchedule;
import dev.cmek.cli.Cli;
import dev.cmek.core.Change;
import dev.cmek.model.ManifestCodec;
import dev.cmek.model.RegionSpec;
import dev.cmek.sandbox.CloudApiSandbox;
import dev.cmek.sandbox.SandboxConfig;
import dev.cmek.terraform.HclReader.Block;
import dev.cmek.terraform.HclReader.Call;
import dev.cmek.terraform.HclReader.Ref;
import dev.cmek.testing.AzureEmulatorFixture;
import dev.cmek.testing.Sandboxes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Azure export, read back and compared with what provision makes: no azurerm or azuread provider installs here, so
 * the files are parsed ({@link HclReader}) and checked name by name against the {@code azure} adapter's request and
 * its plan in the Azure emulator (the role assignments' names and scopes, what exists to import);
 * {@code terraform fmt -check} where terraform is installed.
 */
class TerraformAzureExportTest {
    @RegisterExtension
    static final AzureEmulatorFixture AZURE = new AzureEmulatorFixture();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CLUSTER = "6f1d7a0e-3b2c-4d5e-8f90-a1b2c3d4e5f6";
    private static final String APP = "0b7c9d1e-2f3a-4b5c-9d6e-7f8091a2b3c4";
    private static final List<String> REGIONS = List.of("eastus", "centralindia");
    private static final SandboxConfig CONFIG = SandboxConfig.parse("""
            {"organization": {"id": "%s", "name": "acme"},
             "clusters": [
               {"id": "%s", "name": "orders", "cloud_provider": "AZURE", "azure_cluster_identity_client_id": "%s",
                "plan": "ADVANCED", "state": "CREATED", "network_visibility": "PRIVATE",
                "regions": [{"name": "eastus", "node_count": 3}, {"name": "centralindia", "node_count": 3}]}
             ]}
            """.formatted(Sandboxes.ORG_ID, CLUSTER, APP));

    private CloudApiSandbox sandbox;

    @TempDir
    Path dir;

    @BeforeEach
    void start() {
        AZURE.registerClusterApps(CONFIG);
        sandbox = CloudApiSandbox.builder()
                .config(CONFIG)
                .apiKey(Sandboxes.API_KEY)
                .transitionDelay(Duration.ofMillis(100))
                .build()
                .start();
    }

    @AfterEach
    void stop() {
        Sandboxes.closeConforming(sandbox);
    }

    private Cli cli() {
        return AZURE.env(new Cli().api(sandbox));
    }

    /** The request provision builds for the cluster by default. */
    private static AzureCmekRequest.Builder request() {
        Map<String, String> env = AZURE.emulator().env();
        return AzureCmekRequest.builder()
                .clusterId(CLUSTER)
                .clusterAppId(APP)
                .tenantId(env.get("AZURE_TENANT_ID"))
                .subscriptionId(env.get("AZURE_SUBSCRIPTION_ID"))
                .regions(REGIONS);
    }

    /** The adapter's own plan for {@code req}, in the emulator (reads only). */
    private static ProvisionResult plan(AzureCmekRequest req) {
        return new AzureCmek(AzureClients.fromEnvironment(AZURE.emulator().env())).plan(req);
    }

    /** Each region's role assignment id in the plan: scope + /providers/Microsoft.Authorization/roleAssignments/name. */
    private static Map<String, String> assignmentIds(ProvisionResult plan) {
        Map<String, String> out = new LinkedHashMap<>();
        plan.changes().stream()
                .filter(c -> c.type() == AzureResource.ROLE_ASSIGNMENT)
                .forEach(c -> out.put(c.region(), c.resource()));
        assertEquals(REGIONS, List.copyOf(out.keySet()), "one assignment per region: " + plan.changes());
        return out;
    }

    @Test
    void export_isWhatProvisionMakes_namesTagsRoleAssignmentsRotation() throws Exception {
        Path out = dir.resolve("export");
        JsonNode doc = JSON.readTree(
                ok(cli().run("export", "terraform", "--cluster", CLUSTER, "--out", out.toString(), "-o", "json"))
                        .out());
        AzureCmekRequest req = request().build();
        Map<String, String> assignments = assignmentIds(plan(req));

        assertEquals(TerraformGcpExportTest.filesIn(out), strings(doc.path("files")), "the JSON lists the files");
        assertEquals(List.of(), strings(doc.path("imports")));
        assertFalse(Files.exists(out.resolve("azure/imports.tf")));

        Block azure = HclReader.directory(out.resolve("azure"));
        Block providers = azure.block("terraform").block("required_providers");
        assertEquals(
                Map.of("source", "hashicorp/azurerm", "version", AzureConfiguration.AZURERM_VERSION),
                providers.attr("azurerm"));
        assertEquals(
                Map.of("source", "hashicorp/azuread", "version", AzureConfiguration.AZUREAD_VERSION),
                providers.attr("azuread"));
        assertEquals(req.subscriptionId(), azure.block("provider", "azurerm").attr("subscription_id"));
        assertEquals(req.tenantId(), azure.block("provider", "azuread").attr("tenant_id"));

        assertEquals(
                Map.of("client_id", APP),
                azure.block("resource", "azuread_service_principal", "cluster").attributes());
        Block group = azure.block("resource", "azurerm_resource_group", "cmek");
        assertEquals(req.resourceGroup(), group.attr("name"));
        assertEquals("eastus", group.attr("location"), "the first region, as provision makes it");
        assertEquals(tags(req.resourceGroupTags()), group.attr("tags"));
        assertEquals(new Ref("true"), group.block("lifecycle").attr("prevent_destroy"));

        for (String region : REGIONS) {
            String label = AwsConfiguration.label(region);
            Block vault = azure.block("resource", "azurerm_key_vault", label);
            assertEquals(req.vaultNameOf(region), vault.attr("name"));
            assertEquals(region, vault.attr("location"));
            assertEquals(new Ref("azurerm_resource_group.cmek.name"), vault.attr("resource_group_name"));
            assertEquals(req.tenantId(), vault.attr("tenant_id"));
            assertEquals("standard", vault.attr("sku_name"));
            assertEquals(new Ref("true"), vault.attr("enable_rbac_authorization"));
            assertEquals(new Ref("true"), vault.attr("purge_protection_enabled"));
            assertEquals(new Ref("90"), vault.attr("soft_delete_retention_days"));
            assertEquals(tags(req.vaultTags(region)), vault.attr("tags"));
            assertEquals(new Ref("true"), vault.block("lifecycle").attr("prevent_destroy"));

            Block key = azure.block("resource", "azurerm_key_vault_key", label);
            assertEquals(req.keyOf(region, 1).keyName(), key.attr("name"));
            assertEquals(new Ref("azurerm_key_vault." + label + ".id"), key.attr("key_vault_id"));
            assertEquals("RSA", key.attr("key_type"));
            assertEquals(new Ref("3072"), key.attr("key_size"));
            assertEquals(List.of("encrypt", "decrypt", "wrapKey", "unwrapKey"), key.attr("key_opts"));
            assertEquals(tags(req.keyTags(region)), key.attr("tags"));
            assertEquals(
                    "P" + RotationSchedule.DEFAULT_DAYS + "D",
                    key.block("rotation_policy").block("automatic").attr("time_after_creation"));
            assertEquals(new Ref("true"), key.block("lifecycle").attr("prevent_destroy"));

            Block grant = azure.block("resource", "azurerm_role_assignment", label);
            String id = assignments.get(region);
            assertEquals(
                    id,
                    grant.attr("scope") + "/providers/Microsoft.Authorization/roleAssignments/" + grant.attr("name"),
                    "the name and scope provision's plan gives");
            assertEquals(req.vaultIdOf(region) + "/keys/crdb-cmek", grant.attr("scope"), "Crypto User on the key");
            assertEquals(
                    "/subscriptions/" + req.subscriptionId()
                            + "/providers/Microsoft.Authorization/roleDefinitions/12338af0-0e69-4776-bea7-57ae8d297424",
                    grant.attr("role_definition_id"),
                    "Key Vault Crypto User");
            assertEquals(new Ref("azuread_service_principal.cluster.object_id"), grant.attr("principal_id"));
            assertEquals("ServicePrincipal", grant.attr("principal_type"));
            assertEquals(req.roleAssignmentDescription(region), grant.attr("description"));
            assertEquals(List.of(new Ref("azurerm_key_vault_key." + label)), grant.attr("depends_on"));
        }
        assertEquals(
                List.of(
                        "azuread_service_principal.cluster",
                        "azurerm_key_vault.centralindia",
                        "azurerm_key_vault.eastus",
                        "azurerm_key_vault_key.centralindia",
                        "azurerm_key_vault_key.eastus",
                        "azurerm_resource_group.cmek",
                        "azurerm_role_assignment.centralindia",
                        "azurerm_role_assignment.eastus"),
                azure.resources(),
                "nothing else: no other grant, no other resource");

        List<?> regions = (List<?>) azure.block("output", "cmek_regions").attr("value");
        assertEquals(
                Map.of(
                        "region",
                        "centralindia",
                        "key",
                        Map.of(
                                "auth_principal",
                                req.tenantId(),
                                "type",
                                "AZURE_KEY_VAULT",
                                "uri",
                                new Ref("azurerm_key_vault_key.centralindia.id"))),
                regions.get(0));
        assertEquals(req.tenantId(), azure.block("output", "auth_principal").attr("value"));
        assertEquals(
                Map.of("path", "../azure/terraform.tfstate"),
                HclReader.directory(out.resolve("cockroach"))
                        .block("variable", "keys_state_config")
                        .attr("default"));
        TerraformGcpExportTest.assertNoSecrets(out);
        assertNoAzureSecret(out);
    }

    @Test
    void importAfterProvision_adoptsEverythingProvisionMade() throws Exception {
        Path manifestFile = dir.resolve("cmek_config.json");
        ok(cli().run("provision", "--cluster", CLUSTER, "--out", manifestFile.toString()));
        Map<String, String> made = new LinkedHashMap<>();
        for (RegionSpec r : ManifestCodec.read(manifestFile).regionSpecs()) {
            made.put(r.region(), r.keySpec().uri());
        }
        AzureCmekRequest req = request().build();
        ProvisionResult plan = plan(req);
        assertTrue(
                plan.changes().stream().allMatch(c -> c.action() == Change.Action.UNCHANGED),
                "provision made everything: " + plan.changes());
        Map<String, String> assignments = assignmentIds(plan);

        Path out = dir.resolve("export");
        Cli.Result exported =
                ok(cli().run("export", "terraform", "--cluster", CLUSTER, "--out", out.toString(), "--import"));
        assertTrue(exported.out().contains("next: cd " + out.resolve("azure") + " && terraform init"), exported.out());
        Map<String, String> expected = new TreeMap<>();
        expected.put(
                "azuread_service_principal.cluster",
                "/servicePrincipals/" + plan.servicePrincipalId().orElseThrow());
        expected.put("azurerm_resource_group.cmek", req.resourceGroupId());
        for (String region : REGIONS) {
            String label = AwsConfiguration.label(region);
            expected.put("azurerm_key_vault." + label, req.vaultIdOf(region));
            expected.put("azurerm_key_vault_key." + label, made.get(region));
            expected.put("azurerm_role_assignment." + label, assignments.get(region));
        }
        assertEquals(expected, HclReader.directory(out.resolve("azure")).imports());
        assertFalse(Files.exists(out.resolve("cockroach/imports.tf")), "CMEK is not on yet: nothing to adopt");

        JsonNode without = JSON.readTree(ok(cli().run(
                                "export",
                                "terraform",
                                "--cluster",
                                CLUSTER,
                                "--out",
                                dir.resolve("without").toString(),
                                "-o",
                                "json"))
                .out());
        assertTrue(
                without.path("notes").toString().contains("export with --import to adopt them"),
                "without --import, what exists is named: " + without);
    }

    @Test
    void options_hsmNoRotationAndCryptoOfficer_areThoseProvisionUses() throws Exception {
        Path out = dir.resolve("export");
        ok(cli().run(
                        "export",
                        "terraform",
                        "--cluster",
                        CLUSTER,
                        "--out",
                        out.toString(),
                        "--azure-protection",
                        "HSM",
                        "--no-auto-rotation",
                        "--azure-crypto-officer"));
        AzureCmekRequest req = request()
                .protection(Protection.HSM)
                .rotation(RotationSchedule.off())
                .broaderRole(true)
                .build();
        Map<String, String> assignments = assignmentIds(plan(req));
        Block azure = HclReader.directory(out.resolve("azure"));
        Block vault = azure.block("resource", "azurerm_key_vault", "eastus");
        assertEquals("premium", vault.attr("sku_name"));
        Block key = azure.block("resource", "azurerm_key_vault_key", "eastus");
        assertEquals("RSA-HSM", key.attr("key_type"));
        assertTrue(key.blocks("rotation_policy").isEmpty(), "no rotation asked");
        assertEquals(
                List.of(new Ref("rotation_policy")),
                key.block("lifecycle").attr("ignore_changes"),
                "a key that rotates keeps rotating");
        Block grant = azure.block("resource", "azurerm_role_assignment", "eastus");
        assertEquals(req.vaultIdOf("eastus"), grant.attr("scope"), "Crypto Officer on the vault");
        assertEquals(
                assignments.get("eastus"),
                grant.attr("scope") + "/providers/Microsoft.Authorization/roleAssignments/" + grant.attr("name"));
        assertEquals(req.roleDefinitionId(), grant.attr("role_definition_id"));
        assertTrue(
                req.roleDefinitionId().endsWith("/14b46e9e-c2b7-41b4-b07b-48a6ebf60603"), "Key Vault Crypto Officer");
    }

    @Test
    void keyYouBring_onlyItsRoleAssignmentIsManaged() throws Exception {
        Path manifestFile = dir.resolve("cmek_config.json");
        ok(cli().run("provision", "--cluster", CLUSTER, "--out", manifestFile.toString()));
        String versioned = ManifestCodec.read(manifestFile).regionSpecs().stream()
                .filter(r -> r.region().equals("eastus"))
                .findFirst()
                .orElseThrow()
                .keySpec()
                .uri();
        String yours = versioned.substring(0, versioned.lastIndexOf('/'));
        Path out = dir.resolve("export");
        ok(cli().run(
                        "export",
                        "terraform",
                        "--cluster",
                        CLUSTER,
                        "--out",
                        out.toString(),
                        "--existing-key",
                        "eastus=" + yours,
                        "--import"));
        AzureCmekRequest req = request()
                .existingKey("eastus", dev.cmek.azure.KeyUri.parse(yours))
                .build();
        Map<String, String> assignments = assignmentIds(plan(req));
        Block azure = HclReader.directory(out.resolve("azure"));
        assertEquals(
                List.of(
                        "azuread_service_principal.cluster",
                        "azurerm_key_vault.centralindia",
                        "azurerm_key_vault_key.centralindia",
                        "azurerm_resource_group.cmek",
                        "azurerm_role_assignment.centralindia",
                        "azurerm_role_assignment.yours_eastus"),
                azure.resources(),
                "your key and its vault are not managed");
        Block grant = azure.block("resource", "azurerm_role_assignment", "yours_eastus");
        assertEquals(
                assignments.get("eastus"),
                grant.attr("scope") + "/providers/Microsoft.Authorization/roleAssignments/" + grant.attr("name"));
        assertFalse(grant.attributes().containsKey("depends_on"));
        assertEquals(
                assignments.get("eastus"),
                azure.imports().get("azurerm_role_assignment.yours_eastus"),
                "provision made it: adopted");
        assertEquals(
                Map.of("eastus", versioned, "centralindia", new Ref("azurerm_key_vault_key.centralindia.id")),
                azure.block("output", "key_uris").attr("value"),
                "your key's versioned URI as it is now");
    }

    @Test
    void export_isFmtClean() throws Exception {
        Terraform tf = Terraform.require();
        Path out = dir.resolve("export");
        ok(cli().run(
                        "provision",
                        "--cluster",
                        CLUSTER,
                        "--out",
                        dir.resolve("m.json").toString()));
        ok(cli().run("export", "terraform", "--cluster", CLUSTER, "--out", out.toString(), "--import"));
        Terraform.Result fmt = tf.run(out, "fmt", "-check", "-recursive", "-diff", "-no-color");
        assertEquals(0, fmt.exit(), fmt.all());
    }

    private static void assertNoAzureSecret(Path out) throws Exception {
        String secret = AZURE.emulator().env().get("AZURE_CLIENT_SECRET");
        for (String f : TerraformGcpExportTest.filesIn(out)) {
            assertFalse(Files.readString(out.resolve(f)).contains(secret), "the Azure client secret in " + f);
        }
    }

    private static Call tags(Map<String, String> ours) {
        return new Call("merge", List.of(new Ref("var.extra_tags"), Map.copyOf(ours)));
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out.stream().sorted().toList();
    }
}
