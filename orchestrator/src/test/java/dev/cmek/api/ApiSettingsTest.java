package dev.cmek.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cmek.CmekException;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ApiSettingsTest {

    @Test
    void server_defaultsToTheRealApi() {
        assertEquals(URI.create("https://cockroachlabs.cloud"), ApiSettings.resolveServer(null, Map.of()));
    }

    @Test
    void server_flagWinsOverEnvironment() {
        assertEquals(
                URI.create("http://127.0.0.1:8080"),
                ApiSettings.resolveServer(
                        "http://127.0.0.1:8080/", Map.of("COCKROACH_SERVER", "https://other.example")));
        assertEquals(
                URI.create("https://other.example"),
                ApiSettings.resolveServer(null, Map.of("COCKROACH_SERVER", "https://other.example")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://api.example.com", "http://10.0.0.5:8080"})
    void server_plainHttpOffThisMachine_isRefused(String url) {
        var e = assertThrows(CmekException.InvalidInput.class, () -> ApiSettings.parseServer(url));
        assertTrue(e.getMessage().contains("refusing to send the API key over plain http"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "cockroachlabs.cloud",
                "ftp://x.example",
                "https://user:pw@x.example",
                "https://x.example?a=b",
                "https://"
            })
    void server_notABaseUrl_isBadInput(String url) {
        assertThrows(CmekException.InvalidInput.class, () -> ApiSettings.parseServer(url));
    }

    @Test
    void keyAccessMessages_areRetried_validationMessagesAreNot() {
        assertTrue(HttpCloudApi.keyNotAccessibleYet(new ApiException(
                "enable", 400, 3, "unable to access key arn:aws:kms:... as role arn:aws:iam::1:role/x: AccessDenied")));
        assertTrue(
                HttpCloudApi.keyNotAccessibleYet(
                        new ApiException(
                                "enable",
                                400,
                                9,
                                "service account crdb@p.iam.gserviceaccount.com does not have permission cloudkms.cryptoKeyVersions.useToEncrypt on key")));
        assertEquals(
                false,
                HttpCloudApi.keyNotAccessibleYet(new ApiException(
                        "enable", 400, 3, "region_specs must include every region of the cluster: missing us-west-2")));
        assertEquals(
                false,
                HttpCloudApi.keyNotAccessibleYet(new ApiException("enable", 400, 3, "invalid key type for cluster")));
    }
}
