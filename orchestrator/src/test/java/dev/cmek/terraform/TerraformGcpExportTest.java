package dev.cmek.terraform;

import static dev.cmek.cli.Cli.ok;
import static dev.cmek.testing.Sandboxes.GCP_ACCOUNT;
import static dev.cmek.testing.Sandboxes.GCP_CLUSTER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.cloud.kms.v1.CreateCryptoKeyRequest;
import com.google.cloud.kms.v1.CryptoKey;
import com.google.cloud.kms.v1.KeyRing;
import com.google.cloud.kms.v1.KeyRingName;
import com.google.cloud.kms.v1.LocationName;
import dev.cmek.cli.Cli;
import dev.cmek.gcp.CmekNames;
import dev.cmek.gcp.GcpClients;
import dev.cmek.gcp.GcpCmekRequest;
import dev.cmek.gcp.Grant;
import dev.cmek.gcp.RotationSchedule;
import dev.cmek.model.ManifestCodec;
import dev.cmek.model.RegionSpec;
import dev.cmek.sandbox.CloudApiSandbox;
import dev.cmek.sandbox.CloudKeyChecks;
import dev.cmek.terraform.HclReader.Block;
import dev.cmek.terraform.HclReader.Call;
import dev.cmek.terraform.HclReader.Ref;
import dev.cmek.testing.GcpEmulatorFixture;
import dev.cmek.testing.Sandboxes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The GCP export, read back and compared with what provision makes: no Google provider installs here, so the files are
 * parsed ({@link HclReader}) and checked name by name against the {@code gcp} adapter's request and against what
 * provision made in the emulator; {@code terraform fmt -check} where terraform is installed.
 */
class TerraformGcpExportTest {
    @RegisterExtension
    static final GcpEmulatorFixture GCP = new GcpEmulatorFixture();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PROJECT = "acme-keys";

    private CloudApiSandbox sandbox;

    @TempDir
    Path dir;

    @BeforeEach
    void startSandbox() {
        sandbox = Sandboxes.startCheckingKeys(
                Duration.ofMillis(100),
                CloudKeyChecks.of(Optional.empty(), Optional.of(CloudKeyChecks.gcp(GCP.emulator()))));
    }

    @AfterEach
    void stopSandbox() {
        Sandboxes.closeConforming(sandbox);
    }

    private Cli cli() {
        return GCP.env(new Cli().api(sandbox).env("CMEK_GCP_PROJECT", PROJECT));
    }

    /** The request provision builds for the sandbox's GCP cluster by default. */
    private static GcpCmekRequest provisionRequest() {
        return GcpCmekRequest.builder()
                .customerProject(PROJECT)
                .clusterId(GCP_CLUSTER)
                .cockroachAccountId(GCP_ACCOUNT)
                .regions(List.of("us-central1"))
                .build();
    }

    @Test
    void export_isWhatProvisionMakes_namesRolesMembersLabelsRotation() throws Exception {
        Path out = dir.resolve("export");
        JsonNode doc = JSON.readTree(
                ok(cli().run("export", "terraform", "--cluster", GCP_CLUSTER, "--out", out.toString(), "-o", "json"))
                        .out());
        GcpCmekRequest req = provisionRequest();

        assertEquals(filesIn(out), strings(doc.path("files")), "the JSON lists exactly the files written");
        assertEquals(List.of(), strings(doc.path("imports")));
        assertFalse(Files.exists(out.resolve("gcp/imports.tf")));
        assertFalse(Files.exists(out.resolve("aws")), "only the cluster's cloud");

        Block gcp = HclReader.directory(out.resolve("gcp"));
        Block provider = gcp.block("terraform").block("required_providers");
        assertEquals(
                Map.of("source", "hashicorp/google", "version", GcpConfiguration.PROVIDER_VERSION),
                provider.attr("google"));
        assertEquals(1, gcp.blocks("provider").size(), "one provider: " + gcp.blocks("provider"));

        Block account = gcp.block("resource", "google_service_account", "cmek");
        assertEquals(PROJECT, account.attr("project"));
        assertEquals(req.serviceAccountEmail().accountId(), account.attr("account_id"));
        assertEquals(CmekNames.serviceAccountDisplayName(req.clusterId()), account.attr("display_name"));
        assertEquals(CmekNames.serviceAccountDescription(req.clusterId()), account.attr("description"));

        Block tokenCreator = gcp.block("resource", "google_service_account_iam_member", "cockroach_token_creator");
        assertEquals(new Ref("google_service_account.cmek.name"), tokenCreator.attr("service_account_id"));
        assertEquals(Grant.TOKEN_CREATOR, tokenCreator.attr("role"));
        assertEquals(
                "serviceAccount:crl-kms-user-" + GCP_CLUSTER.substring(GCP_CLUSTER.length() - 12) + "@" + GCP_ACCOUNT
                        + ".iam.gserviceaccount.com",
                tokenCreator.attr("member"));

        Block ring = gcp.block("resource", "google_kms_key_ring", "us_central1");
        assertEquals(
                Map.of("project", PROJECT, "name", CmekNames.keyRingId(req.clusterId()), "location", "us-central1"),
                ring.attributes());
        Block key = gcp.block("resource", "google_kms_crypto_key", "us_central1");
        assertEquals(CmekNames.cryptoKeyId(CmekNames.DEFAULT_KEY_BASE, 1), key.attr("name"));
        assertEquals(new Ref("google_kms_key_ring.us_central1.id"), key.attr("key_ring"));
        assertEquals("ENCRYPT_DECRYPT", key.attr("purpose"));
        assertEquals(Duration.ofDays(RotationSchedule.DEFAULT_DAYS).toSeconds() + "s", key.attr("rotation_period"));
        assertEquals(
                new Call("merge", List.of(new Ref("var.extra_labels"), Map.copyOf(CmekNames.labels(req.clusterId())))),
                key.attr("labels"));
        assertEquals(
                Map.of("algorithm", "GOOGLE_SYMMETRIC_ENCRYPTION", "protection_level", "SOFTWARE"),
                key.block("version_template").attributes());
        assertEquals(new Ref("true"), key.block("lifecycle").attr("prevent_destroy"));

        Block binding = gcp.block("resource", "google_kms_crypto_key_iam_member", "us_central1");
        assertEquals(new Ref("google_kms_crypto_key.us_central1.id"), binding.attr("crypto_key_id"));
        assertEquals(Grant.ENCRYPTER_DECRYPTER, binding.attr("role"));
        assertEquals(new Ref("google_service_account.cmek.member"), binding.attr("member"));

        assertEquals(
                List.of(
                        "google_kms_crypto_key.us_central1",
                        "google_kms_crypto_key_iam_member.us_central1",
                        "google_kms_key_ring.us_central1",
                        "google_service_account.cmek",
                        "google_service_account_iam_member.cockroach_token_creator"),
                gcp.resources(),
                "nothing else: no other grant, no other resource");

        List<?> regions = (List<?>) gcp.block("output", "cmek_regions").attr("value");
        assertEquals(
                List.of(Map.of(
                        "region",
                        "us-central1",
                        "key",
                        Map.of(
                                "auth_principal",
                                new Ref("google_service_account.cmek.email"),
                                "type",
                                "GCP_CLOUD_KMS",
                                "uri",
                                new Ref("google_kms_crypto_key.us_central1.id")))),
                regions);

        Block cockroach = HclReader.directory(out.resolve("cockroach"));
        assertEquals(
                GCP_CLUSTER,
                cockroach.block("resource", "cockroach_cmek", "this").attr("id"));
        assertEquals(
                Map.of("path", "../gcp/terraform.tfstate"),
                cockroach.block("variable", "keys_state_config").attr("default"));
        assertNoSecrets(out);
    }

    @Test
    void importAfterProvision_adoptsEverythingProvisionMade_andCmekOnceEnabled() throws Exception {
        Path manifestFile = dir.resolve("cmek_config.json");
        ok(cli().run("provision", "--cluster", GCP_CLUSTER, "--out", manifestFile.toString()));
        RegionSpec made = ManifestCodec.read(manifestFile).regionSpecs().get(0);
        Path out = dir.resolve("export");
        ok(cli().run("export", "terraform", "--cluster", GCP_CLUSTER, "--out", out.toString(), "--import"));

        Block gcp = HclReader.directory(out.resolve("gcp"));
        Block ring = gcp.block("resource", "google_kms_key_ring", "us_central1");
        Block key = gcp.block("resource", "google_kms_crypto_key", "us_central1");
        assertEquals(
                made.keySpec().uri(),
                "projects/" + ring.attr("project") + "/locations/" + ring.attr("location") + "/keyRings/"
                        + ring.attr("name") + "/cryptoKeys/" + key.attr("name"),
                "the key the configuration holds is the one provision made");
        Block account = gcp.block("resource", "google_service_account", "cmek");
        assertEquals(
                made.keySpec().authPrincipal(),
                account.attr("account_id") + "@" + account.attr("project") + ".iam.gserviceaccount.com");

        GcpCmekRequest req = provisionRequest();
        String sa = req.serviceAccountEmail().value();
        Map<String, String> imports = gcp.imports();
        assertEquals(
                Map.of(
                        "google_service_account.cmek",
                        "projects/" + PROJECT + "/serviceAccounts/" + sa,
                        "google_service_account_iam_member.cockroach_token_creator",
                        "projects/" + PROJECT + "/serviceAccounts/" + sa + " " + Grant.TOKEN_CREATOR + " "
                                + req.cockroachMember().value(),
                        "google_kms_key_ring.us_central1",
                        made.keySpec().uri().substring(0, made.keySpec().uri().indexOf("/cryptoKeys/")),
                        "google_kms_crypto_key.us_central1",
                        made.keySpec().uri(),
                        "google_kms_crypto_key_iam_member.us_central1",
                        PROJECT + "/us-central1/" + CmekNames.keyRingId(req.clusterId()) + "/crdb-cmek "
                                + Grant.ENCRYPTER_DECRYPTER + " serviceAccount:" + sa),
                imports);
        assertFalse(Files.exists(out.resolve("cockroach/imports.tf")), "CMEK is not on yet: nothing to adopt");
        JsonNode without = JSON.readTree(ok(cli().run(
                                "export",
                                "terraform",
                                "--cluster",
                                GCP_CLUSTER,
                                "--out",
                                dir.resolve("without").toString(),
                                "-o",
                                "json"))
                .out());
        assertTrue(
                without.path("notes").toString().contains("export with --import to adopt them"),
                "without --import, what exists is named: " + without);

        ok(cli().run("enable", "--cluster", GCP_CLUSTER, "--manifest", manifestFile.toString()));
        ok(cli().run("export", "terraform", "--cluster", GCP_CLUSTER, "--out", out.toString(), "--import", "--force"));
        assertEquals(
                Map.of(CockroachConfiguration.RESOURCE, GCP_CLUSTER),
                HclReader.directory(out.resolve("cockroach")).imports());

        // --force writes over an export: an imports.tf the new one does not write goes, Terraform's own files stay.
        Path state = Files.writeString(out.resolve("gcp/terraform.tfstate"), "{}");
        ok(cli().run("export", "terraform", "--cluster", GCP_CLUSTER, "--out", out.toString(), "--force"));
        assertFalse(Files.exists(out.resolve("gcp/imports.tf")));
        assertFalse(Files.exists(out.resolve("cockroach/imports.tf")));
        assertEquals("{}", Files.readString(state));
    }

    @Test
    void options_sharedLocationHsmAndRotationPeriod_areThoseProvisionUses() throws Exception {
        Path out = dir.resolve("export");
        ok(cli().run(
                        "export",
                        "terraform",
                        "--cluster",
                        GCP_CLUSTER,
                        "--out",
                        out.toString(),
                        "--gcp-key-location",
                        "global",
                        "--gcp-protection",
                        "HSM",
                        "--rotation-period",
                        "30"));
        Block gcp = HclReader.directory(out.resolve("gcp"));
        Block key = gcp.block("resource", "google_kms_crypto_key", "global");
        assertEquals("2592000s", key.attr("rotation_period"));
        assertEquals("HSM", key.block("version_template").attr("protection_level"));
        assertEquals(
                "global", gcp.block("resource", "google_kms_key_ring", "global").attr("location"));

        ok(cli().run(
                        "export",
                        "terraform",
                        "--cluster",
                        GCP_CLUSTER,
                        "--out",
                        out.toString(),
                        "--force",
                        "--no-auto-rotation"));
        Block unrotated =
                HclReader.directory(out.resolve("gcp")).block("resource", "google_kms_crypto_key", "us_central1");
        assertFalse(unrotated.attributes().containsKey("rotation_period"));
        assertEquals(
                List.of(new Ref("rotation_period")),
                unrotated.block("lifecycle").attr("ignore_changes"),
                "a key that rotates keeps rotating");
    }

    @Test
    void keyYouBring_onlyItsBindingIsManaged() throws Exception {
        String yours;
        try (GcpClients google =
                GcpClients.resolve(GCP.emulator().endpoint(), GCP.emulator().endpoint())) {
            google.kms().createKeyRing(LocationName.of(PROJECT, "us-central1"), "yours", KeyRing.getDefaultInstance());
            yours = google.kms()
                    .createCryptoKey(CreateCryptoKeyRequest.newBuilder()
                            .setParent(KeyRingName.of(PROJECT, "us-central1", "yours")
                                    .toString())
                            .setCryptoKeyId("k")
                            .setCryptoKey(CryptoKey.newBuilder().setPurpose(CryptoKey.CryptoKeyPurpose.ENCRYPT_DECRYPT))
                            .build())
                    .getName();
        }
        Path out = dir.resolve("export");
        ok(cli().run(
                        "export",
                        "terraform",
                        "--cluster",
                        GCP_CLUSTER,
                        "--out",
                        out.toString(),
                        "--existing-key",
                        "us-central1=" + yours,
                        "--import"));
        Block gcp = HclReader.directory(out.resolve("gcp"));
        assertEquals(
                List.of(
                        "google_kms_crypto_key_iam_member.yours_us_central1",
                        "google_service_account.cmek",
                        "google_service_account_iam_member.cockroach_token_creator"),
                gcp.resources(),
                "your key and ring are not managed");
        Block binding = gcp.block("resource", "google_kms_crypto_key_iam_member", "yours_us_central1");
        assertEquals(yours, binding.attr("crypto_key_id"));
        assertEquals(new Ref("google_service_account.cmek.member"), binding.attr("member"));
        assertEquals(Map.of(), gcp.imports(), "nothing of cmek's exists yet");
    }

    @Test
    void export_isFmtClean() throws Exception {
        Terraform tf = Terraform.require();
        Path out = dir.resolve("export");
        ok(cli().run("export", "terraform", "--cluster", GCP_CLUSTER, "--out", out.toString()));
        Terraform.Result fmt = tf.run(out, "fmt", "-check", "-recursive", "-diff", "-no-color");
        assertEquals(0, fmt.exit(), fmt.all());
    }

    static void assertNoSecrets(Path out) throws Exception {
        try (Stream<Path> files = Files.walk(out)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                assertFalse(Files.readString(f).contains(Sandboxes.API_KEY), "the API key in " + f);
            }
        }
    }

    static List<String> filesIn(Path out) throws Exception {
        try (Stream<Path> files = Files.walk(out)) {
            return files.filter(Files::isRegularFile)
                    .map(f -> out.relativize(f).toString())
                    .sorted()
                    .toList();
        }
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out.stream().sorted().toList();
    }
}
