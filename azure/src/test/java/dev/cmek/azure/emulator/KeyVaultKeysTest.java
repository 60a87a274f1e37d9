package dev.cmek.azure.emulator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.core.exception.HttpResponseException;
import com.azure.core.exception.ResourceNotFoundException;
import com.azure.core.http.rest.PagedResponse;
import com.azure.security.keyvault.keys.KeyClient;
import com.azure.security.keyvault.keys.cryptography.CryptographyClient;
import com.azure.security.keyvault.keys.cryptography.CryptographyClientBuilder;
import com.azure.security.keyvault.keys.cryptography.models.EncryptionAlgorithm;
import com.azure.security.keyvault.keys.cryptography.models.KeyWrapAlgorithm;
import com.azure.security.keyvault.keys.cryptography.models.SignatureAlgorithm;
import com.azure.security.keyvault.keys.models.CreateRsaKeyOptions;
import com.azure.security.keyvault.keys.models.DeletedKey;
import com.azure.security.keyvault.keys.models.KeyOperation;
import com.azure.security.keyvault.keys.models.KeyProperties;
import com.azure.security.keyvault.keys.models.KeyRotationLifetimeAction;
import com.azure.security.keyvault.keys.models.KeyRotationPolicy;
import com.azure.security.keyvault.keys.models.KeyRotationPolicyAction;
import com.azure.security.keyvault.keys.models.KeyType;
import com.azure.security.keyvault.keys.models.KeyVaultKey;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.spec.MGF1ParameterSpec;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import org.junit.jupiter.api.Test;

/** Every keys operation through the real KeyClient and CryptographyClient, with the admin's Crypto Officer role. */
class KeyVaultKeysTest extends EmulatorTest {

    @Test
    void createKey_returnsVersionedKidAndPublicMaterial() {
        String vault = vaultName("kv");
        createVault(vault, false, true);
        KeyClient keys = sdk.keys(vault, admin);

        KeyVaultKey key = keys.createRsaKey(new CreateRsaKeyOptions("cmek-1")
                .setKeySize(3072)
                .setKeyOperations(
                        KeyOperation.ENCRYPT, KeyOperation.DECRYPT, KeyOperation.WRAP_KEY, KeyOperation.UNWRAP_KEY)
                .setTags(Map.of("managed-by", "crdb-cmek-toolkit")));

        assertTrue(
                key.getId().matches("https://" + vault + "\\.vault\\.azure\\.net/keys/cmek-1/[0-9a-f]{32}"),
                key.getId());
        assertEquals(KeyType.RSA, key.getKeyType());
        assertEquals(3072, key.getKey().getN().length * 8);
        assertEquals(4, key.getKeyOperations().size());
        assertEquals("crdb-cmek-toolkit", key.getProperties().getTags().get("managed-by"));
        assertEquals("Recoverable", key.getProperties().getRecoveryLevel());
        assertEquals(90, key.getProperties().getRecoverableDays());
        // The SDK's first call to a vault goes without a token and meets the 401 challenge: two calls, one create.
        assertEquals(2, emulator.callCount("keyvault.keys.create"));
        assertEquals(
                1,
                emulator.requestLog().stream()
                        .filter(c -> c.operation().equals("keyvault.keys.create") && c.status() == 200)
                        .count());
    }

    @Test
    void keyPairsMadeAhead_areTakenByCreatesAndRotations_ofTheirSize() {
        String vault = vaultName("pool");
        createVault(vault, false, true);
        KeyClient keys = sdk.keys(vault, admin);
        emulator.prepareKeyPairs(2048, 2);

        keys.createRsaKey(new CreateRsaKeyOptions("pooled").setKeySize(3072));
        assertEquals(2, emulator.keyPairs.ready(2048), "another size makes its own");
        keys.createRsaKey(new CreateRsaKeyOptions("pooled").setKeySize(2048));
        keys.rotateKey("pooled");

        assertEquals(0, emulator.keyPairs.ready(2048));
    }

    @Test
    void createKey_rsaHsm_onlyInPremiumVault() {
        String standard = vaultName("kvstd");
        String premium = vaultName("kvprem");
        createVault(standard, false, false);
        createVault(premium, true, false);

        HttpResponseException refused = assertThrows(
                HttpResponseException.class,
                () -> sdk.keys(standard, admin)
                        .createRsaKey(new CreateRsaKeyOptions("hsm").setHardwareProtected(true)));
        assertEquals(400, refused.getResponse().getStatusCode());
        assertTrue(refused.getMessage().contains("Premium"), refused.getMessage());

        KeyVaultKey hsm =
                sdk.keys(premium, admin).createRsaKey(new CreateRsaKeyOptions("hsm").setHardwareProtected(true));
        assertEquals(KeyType.RSA_HSM, hsm.getKeyType());
        assertEquals("Recoverable+Purgeable", hsm.getProperties().getRecoveryLevel());
    }

    @Test
    void getKey_latestAndByVersion_andVersionsArePagedWithNextLink() {
        String vault = vaultName("kvver");
        createVault(vault, false, false);
        KeyClient keys = sdk.keys(vault, admin);
        KeyVaultKey first = keys.createRsaKey(new CreateRsaKeyOptions("k"));
        List<String> versions = new ArrayList<>(List.of(first.getProperties().getVersion()));
        for (int i = 0; i < 26; i++) {
            versions.add(keys.rotateKey("k").getProperties().getVersion());
        }

        assertEquals(versions.get(26), keys.getKey("k").getProperties().getVersion());
        assertEquals(
                first.getId(),
                keys.getKey("k", first.getProperties().getVersion()).getId());
        List<String> listed = new ArrayList<>();
        int pages = 0;
        for (PagedResponse<KeyProperties> page :
                keys.listPropertiesOfKeyVersions("k").iterableByPage()) {
            pages++;
            page.getValue().forEach(p -> listed.add(p.getVersion()));
        }
        assertEquals(2, pages, "Key Vault pages at most 25 items");
        assertEquals(versions, listed);
        assertEquals(27, emulator.key(vault, "k").orElseThrow().versions().size());
        assertThrows(ResourceNotFoundException.class, () -> keys.getKey("k", "0123456789abcdef0123456789abcdef"));
        assertThrows(ResourceNotFoundException.class, () -> keys.getKey("missing"));
    }

    @Test
    void listKeys_showsEachKeyOnceWithoutVersion() {
        String vault = vaultName("kvlist");
        createVault(vault, false, false);
        KeyClient keys = sdk.keys(vault, admin);
        keys.createRsaKey(new CreateRsaKeyOptions("a"));
        keys.createRsaKey(new CreateRsaKeyOptions("b"));
        keys.rotateKey("a");

        List<String> names = new ArrayList<>();
        keys.listPropertiesOfKeys().forEach(p -> names.add(p.getName()));

        assertEquals(List.of("a", "b"), names);
    }

    @Test
    void updateKey_changesAttributesAndTagsOfThatVersion() {
        String vault = vaultName("kvupd");
        createVault(vault, false, false);
        KeyClient keys = sdk.keys(vault, admin);
        KeyVaultKey key = keys.createRsaKey(new CreateRsaKeyOptions("k"));
        OffsetDateTime expires = OffsetDateTime.now().plusDays(400).withNano(0);

        KeyProperties props =
                key.getProperties().setEnabled(false).setExpiresOn(expires).setTags(Map.of("state", "parked"));
        KeyVaultKey updated = keys.updateKeyProperties(props);

        assertFalse(updated.getProperties().isEnabled());
        assertEquals(
                expires.toEpochSecond(), updated.getProperties().getExpiresOn().toEpochSecond());
        assertEquals(Map.of("state", "parked"), updated.getProperties().getTags());
        assertFalse(emulator.key(vault, "k").orElseThrow().current().enabled());
    }

    @Test
    void rotationPolicy_defaultIsNotify_thenRotateAfterCreateIsStored() {
        String vault = vaultName("kvrot");
        createVault(vault, false, false);
        KeyClient keys = sdk.keys(vault, admin);
        keys.createRsaKey(new CreateRsaKeyOptions("k"));

        KeyRotationPolicy initial = keys.getKeyRotationPolicy("k");
        assertEquals(1, initial.getLifetimeActions().size());
        assertEquals(
                KeyRotationPolicyAction.NOTIFY,
                initial.getLifetimeActions().get(0).getAction());

        KeyRotationPolicy policy = new KeyRotationPolicy()
                .setLifetimeActions(List.of(
                        new KeyRotationLifetimeAction(KeyRotationPolicyAction.ROTATE).setTimeAfterCreate("P90D"),
                        new KeyRotationLifetimeAction(KeyRotationPolicyAction.NOTIFY).setTimeBeforeExpiry("P30D")))
                .setExpiresIn("P2Y");
        KeyRotationPolicy stored = keys.updateKeyRotationPolicy("k", policy);

        assertEquals("P2Y", stored.getExpiresIn());
        assertEquals(2, stored.getLifetimeActions().size());
        assertEquals("P90D", stored.getLifetimeActions().get(0).getTimeAfterCreate());
        assertTrue(emulator.key(vault, "k").orElseThrow().hasRotationPolicy());
        // A rotation under a policy with expiryTime gives the new version an expiry.
        assertTrue(keys.rotateKey("k").getProperties().getExpiresOn() != null);
    }

    @Test
    void rotationPolicy_rotateSoonerThanSevenDays_isBadParameter() {
        String vault = vaultName("kvrotbad");
        createVault(vault, false, false);
        KeyClient keys = sdk.keys(vault, admin);
        keys.createRsaKey(new CreateRsaKeyOptions("k"));

        HttpResponseException e = assertThrows(
                HttpResponseException.class,
                () -> keys.updateKeyRotationPolicy(
                        "k",
                        new KeyRotationPolicy()
                                .setLifetimeActions(
                                        List.of(new KeyRotationLifetimeAction(KeyRotationPolicyAction.ROTATE)
                                                .setTimeAfterCreate("P1D")))));

        assertEquals(400, e.getResponse().getStatusCode());
        assertTrue(e.getMessage().contains("BadParameter") || e.getMessage().contains("7 days"), e.getMessage());
    }

    @Test
    void encryptDecrypt_rsaOaep256_isRealRsaOnTheService() throws Exception {
        String vault = vaultName("kvcrypt");
        createVault(vault, false, false);
        KeyVaultKey key = sdk.keys(vault, admin).createRsaKey(new CreateRsaKeyOptions("k"));
        CryptographyClient crypto = sdk.crypto(key.getId(), admin);
        byte[] plaintext = "a data key CockroachDB wraps".getBytes(StandardCharsets.UTF_8);

        byte[] ciphertext =
                crypto.encrypt(EncryptionAlgorithm.RSA_OAEP_256, plaintext).getCipherText();
        assertArrayEquals(
                plaintext,
                crypto.decrypt(EncryptionAlgorithm.RSA_OAEP_256, ciphertext).getPlainText());

        // The ciphertext is standard RSA-OAEP with SHA-256 and MGF1-SHA-256: the public key alone produces one too.
        Cipher c = Cipher.getInstance("RSA/ECB/OAEPPadding");
        c.init(
                Cipher.ENCRYPT_MODE,
                key.getKey().toRsa().getPublic(),
                new OAEPParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, PSource.PSpecified.DEFAULT));
        byte[] local = c.doFinal(plaintext);
        assertArrayEquals(
                plaintext,
                crypto.decrypt(EncryptionAlgorithm.RSA_OAEP_256, local).getPlainText());
        assertEquals(1, emulator.callCount("keyvault.keys.encrypt"));
        assertEquals(2, emulator.callCount("keyvault.keys.decrypt"));
    }

    @Test
    void cryptographyClient_withKeyCaching_encryptsRsaOaepLocallyButRsaOaep256OnTheService() {
        String vault = vaultName("kvlocal");
        createVault(vault, false, false);
        KeyVaultKey key = sdk.keys(vault, admin).createRsaKey(new CreateRsaKeyOptions("k"));
        CryptographyClient crypto = new CryptographyClientBuilder()
                .keyIdentifier(key.getId())
                .credential(admin)
                .httpClient(sdk.http)
                .buildClient();
        byte[] plaintext = new byte[32];

        byte[] oaep = crypto.encrypt(EncryptionAlgorithm.RSA_OAEP, plaintext).getCipherText();
        assertEquals(0, emulator.callCount("keyvault.keys.encrypt"), "the SDK encrypts RSA-OAEP with the public key");
        // The SDK's AlgorithmResolver has no local RSA-OAEP-256: that encrypt needs the service, and its permission.
        byte[] oaep256 =
                crypto.encrypt(EncryptionAlgorithm.RSA_OAEP_256, plaintext).getCipherText();
        assertEquals(1, emulator.callCount("keyvault.keys.encrypt"));

        assertArrayEquals(
                plaintext, crypto.decrypt(EncryptionAlgorithm.RSA_OAEP, oaep).getPlainText());
        assertArrayEquals(
                plaintext,
                crypto.decrypt(EncryptionAlgorithm.RSA_OAEP_256, oaep256).getPlainText());
        assertEquals(2, emulator.callCount("keyvault.keys.decrypt"));
    }

    @Test
    void wrapUnwrap_rsaOaep_andSignVerify() throws Exception {
        String vault = vaultName("kvwrap");
        createVault(vault, false, false);
        KeyVaultKey key = sdk.keys(vault, admin).createRsaKey(new CreateRsaKeyOptions("k"));
        CryptographyClient crypto = sdk.crypto(key.getId(), admin);
        byte[] dek = new byte[32];
        dek[0] = 7;

        byte[] wrapped = crypto.wrapKey(KeyWrapAlgorithm.RSA_OAEP, dek).getEncryptedKey();
        assertArrayEquals(
                dek, crypto.unwrapKey(KeyWrapAlgorithm.RSA_OAEP, wrapped).getKey());

        byte[] digest = MessageDigest.getInstance("SHA-256").digest("m".getBytes(StandardCharsets.UTF_8));
        byte[] signature = crypto.sign(SignatureAlgorithm.RS256, digest).getSignature();
        assertTrue(crypto.verify(SignatureAlgorithm.RS256, digest, signature).isValid());
        assertEquals(1, emulator.callCount("keyvault.keys.wrapKey"));
        assertEquals(1, emulator.callCount("keyvault.keys.unwrapKey"));
    }

    @Test
    void decrypt_withDisabledKey_isForbiddenKeyDisabled() {
        String vault = vaultName("kvdis");
        createVault(vault, false, false);
        KeyClient keys = sdk.keys(vault, admin);
        KeyVaultKey key = keys.createRsaKey(new CreateRsaKeyOptions("k"));
        keys.updateKeyProperties(key.getProperties().setEnabled(false));

        HttpResponseException e = assertThrows(
                HttpResponseException.class,
                () -> sdk.crypto(key.getId(), admin).decrypt(EncryptionAlgorithm.RSA_OAEP_256, new byte[256]));

        assertEquals(403, e.getResponse().getStatusCode());
        assertTrue(e.getMessage().contains("disabled"), e.getMessage());
    }

    @Test
    void deleteRecoverPurge_softDeleteAsKeyVault_andPurgeRefusedUnderPurgeProtection() {
        String protectedVault = vaultName("kvpp");
        createVault(protectedVault, false, true);
        KeyClient keys = sdk.keys(protectedVault, admin);
        keys.createRsaKey(new CreateRsaKeyOptions("k"));

        DeletedKey deleted = keys.beginDeleteKey("k").waitForCompletion().getValue();
        assertEquals("https://" + protectedVault + ".vault.azure.net/deletedkeys/k", deleted.getRecoveryId());
        assertTrue(emulator.key(protectedVault, "k").orElseThrow().deleted());
        HttpResponseException reuse =
                assertThrows(HttpResponseException.class, () -> keys.createRsaKey(new CreateRsaKeyOptions("k")));
        assertEquals(409, reuse.getResponse().getStatusCode());

        HttpResponseException purge = assertThrows(HttpResponseException.class, () -> keys.purgeDeletedKey("k"));
        assertEquals(403, purge.getResponse().getStatusCode());
        assertTrue(purge.getMessage().contains("purge protection"), purge.getMessage());

        keys.beginRecoverDeletedKey("k").waitForCompletion();
        assertFalse(emulator.key(protectedVault, "k").orElseThrow().deleted());
        assertEquals(1, emulator.callCount("keyvault.keys.delete"));
        assertEquals(1, emulator.callCount("keyvault.keys.purge"));
        assertEquals(1, emulator.callCount("keyvault.keys.recover"));

        String plainVault = vaultName("kvnopp");
        createVault(plainVault, false, false);
        KeyClient plain = sdk.keys(plainVault, admin);
        plain.createRsaKey(new CreateRsaKeyOptions("k"));
        plain.beginDeleteKey("k").waitForCompletion();
        plain.purgeDeletedKey("k");
        assertTrue(emulator.key(plainVault, "k").isEmpty());
    }

    @Test
    void listVersions_raw_pagesWithMaxresultsAndNullNextLinkAtTheEnd() {
        String vault = vaultName("kvraw");
        createVault(vault, false, false);
        KeyClient keys = sdk.keys(vault, admin);
        keys.createRsaKey(new CreateRsaKeyOptions("k"));
        keys.rotateKey("k");
        keys.rotateKey("k");
        String token = raw.token(emulator.admin(), "https://vault.azure.net/.default");

        HttpResponse<String> first = raw.call(
                "GET",
                "https://" + vault + ".vault.azure.net/keys/k/versions?api-version=7.6&maxresults=2",
                token,
                null);
        JsonNode page = RawHttp.json(first);
        assertEquals(2, page.get("value").size());
        String next = page.get("nextLink").asText();
        assertTrue(next.startsWith("https://" + vault + ".vault.azure.net:443/keys/k/versions?api-version=7.6"), next);
        JsonNode last = RawHttp.json(raw.call("GET", next, token, null));
        assertEquals(1, last.get("value").size());
        assertTrue(last.get("nextLink").isNull());
        assertNotEquals(
                page.get("value").get(0).get("kid").asText(),
                last.get("value").get(0).get("kid").asText());
    }
}
