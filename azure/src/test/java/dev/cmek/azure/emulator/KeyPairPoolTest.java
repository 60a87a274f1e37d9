package dev.cmek.azure.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.interfaces.RSAPublicKey;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Key material: never shared by two versions of one emulator, reused by the next emulator once one closes. */
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

    private static BigInteger modulus(KeyPair p) {
        return ((RSAPublicKey) p.getPublic()).getModulus();
    }
}
