package dev.cmek.aws.testing;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MotoServerTest {
    @Test
    void missingBinary_failsWithAnActionableMessage() {
        MotoServer moto = MotoServer.create("/nonexistent/moto_server");
        IllegalStateException e = assertThrows(IllegalStateException.class, moto::launch);
        assertTrue(e.getMessage().contains("MOTO_SERVER"), e.getMessage());
    }

    @Test
    void binaryThatExitsAtOnce_failsAndShowsItsOutput() {
        MotoServer moto = MotoServer.create("/bin/false");
        IllegalStateException e = assertThrows(IllegalStateException.class, moto::launch);
        assertTrue(e.getMessage().contains("did not answer"), e.getMessage());
    }

    @Test
    void startAndStop_outsideJUnit() {
        try (MotoServer moto = MotoServer.start()) {
            moto.reset();
            assertTrue(moto.endpoint().toString().startsWith("http://127.0.0.1:"));
        }
    }
}
