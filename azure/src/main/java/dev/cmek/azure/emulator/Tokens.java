package dev.cmek.azure.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Access tokens shaped like Entra ID's v1 tokens for Azure resources, RS256-signed by the emulator's own key. */
final class Tokens {
    /** What a valid token says about its caller. */
    record Claims(String audience, String tenantId, String objectId, String appId, Instant expiresAt) {
        String issuer() {
            return "https://sts.windows.net/" + tenantId + "/";
        }
    }

    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();

    private final KeyPair keys;
    final String keyId;

    /**
     * RSA 2048, as Entra ID's signing keys and Azure's TLS certificates (the emulator's use the same size).
     * https://learn.microsoft.com/en-us/entra/identity-platform/access-tokens#validate-the-signature
     */
    static final int BITS = 2048;

    /** Signs with {@code keys}; only tokens naming this instance's key id verify, as validators pick keys by kid. */
    Tokens(KeyPair keys) {
        this.keys = keys;
        keyId = UUID.randomUUID().toString().replace("-", "").substring(0, 20);
    }

    String issue(
            String audience, String tenantId, String objectId, String appId, List<String> roles, Duration lifetime) {
        Instant now = Instant.now();
        ObjectNode header = Http.object().put("typ", "JWT").put("alg", "RS256").put("kid", keyId);
        ObjectNode payload = Http.object()
                .put("aud", audience)
                .put("iss", "https://sts.windows.net/" + tenantId + "/")
                .put("iat", now.getEpochSecond())
                .put("nbf", now.getEpochSecond())
                .put("exp", now.plus(lifetime).getEpochSecond())
                .put("aio", "emulator")
                .put("appid", appId)
                .put("appidacr", "1")
                .put("idp", "https://sts.windows.net/" + tenantId + "/")
                .put("idtyp", "app")
                .put("oid", objectId)
                .put("sub", objectId)
                .put("tid", tenantId)
                .put("uti", UUID.randomUUID().toString())
                .put("ver", "1.0");
        if (!roles.isEmpty()) {
            roles.forEach(payload.putArray("roles")::add);
        }
        String signingInput = B64.encodeToString(header.toString().getBytes(StandardCharsets.UTF_8)) + "."
                + B64.encodeToString(payload.toString().getBytes(StandardCharsets.UTF_8));
        try {
            Signature s = Signature.getInstance("SHA256withRSA");
            s.initSign(keys.getPrivate());
            s.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + B64.encodeToString(s.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The token's claims when this emulator signed it (expired or not); empty for anything else. */
    Optional<Claims> verify(String token) {
        String[] parts = token.split("\\.");
        if (parts.length != 3) {
            return Optional.empty();
        }
        try {
            if (!keyId.equals(
                    Http.JSON.readTree(B64D.decode(parts[0])).path("kid").asText())) {
                return Optional.empty();
            }
            Signature s = Signature.getInstance("SHA256withRSA");
            s.initVerify(keys.getPublic());
            s.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
            if (!s.verify(B64D.decode(parts[2]))) {
                return Optional.empty();
            }
            JsonNode p = Http.JSON.readTree(B64D.decode(parts[1]));
            return Optional.of(new Claims(
                    p.path("aud").asText(),
                    p.path("tid").asText(),
                    p.path("oid").asText(),
                    p.path("appid").asText(),
                    Instant.ofEpochSecond(p.path("exp").asLong())));
        } catch (GeneralSecurityException | IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The signing key as a JWKS document, as {@code /{tenant}/discovery/v2.0/keys} serves it. */
    ObjectNode jwks() {
        RSAPublicKey pub = (RSAPublicKey) keys.getPublic();
        ObjectNode key = Http.object()
                .put("kty", "RSA")
                .put("use", "sig")
                .put("kid", keyId)
                .put("n", B64.encodeToString(unsigned(pub.getModulus())))
                .put("e", B64.encodeToString(unsigned(pub.getPublicExponent())));
        ObjectNode doc = Http.object();
        doc.putArray("keys").add(key);
        return doc;
    }

    static byte[] unsigned(BigInteger v) {
        byte[] b = v.toByteArray();
        if (b.length > 1 && b[0] == 0) {
            byte[] t = new byte[b.length - 1];
            System.arraycopy(b, 1, t, 0, t.length);
            return t;
        }
        return b;
    }
}
