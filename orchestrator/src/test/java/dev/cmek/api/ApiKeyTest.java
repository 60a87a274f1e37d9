package dev.cmek.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cmek.CmekException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiKeyTest {

    @Test
    void fromEnvironment_isNeverPrinted() {
        ApiKey key = ApiKey.resolve(null, Map.of("COCKROACH_API_KEY", "CCDB1_secretvalue"));
        assertEquals("ApiKey[redacted]", key.toString());
        assertEquals("CCDB1_secretvalue", key.reveal());
        assertEquals("got [redacted] back", key.redact("got CCDB1_secretvalue back"));
    }

    @Test
    void fileWinsOverEnvironment_andIsTrimmed(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("key");
        Files.writeString(file, "CCDB1_fromfile\n");
        assertEquals(
                "CCDB1_fromfile",
                ApiKey.resolve(file, Map.of("COCKROACH_API_KEY", "CCDB1_env")).reveal());
    }

    @Test
    void missingKey_saysWhereToPutIt() {
        var e = assertThrows(CmekException.InvalidInput.class, () -> ApiKey.resolve(null, Map.of()));
        assertEquals("no API key: set COCKROACH_API_KEY or pass --api-key-file FILE", e.getMessage());
    }

    @Test
    void unreadableOrEmptyFile_isBadInput_withoutContent(@TempDir Path dir) throws Exception {
        assertThrows(CmekException.InvalidInput.class, () -> ApiKey.fromFile(dir.resolve("missing")));
        Path empty = Files.writeString(dir.resolve("empty"), "  \n");
        assertThrows(CmekException.InvalidInput.class, () -> ApiKey.fromFile(empty));
        Path spaced = Files.writeString(dir.resolve("spaced"), "CCDB1 secret part");
        var e = assertThrows(CmekException.InvalidInput.class, () -> ApiKey.fromFile(spaced));
        assertFalse(e.getMessage().contains("secret part"), e.getMessage());
    }

    @Test
    void redaction_coversRealKeys_andLeavesWordsAloneForTinyTestKeys() {
        assertEquals("cannot read [redacted] config", ApiKey.redact("cannot read CCDB1_abcdef config", "CCDB1_abcdef"));
        assertEquals(
                "cannot read sandbox config /nonexistent.json",
                ApiKey.redact("cannot read sandbox config /nonexistent.json", "x"));
    }
}
