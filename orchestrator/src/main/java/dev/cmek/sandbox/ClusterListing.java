package dev.cmek.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * {@code GET /api/v1/clusters} ({@code CockroachCloud_ListClusters}): the organization's clusters, inactive ones
 * (DELETED, CREATION_FAILED) only with {@code show_inactive}, sorted by name (the spec's default) or creation or
 * deletion time, cut into keyset pages of {@code ListClustersResponse}.
 *
 * <p>Page sizes: the spec gives neither a default nor a maximum for this operation. {@link PageSizes#ASSUMED} takes
 * 100 and 500 from the API's sibling list operations as the Terraform provider documents and uses them
 * (docs/data-sources/blackout_windows.md: "Defaults to 100"; docs/data-sources/backups.md: "only the first 500";
 * internal/provider/allowlist_resource.go asks 500 per page); a larger {@code pagination.limit} is cut to the maximum
 * rather than refused, so a client must follow {@code next_page}. Page tokens are opaque; like Google's AIP-158
 * (https://google.aip.dev/158), a token is valid only with the query that produced it, and anything else is 400.
 * {@code pagination.as_of_time} leaves out clusters created after it (the sandbox keeps no other history).
 */
final class ClusterListing {

    enum SortBy {
        NAME,
        CREATED_AT,
        DELETED_AT
    }

    enum SortOrder {
        ASC,
        DESC
    }

    /** The page size used when the request names none, and the most one page holds. */
    record PageSizes(int byDefault, int max) {
        static final PageSizes ASSUMED = new PageSizes(100, 500);

        PageSizes {
            if (byDefault < 1 || max < byDefault) {
                throw new IllegalArgumentException(
                        "page sizes need 1 <= default <= max, got " + byDefault + ", " + max);
            }
        }
    }

    /** A parsed request; {@code limit} 0 means "the default", as protobuf's zero value does. */
    record Query(
            boolean showInactive,
            int limit,
            Optional<String> page,
            SortBy sortBy,
            SortOrder order,
            Optional<Instant> asOf) {

        /** What a page token is bound to: every parameter but the page and its size. */
        String binding() {
            return sortBy + "|" + order + "|" + showInactive + "|"
                    + asOf.map(Instant::toString).orElse("");
        }
    }

    /** A position between two clusters: after (next page) or before (previous page) the named one. */
    private record Cursor(boolean forward, String key, String id, String binding) {}

    private ClusterListing() {}

    /** One page of {@code clusters} (the whole organization, in any order) for {@code query}. */
    static ObjectNode page(List<SandboxCluster> clusters, Query query, PageSizes sizes) {
        Comparator<SandboxCluster> order = order(query);
        List<SandboxCluster> listed = clusters.stream()
                .filter(c -> query.showInactive() || c.active())
                .filter(c -> query.asOf().map(t -> !c.createdAt().isAfter(t)).orElse(true))
                .sorted(order)
                .toList();
        int limit = query.limit() == 0 ? sizes.byDefault() : Math.min(query.limit(), sizes.max());
        int from = 0;
        int to = Math.min(limit, listed.size());
        if (query.page().isPresent()) {
            Cursor cursor = decode(query.page().get());
            if (!cursor.binding().equals(query.binding())) {
                throw ApiError.invalidArgument("pagination.page was issued for another query: keep show_inactive"
                        + " and pagination.sort_by, sort_order and as_of_time as they were when paging");
            }
            int boundary = firstAfter(listed, cursor, query);
            if (cursor.forward()) {
                from = boundary;
                to = Math.min(listed.size(), from + limit);
            } else {
                to = boundary;
                from = Math.max(0, to - limit);
            }
        }
        ObjectNode out = SandboxConfig.JSON.createObjectNode();
        ArrayNode array = out.putArray("clusters");
        listed.subList(from, to).forEach(c -> array.add(c.render()));
        ObjectNode pagination = out.putObject("pagination");
        if (to < listed.size() && to > 0) {
            pagination.put(
                    "next_page",
                    encode(new Cursor(true, key(listed.get(to - 1), query), listed.get(to - 1).id, query.binding())));
        }
        if (from > 0 && from < listed.size()) {
            pagination.put(
                    "previous_page",
                    encode(new Cursor(false, key(listed.get(from), query), listed.get(from).id, query.binding())));
        }
        return out;
    }

    private static Comparator<SandboxCluster> order(Query query) {
        Comparator<SandboxCluster> byKey = query.sortBy() == SortBy.NAME
                ? Comparator.comparing(SandboxCluster::name)
                : Comparator.comparing(c -> time(c, query.sortBy()));
        Comparator<SandboxCluster> order = byKey.thenComparing(c -> c.id);
        return query.order() == SortOrder.DESC ? order.reversed() : order;
    }

    /** DELETED_AT sorts active clusters by their creation time, as the spec says. */
    private static Instant time(SandboxCluster c, SortBy sortBy) {
        return sortBy == SortBy.DELETED_AT ? c.deletedAt().orElse(c.createdAt()) : c.createdAt();
    }

    private static String key(SandboxCluster c, Query query) {
        return query.sortBy() == SortBy.NAME
                ? c.name()
                : time(c, query.sortBy()).toString();
    }

    /** The index of the first listed cluster that sorts after the cursor's position. */
    private static int firstAfter(List<SandboxCluster> listed, Cursor cursor, Query query) {
        for (int i = 0; i < listed.size(); i++) {
            SandboxCluster c = listed.get(i);
            int byKey = query.sortBy() == SortBy.NAME
                    ? c.name().compareTo(cursor.key())
                    : time(c, query.sortBy()).compareTo(cursorTime(cursor));
            int position = byKey != 0 ? byKey : c.id.compareTo(cursor.id());
            if (query.order() == SortOrder.DESC) {
                position = -position;
            }
            if (cursor.forward() ? position > 0 : position >= 0) {
                return i;
            }
        }
        return listed.size();
    }

    private static Instant cursorTime(Cursor cursor) {
        try {
            return Instant.parse(cursor.key());
        } catch (DateTimeParseException e) {
            throw ApiError.invalidArgument("pagination.page is not a page token this server issued");
        }
    }

    private static String encode(Cursor cursor) {
        ObjectNode token = SandboxConfig.JSON
                .createObjectNode()
                .put("forward", cursor.forward())
                .put("key", cursor.key())
                .put("id", cursor.id())
                .put("query", cursor.binding());
        return Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(token.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static Cursor decode(String page) {
        try {
            JsonNode token = SandboxConfig.JSON.readTree(Base64.getUrlDecoder().decode(page));
            if (token != null
                    && token.path("forward").isBoolean()
                    && token.path("key").isTextual()
                    && token.path("id").isTextual()
                    && token.path("query").isTextual()) {
                return new Cursor(
                        token.get("forward").asBoolean(),
                        token.get("key").asText(),
                        token.get("id").asText(),
                        token.get("query").asText());
            }
        } catch (IllegalArgumentException | IOException e) {
            // not base64 or not JSON: not a token of ours
        }
        throw ApiError.invalidArgument("pagination.page '" + page + "' is not a page token this server issued");
    }
}
