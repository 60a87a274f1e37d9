package dev.cmek.workflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cmek.CmekException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The fleet file format: strict, one-line messages naming the entry. */
class FleetFileTest {
    private static final String A = "35c4abb2-bb66-46d7-afed-25ebef5ed2aa";
    private static final String B = "b1a2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d";
    private static final Path DIR = Path.of("/fleet");

    @Test
    void parse_manifestAndProvisionEntries_resolvesPathsAgainstTheFileDirectory() {
        List<FleetFile.Entry> entries = FleetFile.parse("""
                {"clusters": [{"id": "%s", "manifest": "a/cmek_config.json"}, {"id": "%s", "provision": true}]}""".formatted(A, B), "f", DIR);
        assertEquals(
                List.of(
                        new FleetFile.Entry(A, Optional.of(Path.of("/fleet/a/cmek_config.json"))),
                        new FleetFile.Entry(B, Optional.empty())),
                entries);
        assertTrue(entries.get(1).provision());
    }

    @Test
    void parse_defaultsProvision_appliesToEntriesWithoutManifest() {
        List<FleetFile.Entry> entries = FleetFile.parse("""
                {"defaults": {"provision": true}, "clusters": [{"id": "%s"}, {"id": "%s", "manifest": "m.json"}]}""".formatted(A, B), "f", DIR);
        assertTrue(entries.get(0).provision());
        assertEquals(Optional.of(Path.of("/fleet/m.json")), entries.get(1).manifest());
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "{\"clusters\": [{\"id\": \"A\", \"manifest\": \"m.json\"}|not valid JSON",
                "[]|must be a JSON object",
                "{\"clusters\": []}|\"clusters\" must be a non-empty array",
                "{\"clusters\": [{\"id\": \"A\", \"manifest\": \"m.json\"}], \"extra\": 1}|unknown field \"extra\"",
                "{\"clusters\": [{\"id\": \"A\", \"manifest\": \"m.json\", \"gcp\": 1}]}|clusters[0]: unknown field \"gcp\"",
                "{\"clusters\": [{\"id\": \"not-a-uuid\", \"manifest\": \"m.json\"}]}|clusters[0]: \"id\" must be a cluster id (UUID)",
                "{\"clusters\": [{\"id\": \"A\", \"manifest\": \"m.json\"}, {\"id\": \"A\", \"provision\": true}]}|clusters[1]: cluster A is listed twice",
                "{\"clusters\": [{\"id\": \"A\"}]}|clusters[0]: needs \"manifest\": \"FILE\" or \"provision\": true",
                "{\"clusters\": [{\"id\": \"A\", \"manifest\": \"m.json\", \"provision\": true}]}|not both",
                "{\"clusters\": [{\"id\": \"A\", \"provision\": \"yes\"}]}|\"provision\" must be true or false",
                "{\"clusters\": [{\"id\": \"A\", \"manifest\": \"m.json\", \"id\": \"A\"}]}|Duplicate field",
            })
    void parse_badFile_isOneLineOfBadInput(String json, String expected) {
        CmekException e = assertThrows(
                CmekException.InvalidInput.class,
                () -> FleetFile.parse(json.replace("\"A\"", "\"" + A + "\""), "fleet.json", DIR));
        String want = expected.replace(" A ", " " + A + " ");
        assertTrue(e.getMessage().startsWith("fleet.json: ") && e.getMessage().contains(want), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    }
}
