package dev.cmek.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cmek.CmekException;
import dev.cmek.ExitCode;
import java.net.URI;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@code AWS_ENDPOINT_URL}: an emulator's absolute http(s) URL, or unset; anything else is bad input (exit 2). */
class AwsEndpointTest {
    @Test
    void unsetOrBlank_isAwsItself() {
        assertEquals(Optional.empty(), CloudKeysFactory.awsEndpoint(Map.of()));
        assertEquals(Optional.empty(), CloudKeysFactory.awsEndpoint(Map.of("AWS_ENDPOINT_URL", "  ")));
    }

    @Test
    void anHttpUrl_isTheEndpoint() {
        assertEquals(
                Optional.of(URI.create("http://127.0.0.1:5000")),
                CloudKeysFactory.awsEndpoint(Map.of("AWS_ENDPOINT_URL", " http://127.0.0.1:5000 ")));
        assertEquals(
                Optional.of(URI.create("https://localhost.localstack.cloud:4566")),
                CloudKeysFactory.awsEndpoint(Map.of("AWS_ENDPOINT_URL", "https://localhost.localstack.cloud:4566")));
    }

    @Test
    void notAUrl_noHost_orAnotherScheme_isBadInput_withoutRepeatingTheValue() {
        for (String bad :
                new String[] {"http://user:secret@[host", "127.0.0.1:5000", "ftp://secret-host/", "http:///x"}) {
            CmekException.InvalidInput e = assertThrows(
                    CmekException.InvalidInput.class,
                    () -> CloudKeysFactory.awsEndpoint(Map.of("AWS_ENDPOINT_URL", bad)),
                    bad);
            assertEquals(ExitCode.BAD_INPUT, e.exitCode());
            assertTrue(e.getMessage().startsWith("AWS_ENDPOINT_URL"), e.getMessage());
            assertFalse(e.getMessage().contains("secret"), e.getMessage());
        }
    }
}
