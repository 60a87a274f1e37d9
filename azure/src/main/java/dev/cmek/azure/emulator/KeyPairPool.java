package dev.cmek.azure.emulator;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The RSA key pairs of one emulator (its key versions, TLS certificates and token signing key): made ahead ({@link
 * #prepare}), else taken from an emulator this JVM closed, else made now. An RSA 3072 pair costs this machine about half
 * a second of CPU (up to 1.3 s), which a benchmark of call latencies must not count as Azure's, and which a test suite
 * starting an emulator per class would otherwise pay for every key again. Within one emulator no two uses share a pair,
 * as in Azure: a pair is handed out once, and goes back to the JVM's pool only when its emulator closes.
 */
final class KeyPairPool {
    /** Pairs of closed emulators, by size; bounded so a long-lived JVM holds a few hundred at most. */
    private static final Map<Integer, Queue<KeyPair>> RECYCLED = new ConcurrentHashMap<>();

    private static final int RECYCLED_PER_SIZE = 256;

    private final Map<Integer, Queue<KeyPair>> ready = new ConcurrentHashMap<>();
    private final List<KeyPair> handedOut = new ArrayList<>();

    /** Makes {@code count} pairs of {@code bits} now, on the calling thread. */
    void prepare(int bits, int count) {
        Queue<KeyPair> q = ready.computeIfAbsent(bits, b -> new ConcurrentLinkedQueue<>());
        for (int i = 0; i < count; i++) {
            q.add(generate(bits));
        }
    }

    /** A pair made ahead, else one a closed emulator used, else a new one; never one this emulator had before. */
    KeyPair take(int bits) {
        KeyPair pair = poll(ready, bits);
        if (pair == null) {
            pair = poll(RECYCLED, bits);
        }
        if (pair == null) {
            pair = generate(bits);
        }
        synchronized (handedOut) {
            handedOut.add(pair);
        }
        return pair;
    }

    /** Pairs of {@code bits} still made ahead. */
    int ready(int bits) {
        Queue<KeyPair> q = ready.get(bits);
        return q == null ? 0 : q.size();
    }

    /** The emulator closed: its pairs, used or made ahead, may serve the next emulator of this JVM. */
    void recycle() {
        List<KeyPair> all = new ArrayList<>();
        synchronized (handedOut) {
            all.addAll(handedOut);
            handedOut.clear();
        }
        ready.values().forEach(q -> {
            for (KeyPair p; (p = q.poll()) != null; ) {
                all.add(p);
            }
        });
        for (KeyPair p : all) {
            Queue<KeyPair> q = RECYCLED.computeIfAbsent(bits(p), b -> new ConcurrentLinkedQueue<>());
            if (q.size() < RECYCLED_PER_SIZE) {
                q.add(p);
            }
        }
    }

    private static KeyPair poll(Map<Integer, Queue<KeyPair>> pools, int bits) {
        Queue<KeyPair> q = pools.get(bits);
        return q == null ? null : q.poll();
    }

    private static int bits(KeyPair p) {
        return ((java.security.interfaces.RSAPublicKey) p.getPublic())
                .getModulus()
                .bitLength();
    }

    static KeyPair generate(int bits) {
        try {
            KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
            gen.initialize(bits);
            return gen.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
