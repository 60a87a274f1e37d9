package dev.cmek.azure.emulator;

import static dev.cmek.azure.emulator.KeyVaultService.error;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.security.spec.MGF1ParameterSpec;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;

/**
 * Real RSA with the JDK: RSA-OAEP (SHA-1), RSA-OAEP-256 (SHA-256 and MGF1-SHA-256) and RSA1_5 for
 * encrypt/decrypt/wrap/unwrap, RS256/384/512 over a digest for sign/verify
 * (https://learn.microsoft.com/rest/api/keyvault/keys/encrypt/encrypt#jsonwebkeyencryptionalgorithm).
 */
final class KeyCrypto {
    private KeyCrypto() {}

    private static final Base64.Decoder B64D = Base64.getUrlDecoder();
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    /** DER DigestInfo prefixes (RFC 8017 section 9.2) for signing a digest the caller computed. */
    private static final Map<String, String> DIGEST_INFO = Map.of(
            "RS256", "3031300d060960864801650304020105000420",
            "RS384", "3041300d060960864801650304020205000430",
            "RS512", "3051300d060960864801650304020305000440");

    static Http.Response run(String op, KeyStore.Version v, JsonNode body, String kid) {
        String alg = body.path("alg").asText("");
        byte[] value;
        try {
            value = B64D.decode(body.path("value").asText(""));
        } catch (IllegalArgumentException e) {
            return error(400, "BadParameter", "Property 'value' is not valid base64url.", null);
        }
        try {
            ObjectNode out = Http.object().put("kid", kid);
            switch (op) {
                case "encrypt", "wrapKey" -> {
                    Cipher c = cipher(alg);
                    if (c == null) {
                        return badAlgorithm(alg);
                    }
                    c.init(Cipher.ENCRYPT_MODE, v.keyPair.getPublic(), spec(alg));
                    out.put("value", B64.encodeToString(c.doFinal(value)));
                }
                case "decrypt", "unwrapKey" -> {
                    Cipher c = cipher(alg);
                    if (c == null) {
                        return badAlgorithm(alg);
                    }
                    c.init(Cipher.DECRYPT_MODE, v.keyPair.getPrivate(), spec(alg));
                    out.put("value", B64.encodeToString(c.doFinal(value)));
                }
                case "sign" -> {
                    if (!DIGEST_INFO.containsKey(alg)) {
                        return badAlgorithm(alg);
                    }
                    Signature s = Signature.getInstance("NONEwithRSA");
                    s.initSign(v.keyPair.getPrivate());
                    s.update(HexFormat.of().parseHex(DIGEST_INFO.get(alg)));
                    s.update(value);
                    out.put("value", B64.encodeToString(s.sign()));
                }
                default -> {
                    if (!DIGEST_INFO.containsKey(alg)) {
                        return badAlgorithm(alg);
                    }
                    Signature s = Signature.getInstance("NONEwithRSA");
                    s.initVerify(v.keyPair.getPublic());
                    s.update(HexFormat.of().parseHex(DIGEST_INFO.get(alg)));
                    s.update(B64D.decode(body.path("digest").asText("")));
                    out = Http.object().put("value", s.verify(value));
                }
            }
            return Http.Response.json(200, out);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            // What Key Vault answers for ciphertext that does not decrypt, or plaintext too long for the key.
            return error(400, "BadParameter", "The parameter is incorrect.\r\n", null);
        }
    }

    private static Http.Response badAlgorithm(String alg) {
        return error(
                400,
                "BadParameter",
                "Invalid algorithm: '" + alg + "' is not supported for this operation on an" + " RSA key.",
                null);
    }

    private static Cipher cipher(String alg) throws GeneralSecurityException {
        return switch (alg) {
            case "RSA-OAEP", "RSA-OAEP-256" -> Cipher.getInstance("RSA/ECB/OAEPPadding");
            case "RSA1_5" -> Cipher.getInstance("RSA/ECB/PKCS1Padding");
            default -> null;
        };
    }

    private static OAEPParameterSpec spec(String alg) {
        return switch (alg) {
            case "RSA-OAEP" ->
                new OAEPParameterSpec("SHA-1", "MGF1", MGF1ParameterSpec.SHA1, PSource.PSpecified.DEFAULT);
            case "RSA-OAEP-256" ->
                new OAEPParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, PSource.PSpecified.DEFAULT);
            default -> null;
        };
    }
}
