package dev.cmek.azure.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Test;

/**
 * Key material: never shared by two uses in one emulator, reused by the next emulator once one closes, and never so that
 * one emulator's CA or tokens are accepted by another.
 */
class KeyPairPoolTest {
    @Test
    void oneEmulatorNeverGetsAPairTwice_andTheNextOneReusesThePairsOfAClosedOne() {
        // 1024 bits: a size no other test uses, so the JVM-wide pool holds only this test's pairs.
        KeyPairPool first = new KeyPairPool();
        Set<BigInteger> firstModuli = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            assertTrue(firstModuli.add(modulus(first.take(1024))), "a pair handed out twice by one emulator");
        }
        KeyPairPool open = new KeyPairPool();
        assertTrue(!firstModuli.contains(modulus(open.take(1024))), "an open emulator's pair went to another");

        first.recycle();
        KeyPairPool next = new KeyPairPool();
        Set<BigInteger> nextModuli = new HashSet<>();
        for (int i = 0; i < 5; i++) {
            assertTrue(nextModuli.add(modulus(next.take(1024))), "a pair handed out twice by one emulator");
        }
        Set<BigInteger> reused = new HashSet<>(nextModuli);
        reused.retainAll(firstModuli);
        assertEquals(firstModuli, reused, "the closed emulator's three pairs serve the next one");
        assertEquals(
                1024, ((RSAPublicKey) next.take(1024).getPublic()).getModulus().bitLength());
    }

    @Test
    void recycledPairs_neverLetOneEmulatorsCaOrTokensPassAtAnother() throws Exception {
        KeyPair pair = new KeyPairPool().take(Tokens.BITS);
        Tokens first = new Tokens(pair);
        Tokens next = new Tokens(pair);
        String token = first.issue("https://management.azure.com/", "t", "o", "a", List.of(), Duration.ofMinutes(5));
        assertTrue(first.verify(token).isPresent());
        assertTrue(next.verify(token).isEmpty(), "a token of another emulator passed on the same key pair");

        KeyPair other = new KeyPairPool().take(2048);
        TlsMaterial a = TlsMaterial.generate(pair, other);
        TlsMaterial b = TlsMaterial.generate(pair, other);
        assertTrue(
                !a.ca.getSubjectX500Principal().equals(b.ca.getSubjectX500Principal()), "two emulators, one CA name");
        assertThrows(
                java.security.cert.CertificateException.class,
                () -> trusting(a.ca).checkServerTrusted(new X509Certificate[] {b.server, b.ca}, "RSA"));
        trusting(b.ca).checkServerTrusted(new X509Certificate[] {b.server, b.ca}, "RSA");
    }

    @Test
    void ownKeysSmallerThanTheJdkTakesInACertificate_areRefusedBeforeAnyIsMade() {
        // jdk.certpath.disabledAlgorithms has "RSA keySize < 1024"; 1024 itself is what ArchiveTrainingTest starts.
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AzureEmulator.start(0, 512));
        assertTrue(e.getMessage().contains("1024"), e.getMessage());
    }

    private static X509TrustManager trusting(X509Certificate ca) throws Exception {
        java.security.KeyStore store = java.security.KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setCertificateEntry("ca", ca);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        return (X509TrustManager) tmf.getTrustManagers()[0];
    }

    private static BigInteger modulus(KeyPair p) {
        return ((RSAPublicKey) p.getPublic()).getModulus();
    }
}
