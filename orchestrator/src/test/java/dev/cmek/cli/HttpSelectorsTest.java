package dev.cmek.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

class HttpSelectorsTest {
    @Test
    void aUsedClientsSelectorThread_endsWhenStopped_soTheJvmNeedNotWaitForItAtExit() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.start();
        try {
            HttpClient client = HttpClient.newHttpClient();
            HttpResponse<Void> response = client.send(
                    HttpRequest.newBuilder(URI.create(
                                    "http://127.0.0.1:" + server.getAddress().getPort() + "/"))
                            .build(),
                    HttpResponse.BodyHandlers.discarding());
            assertEquals(204, response.statusCode());
            List<Thread> before = HttpSelectors.selectorThreads();
            assertFalse(before.isEmpty(), "a used client has a live selector thread");
            // Its state is what makes the JVM's exit wait: RUNNABLE in epoll, a native call.
            assertTrue(before.stream().anyMatch(t -> t.getState() == Thread.State.RUNNABLE), before.toString());

            assertEquals(before.size(), HttpSelectors.stop());

            for (Thread t : before) {
                assertFalse(t.isAlive(), t.getName() + " still running");
            }
            assertTrue(HttpSelectors.selectorThreads().isEmpty());
            assertEquals(0, HttpSelectors.stop(), "nothing left to stop");
        } finally {
            server.stop(0);
        }
    }
}
