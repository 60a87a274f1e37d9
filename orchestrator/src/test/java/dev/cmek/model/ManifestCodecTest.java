package dev.cmek.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cmek.CmekException;
import dev.cmek.ExitCode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ManifestCodecTest {

    @Test
    void roundTrip_isByteForByte() {
        for (String canonical : List.of(Samples.AWS_MANIFEST, Samples.GCP_MANIFEST)) {
            Manifest manifest = ManifestCodec.parse(canonical, "sample");
            assertEquals(canonical, ManifestCodec.format(manifest));
        }
    }

    @Test
    void parse_keepsRegionOrderAndFields() {
        Manifest manifest = ManifestCodec.parse(Samples.AWS_MANIFEST, "sample");
        assertEquals(List.of("us-east-1", "us-west-2"), manifest.regions());
        KeySpec west = manifest.find("us-west-2").orElseThrow().keySpec();
        assertEquals(new KeySpec(KeyType.AWS_KMS, Samples.AWS_KEY_WEST, Samples.AWS_ROLE), west);
    }

    @Test
    void parse_anAzureKeyWithItsVersionAndTenant_andAnAzureRegion() {
        Manifest manifest = ManifestCodec.parse(
                Samples.oneRegion("eastus", "AZURE_KEY_VAULT", Samples.AZURE_KEY, Samples.AZURE_TENANT), "azure");
        assertEquals(
                new KeySpec(KeyType.AZURE_KEY_VAULT, Samples.AZURE_KEY, Samples.AZURE_TENANT),
                manifest.find("eastus").orElseThrow().keySpec());
    }

    @Test
    void parse_compactInput_formatsToCanonical() {
        String compact = Samples.oneRegion("us-central1", "GCP_CLOUD_KMS", Samples.GCP_KEY, Samples.GCP_SA);
        assertEquals(Samples.GCP_MANIFEST, ManifestCodec.format(ManifestCodec.parse(compact, "compact")));
    }

    @Test
    void write_isAtomicAndLeavesNoTemporaryFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("cmek_config.json");
        Files.writeString(file, "old content");
        ManifestCodec.write(file, ManifestCodec.parse(Samples.AWS_MANIFEST, "sample"));
        assertEquals(Samples.AWS_MANIFEST, Files.readString(file, StandardCharsets.UTF_8));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList());
        }
        assertEquals(ManifestCodec.parse(Samples.AWS_MANIFEST, "x"), ManifestCodec.read(file));
    }

    @Test
    void read_missingFile_isBadInput(@TempDir Path dir) {
        CmekException e = assertThrows(CmekException.class, () -> ManifestCodec.read(dir.resolve("nope.json")));
        assertEquals(ExitCode.BAD_INPUT, e.exitCode());
        assertTrue(e.getMessage().endsWith("nope.json: no such file"), e.getMessage());
    }

    static List<BadManifests.Case> badManifests() {
        return BadManifests.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badManifests")
    void parse_badManifest_isOneLineBadInput(BadManifests.Case bad) {
        CmekException e = assertThrows(CmekException.class, () -> ManifestCodec.parse(bad.json(), "m.json"));
        assertEquals(ExitCode.BAD_INPUT, e.exitCode());
        assertTrue(e.getMessage().startsWith("m.json: "), e.getMessage());
        assertTrue(
                e.getMessage().contains(bad.expected()),
                () -> "expected '" + bad.expected() + "' in: " + e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }

    @Test
    void badManifests_areAtLeastTwentyFive() {
        assertTrue(BadManifests.all().size() >= 25);
    }
}
