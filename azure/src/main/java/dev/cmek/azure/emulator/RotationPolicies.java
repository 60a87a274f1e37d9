package dev.cmek.azure.emulator;

import static dev.cmek.azure.emulator.KeyVaultService.error;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Key rotation policies: Rotate after {@code timeAfterCreate} (or before expiry), Notify before expiry, an
 * {@code expiryTime} for new versions, with Key Vault's minimums
 * (https://learn.microsoft.com/azure/key-vault/keys/how-to-configure-key-rotation#key-rotation-policy).
 */
final class RotationPolicies {
    private RotationPolicies() {}

    private static final Pattern ISO_PERIOD = Pattern.compile("P(?:(\\d+)Y)?(?:(\\d+)M)?(?:(\\d+)W)?(?:(\\d+)D)?");
    private static final Duration MIN_ROTATION = Duration.ofDays(7);
    private static final Duration MIN_NOTIFY = Duration.ofDays(7);
    private static final Duration MIN_EXPIRY = Duration.ofDays(28);

    /** An ISO 8601 period in days as Key Vault counts it (a month is 30 days, a year 365); empty when malformed. */
    static Optional<Duration> period(String iso) {
        if (iso == null) {
            return Optional.empty();
        }
        Matcher m = ISO_PERIOD.matcher(iso.toUpperCase(Locale.ROOT));
        if (!m.matches() || iso.length() < 3) {
            return Optional.empty();
        }
        long days = num(m.group(1)) * 365 + num(m.group(2)) * 30 + num(m.group(3)) * 7 + num(m.group(4));
        return Optional.of(Duration.ofDays(days));
    }

    private static long num(String s) {
        return s == null ? 0 : Long.parseLong(s);
    }

    static Optional<Duration> expiry(KeyStore.Key key) {
        if (key.rotationPolicy == null) {
            return Optional.empty();
        }
        return period(key.rotationPolicy.path("attributes").path("expiryTime").asText(null));
    }

    /** The policy a key has; one never set reads as Key Vault's default, Notify 30 days before expiry. */
    static ObjectNode json(KeyStore.Key key, String host) {
        ObjectNode n = Http.object().put("id", "https://" + host + "/keys/" + key.name + "/rotationpolicy");
        if (key.rotationPolicy == null) {
            ObjectNode action = n.putArray("lifetimeActions").addObject();
            action.putObject("trigger").put("timeBeforeExpiry", "P30D");
            action.putObject("action").put("type", "Notify");
            n.putObject("attributes");
            return n;
        }
        n.set("lifetimeActions", key.rotationPolicy.get("lifetimeActions").deepCopy());
        ObjectNode attributes = n.putObject("attributes");
        JsonNode expiry = key.rotationPolicy.path("attributes").get("expiryTime");
        if (expiry != null && !expiry.isNull()) {
            attributes.put("expiryTime", expiry.asText());
        }
        attributes
                .put("created", key.policyCreated)
                .put("updated", key.rotationPolicy.path("updated").asLong());
        return n;
    }

    static Http.Response put(KeyStore.Key key, JsonNode body, String host) {
        JsonNode actions = body.path("lifetimeActions");
        ArrayNode stored = Http.array();
        Optional<Duration> expiry = Optional.empty();
        String expiryText = body.path("attributes").path("expiryTime").asText(null);
        if (expiryText != null) {
            expiry = period(expiryText);
            if (expiry.isEmpty()) {
                return bad("Invalid expiryTime '" + expiryText + "': expected an ISO 8601 duration such as P2Y.");
            }
            if (expiry.get().compareTo(MIN_EXPIRY) < 0) {
                return bad("Key expiryTime must be at least 28 days (P28D).");
            }
        }
        if (actions.isArray()) {
            for (JsonNode a : actions) {
                String type = a.path("action").path("type").asText("");
                JsonNode trigger = a.path("trigger");
                String after = trigger.path("timeAfterCreate").asText(null);
                String before = trigger.path("timeBeforeExpiry").asText(null);
                if ((after == null) == (before == null)) {
                    return bad("A lifetime action trigger must set exactly one of timeAfterCreate and"
                            + " timeBeforeExpiry.");
                }
                String canonical;
                if (type.equalsIgnoreCase("rotate")) {
                    canonical = "Rotate";
                } else if (type.equalsIgnoreCase("notify")) {
                    canonical = "Notify";
                    if (before == null) {
                        return bad("Notify lifetime actions take timeBeforeExpiry only.");
                    }
                } else {
                    return bad("Invalid lifetime action type '" + type + "': expected Rotate or Notify.");
                }
                Optional<Duration> d = period(after != null ? after : before);
                if (d.isEmpty()) {
                    return bad("Invalid duration '" + (after != null ? after : before) + "': expected ISO 8601, such"
                            + " as P90D.");
                }
                if (after != null && d.get().compareTo(MIN_ROTATION) < 0) {
                    return bad("timeAfterCreate must be at least 7 days (P7D).");
                }
                if (before != null) {
                    if (d.get().compareTo(MIN_NOTIFY) < 0) {
                        return bad("timeBeforeExpiry must be at least 7 days (P7D).");
                    }
                    if (expiry.isEmpty()) {
                        return bad("timeBeforeExpiry needs the policy's expiryTime to be set.");
                    }
                    if (expiry.get().minus(d.get()).compareTo(MIN_ROTATION) < 0) {
                        return bad("timeBeforeExpiry must leave at least 7 days after a version is created.");
                    }
                }
                if (after != null
                        && expiry.isPresent()
                        && expiry.get().minus(d.get()).compareTo(MIN_ROTATION) < 0) {
                    return bad("expiryTime must be at least 7 days longer than timeAfterCreate.");
                }
                ObjectNode s = stored.addObject();
                s.putObject("trigger")
                        .put(after != null ? "timeAfterCreate" : "timeBeforeExpiry", after != null ? after : before);
                s.putObject("action").put("type", canonical);
            }
        }
        long now = Instant.now().getEpochSecond();
        if (key.rotationPolicy == null) {
            key.policyCreated = now;
        }
        ObjectNode policy = Http.object();
        policy.set("lifetimeActions", stored);
        ObjectNode attributes = policy.putObject("attributes");
        if (expiryText != null) {
            attributes.put("expiryTime", expiryText);
        }
        policy.put("updated", now);
        key.rotationPolicy = policy;
        return Http.Response.json(200, json(key, host));
    }

    private static Http.Response bad(String message) {
        return error(400, "BadParameter", message, null);
    }
}
