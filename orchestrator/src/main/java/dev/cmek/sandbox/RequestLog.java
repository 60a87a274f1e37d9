package dev.cmek.sandbox;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** Every exchange the sandbox answered, rejected ones included, in arrival order. Thread-safe. */
public final class RequestLog {

    private final List<RecordedExchange> exchanges = new ArrayList<>();

    synchronized void add(RecordedExchange exchange) {
        exchanges.add(exchange);
    }

    /** A snapshot of all recorded exchanges. */
    public synchronized List<RecordedExchange> exchanges() {
        return List.copyOf(exchanges);
    }

    /** A snapshot of the exchanges matching {@code filter}. */
    public synchronized List<RecordedExchange> exchanges(Predicate<RecordedExchange> filter) {
        return exchanges.stream().filter(filter).toList();
    }

    /** How many exchanges were recorded. */
    public synchronized int size() {
        return exchanges.size();
    }

    /** Forgets every recorded exchange. */
    public synchronized void clear() {
        exchanges.clear();
    }
}
