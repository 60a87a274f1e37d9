package dev.cmek.azure.emulator;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * RSA key pairs made ahead, which key creates and rotations take before making their own: an RSA 3072 pair costs this
 * machine about half a second of CPU (up to 1.3 s), which a benchmark of call latencies must not count as Azure's.
 */
final class KeyPairPool {
    private final Map<Integer, Queue<KeyPair>> ready = new ConcurrentHashMap<>();

    /** Makes {@code count} pairs of {@code bits} now, on the calling thread. */
    void prepare(int bits, int count) {
        Queue<KeyPair> q = ready.computeIfAbsent(bits, b -> new ConcurrentLinkedQueue<>());
        for (int i = 0; i < count; i++) {
            q.add(generate(bits));
        }
    }

    /** A pair made ahead, else a new one. */
    KeyPair take(int bits) {
        Queue<KeyPair> q = ready.get(bits);
        KeyPair pair = q == null ? null : q.poll();
        return pair != null ? pair : generate(bits);
    }

    /** Pairs of {@code bits} still made ahead. */
    int ready(int bits) {
        Queue<KeyPair> q = ready.get(bits);
        return q == null ? 0 : q.size();
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
