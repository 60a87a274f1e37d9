package dev.cmek.cli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Ends the selector threads of the JDK's HTTP clients (the Cloud API's, Azure's) when the command is done, so that the
 * process can exit at once. Such a thread waits for its sockets in epoll, a native call, and the JVM's exit waits up to
 * 300 ms for threads in native calls
 * (https://github.com/openjdk/jdk17u/blob/master/src/hotspot/share/runtime/vmOperations.cpp,
 * {@code wait_for_threads_in_native_to_block}): every command that used a client ended 0.3 s late. Java 17's
 * {@code HttpClient} has no {@code close()} (Java 21 added it); an interrupted selector thread closes its client's
 * connections and ends
 * (https://github.com/openjdk/jdk17u/blob/master/src/java.net.http/share/classes/jdk/internal/net/http/HttpClientImpl.java,
 * {@code SelectorManager.run}, whose thread name is matched below).
 */
final class HttpSelectors {
    private static final Pattern NAME = Pattern.compile("HttpClient-\\d+-SelectorManager");
    /** How long to wait for each to end; a selector thread ends within a millisecond or two of its interrupt. */
    private static final Duration BOUND = Duration.ofMillis(100);

    private HttpSelectors() {}

    /** Interrupts every live selector thread and waits, bounded, for each to end; returns how many it found. */
    static int stop() {
        List<Thread> found = selectorThreads();
        for (Thread t : found) {
            t.interrupt();
        }
        // Polled, not joined: Thread.join locks the thread object, which a SelectorManager holds while it ends, and
        // Java 17's client can deadlock there (the selector waiting for its ConnectionPool, a pool-holding thread for
        // the selector: seen in a jstack of a CLI that printed its error and never exited).
        long deadline = System.nanoTime() + BOUND.toNanos();
        for (Thread t : found) {
            while (t.isAlive() && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return found.size();
                }
            }
        }
        return found.size();
    }

    static List<Thread> selectorThreads() {
        ThreadGroup root = Thread.currentThread().getThreadGroup();
        while (root.getParent() != null) {
            root = root.getParent();
        }
        Thread[] threads = new Thread[root.activeCount() + 16];
        int n = root.enumerate(threads, true);
        List<Thread> found = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (threads[i].isAlive() && NAME.matcher(threads[i].getName()).matches()) {
                found.add(threads[i]);
            }
        }
        return found;
    }
}
