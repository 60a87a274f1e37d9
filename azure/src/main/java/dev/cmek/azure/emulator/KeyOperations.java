package dev.cmek.azure.emulator;

import static dev.cmek.azure.emulator.KeyVaultService.error;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.security.KeyPair;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;

/** One Key Vault keys request's work, once the caller is authenticated and authorized. */
final class KeyOperations {
    static final List<String> RSA_OPS = List.of("encrypt", "decrypt", "sign", "verify", "wrapKey", "unwrapKey");
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final int MAX_PAGE = 25;

    private final AzureEmulator emulator;
    private final Resources.Vault vault;
    private final String host;

    KeyOperations(AzureEmulator emulator, Resources.Vault vault, String host) {
        this.emulator = emulator;
        this.vault = vault;
        this.host = host;
    }

    Http.Response run(Http.Request r, String operation, String name) {
        return switch (operation) {
            case "keyvault.keys.create" -> create(r, name);
            case "keyvault.keys.rotate" -> rotate(name);
            case "keyvault.keys.encrypt",
                    "keyvault.keys.decrypt",
                    "keyvault.keys.wrapKey",
                    "keyvault.keys.unwrapKey",
                    "keyvault.keys.sign",
                    "keyvault.keys.verify" -> crypto(r, operation, name);
            default -> {
                synchronized (emulator.lock) {
                    yield locked(r, operation, name);
                }
            }
        };
    }

    private Http.Response locked(Http.Request r, String operation, String name) {
        KeyStore store = vault.keys;
        switch (operation) {
            case "keyvault.keys.get": {
                Matcher m = KeyVaultService.KEY.matcher(r.path());
                m.matches();
                Optional<KeyStore.Key> key = store.key(name);
                Optional<KeyStore.Version> v = key.flatMap(k -> k.version(m.group(2)));
                return v.map(x -> Http.Response.json(200, bundle(key.get(), x)))
                        .orElseGet(() -> keyNotFound(name, m.group(2)));
            }
            case "keyvault.keys.update":
                return update(r, name);
            case "keyvault.keys.list":
                return page(
                        r,
                        "/keys",
                        store.keys.values().stream()
                                .map(k -> item(k, k.current(), false))
                                .toList());
            case "keyvault.keys.listVersions": {
                Optional<KeyStore.Key> key = store.key(name);
                if (key.isEmpty()) {
                    return keyNotFound(name, null);
                }
                return page(
                        r,
                        "/keys/" + key.get().name + "/versions",
                        key.get().versions.stream()
                                .map(v -> item(key.get(), v, true))
                                .toList());
            }
            case "keyvault.keys.getRotationPolicy":
                return store.key(name)
                        .map(k -> Http.Response.json(200, RotationPolicies.json(k, host)))
                        .orElseGet(() -> keyNotFound(name, null));
            case "keyvault.keys.setRotationPolicy":
                return store.key(name)
                        .map(k -> RotationPolicies.put(k, r.json(), host))
                        .orElseGet(() -> keyNotFound(name, null));
            case "keyvault.keys.delete":
                return delete(name);
            case "keyvault.keys.getDeleted":
                return store.deletedKey(name)
                        .map(k -> Http.Response.json(200, deletedBundle(k)))
                        .orElseGet(() -> error(404, "KeyNotFound", "Deleted Key not found: " + name, null));
            case "keyvault.keys.listDeleted":
                return page(
                        r,
                        "/deletedkeys",
                        store.deleted.values().stream()
                                .map(k -> {
                                    ObjectNode n = item(k, k.current(), false);
                                    n.put("recoveryId", "https://" + host + "/deletedkeys/" + k.name)
                                            .put("deletedDate", k.deletedAt.getEpochSecond())
                                            .put("scheduledPurgeDate", k.scheduledPurge.getEpochSecond());
                                    return n;
                                })
                                .toList());
            case "keyvault.keys.recover":
                return recover(name);
            case "keyvault.keys.purge":
                return purge(name);
            default:
                return error(400, "BadParameter", "Unsupported operation " + operation, null);
        }
    }

    private Http.Response create(Http.Request r, String name) {
        if (!name.matches("[0-9a-zA-Z-]{1,127}")) {
            return error(400, "BadParameter", "The request URI contains an invalid name: " + name, null);
        }
        JsonNode body = r.json();
        String kty = body.path("kty").asText("");
        if (!kty.equals("RSA") && !kty.equals("RSA-HSM")) {
            return error(
                    400,
                    "BadParameter",
                    kty.isEmpty()
                            ? "Property 'kty' is required."
                            : "Key type '" + kty + "' is not supported by this emulator (RSA and RSA-HSM only).",
                    null);
        }
        if (kty.equals("RSA-HSM") && !vault.premium()) {
            // https://learn.microsoft.com/azure/key-vault/keys/about-keys#hsm-protected-keys
            return error(
                    400,
                    "BadParameter",
                    "HSM-protected keys (RSA-HSM) require a Premium vault; '" + vault.name + "' is a Standard vault.",
                    null);
        }
        int size = body.path("key_size").asInt(2048);
        if (size != 2048 && size != 3072 && size != 4096) {
            return error(
                    400, "BadParameter", "Invalid key size " + size + ": RSA keys are 2048, 3072 or 4096 bits.", null);
        }
        List<String> ops = new ArrayList<>();
        if (body.has("key_ops") && body.get("key_ops").isArray()) {
            for (JsonNode op : body.get("key_ops")) {
                String o = canonicalOp(op.asText());
                if (o == null) {
                    return error(400, "BadParameter", "Invalid key operation: " + op.asText(), null);
                }
                ops.add(o);
            }
        } else {
            ops.addAll(RSA_OPS);
        }
        synchronized (emulator.lock) {
            if (vault.keys.deletedKey(name).isPresent()) {
                return deletedConflict(name);
            }
        }
        KeyPair pair = emulator.keyPairs.take(size);
        synchronized (emulator.lock) {
            if (vault.keys.deletedKey(name).isPresent()) {
                return deletedConflict(name);
            }
            KeyStore.Key key =
                    vault.keys.keys.computeIfAbsent(name.toLowerCase(Locale.ROOT), n -> new KeyStore.Key(name));
            KeyStore.Version v = new KeyStore.Version(
                    newVersion(), pair, kty, size, ops, Instant.now().getEpochSecond());
            Http.Response bad = applyAttributes(v, body.get("attributes"));
            if (bad != null) {
                if (key.versions.isEmpty()) {
                    vault.keys.keys.remove(name.toLowerCase(Locale.ROOT));
                }
                return bad;
            }
            v.tags = tags(body.get("tags"));
            key.versions.add(v);
            return Http.Response.json(200, bundle(key, v));
        }
    }

    /** A new version like the current one (https://learn.microsoft.com/rest/api/keyvault/keys/rotate-key/rotate-key). */
    private Http.Response rotate(String name) {
        KeyStore.Version current;
        synchronized (emulator.lock) {
            Optional<KeyStore.Key> key = vault.keys.key(name);
            if (key.isEmpty()) {
                return keyNotFound(name, null);
            }
            current = key.get().current();
        }
        KeyPair pair = emulator.keyPairs.take(current.keySize);
        synchronized (emulator.lock) {
            Optional<KeyStore.Key> key = vault.keys.key(name);
            if (key.isEmpty()) {
                return keyNotFound(name, null);
            }
            long now = Instant.now().getEpochSecond();
            KeyStore.Version v = new KeyStore.Version(
                    newVersion(), pair, current.kty, current.keySize, new ArrayList<>(current.keyOps), now);
            v.tags = new java.util.LinkedHashMap<>(current.tags);
            RotationPolicies.expiry(key.get()).ifPresent(d -> v.expires = now + d.getSeconds());
            key.get().versions.add(v);
            return Http.Response.json(200, bundle(key.get(), v));
        }
    }

    private Http.Response update(Http.Request r, String name) {
        Matcher m = KeyVaultService.KEY.matcher(r.path());
        m.matches();
        Optional<KeyStore.Key> key = vault.keys.key(name);
        Optional<KeyStore.Version> found = key.flatMap(k -> k.version(m.group(2)));
        if (found.isEmpty()) {
            return keyNotFound(name, m.group(2));
        }
        KeyStore.Version v = found.get();
        JsonNode body = r.json();
        // The SDK sends an empty key_ops on every update that does not name operations: the key keeps its own.
        if (body.has("key_ops")
                && body.get("key_ops").isArray()
                && !body.get("key_ops").isEmpty()) {
            List<String> ops = new ArrayList<>();
            for (JsonNode op : body.get("key_ops")) {
                String o = canonicalOp(op.asText());
                if (o == null) {
                    return error(400, "BadParameter", "Invalid key operation: " + op.asText(), null);
                }
                ops.add(o);
            }
            v.keyOps = ops;
        }
        Http.Response bad = applyAttributes(v, body.get("attributes"));
        if (bad != null) {
            return bad;
        }
        if (body.has("tags") && body.get("tags").isObject()) {
            v.tags = tags(body.get("tags"));
        }
        v.updated = Instant.now().getEpochSecond();
        return Http.Response.json(200, bundle(key.get(), v));
    }

    /** Soft delete: the key moves to deleted keys for the vault's retention period. */
    private Http.Response delete(String name) {
        Optional<KeyStore.Key> key = vault.keys.key(name);
        if (key.isEmpty()) {
            return keyNotFound(name, null);
        }
        KeyStore.Key k = vault.keys.keys.remove(name.toLowerCase(Locale.ROOT));
        k.deletedAt = Instant.now();
        k.scheduledPurge = k.deletedAt.plus(java.time.Duration.ofDays(vault.softDeleteRetentionDays));
        vault.keys.deleted.put(name.toLowerCase(Locale.ROOT), k);
        return Http.Response.json(200, deletedBundle(k));
    }

    private Http.Response recover(String name) {
        Optional<KeyStore.Key> deleted = vault.keys.deletedKey(name);
        if (deleted.isEmpty()) {
            return error(404, "KeyNotFound", "Deleted Key not found: " + name, null);
        }
        KeyStore.Key k = vault.keys.deleted.remove(name.toLowerCase(Locale.ROOT));
        k.deletedAt = null;
        k.scheduledPurge = null;
        vault.keys.keys.put(name.toLowerCase(Locale.ROOT), k);
        return Http.Response.json(200, bundle(k, k.current()));
    }

    /** Purge is refused while purge protection is on (https://learn.microsoft.com/azure/key-vault/general/soft-delete-overview#purge-protection). */
    private Http.Response purge(String name) {
        if (vault.keys.deletedKey(name).isEmpty()) {
            return error(404, "KeyNotFound", "Deleted Key not found: " + name, null);
        }
        if (vault.purgeProtection) {
            return error(
                    403,
                    "Forbidden",
                    "Operation \"purge\" is not allowed because purge protection is enabled for"
                            + " this vault. Key Vault service will automatically purge it after the retention period has"
                            + " passed.\r\nVault: " + vault.name + ";location=" + vault.location,
                    null);
        }
        vault.keys.deleted.remove(name.toLowerCase(Locale.ROOT));
        return Http.Response.empty(204);
    }

    private Http.Response crypto(Http.Request r, String operation, String name) {
        Matcher m = KeyVaultService.CRYPTO.matcher(r.path());
        m.matches();
        KeyStore.Key key;
        KeyStore.Version v;
        synchronized (emulator.lock) {
            Optional<KeyStore.Key> k = vault.keys.key(name);
            Optional<KeyStore.Version> found = k.flatMap(x -> x.version(m.group(2)));
            if (found.isEmpty()) {
                return keyNotFound(name, m.group(2));
            }
            key = k.get();
            v = found.get();
        }
        String op = switch (operation) {
            case "keyvault.keys.wrapKey" -> "wrapKey";
            case "keyvault.keys.unwrapKey" -> "unwrapKey";
            default -> operation.substring("keyvault.keys.".length());
        };
        if (!v.keyOps.contains(op)) {
            return error(
                    403, "Forbidden", "Operation " + op + " is not permitted on this key.", "KeyOperationForbidden");
        }
        long now = Instant.now().getEpochSecond();
        if (!v.enabled) {
            return error(403, "Forbidden", "Operation " + op + " is not allowed on a disabled key.", "KeyDisabled");
        }
        if (v.expires != null && now >= v.expires) {
            return error(403, "Forbidden", "Operation " + op + " is not allowed on an expired key.", "KeyExpired");
        }
        if (v.notBefore != null && now < v.notBefore) {
            return error(
                    403,
                    "Forbidden",
                    "Operation " + op + " is not allowed on a key that is not yet valid.",
                    "KeyNotYetValid");
        }
        return KeyCrypto.run(op, v, r.json(), kid(key, v));
    }

    private Http.Response applyAttributes(KeyStore.Version v, JsonNode attributes) {
        if (attributes == null || !attributes.isObject()) {
            return null;
        }
        if (attributes.has("enabled") && !attributes.get("enabled").isNull()) {
            v.enabled = attributes.get("enabled").asBoolean();
        }
        if (attributes.has("nbf")) {
            v.notBefore = attributes.get("nbf").isNull()
                    ? null
                    : attributes.get("nbf").asLong();
        }
        if (attributes.has("exp")) {
            v.expires = attributes.get("exp").isNull()
                    ? null
                    : attributes.get("exp").asLong();
        }
        if (v.notBefore != null && v.expires != null && v.notBefore >= v.expires) {
            return error(400, "BadParameter", "Property 'nbf' must be earlier than 'exp'.", null);
        }
        return null;
    }

    private static String canonicalOp(String op) {
        for (String o : RSA_OPS) {
            if (o.equalsIgnoreCase(op)) {
                return o;
            }
        }
        return op.equalsIgnoreCase("import") || op.equalsIgnoreCase("export") ? op.toLowerCase(Locale.ROOT) : null;
    }

    private static Map<String, String> tags(JsonNode node) {
        return ArmService.tags(node);
    }

    private static String newVersion() {
        return UUID.randomUUID().toString().replace("-", "");
    }

    private Http.Response deletedConflict(String name) {
        return error(
                409,
                "Conflict",
                "Key " + name + " is currently in a deleted but recoverable state, and its name"
                        + " cannot be reused; in this state, the key can be recovered or purged.",
                "ObjectIsDeletedButRecoverable");
    }

    private Http.Response keyNotFound(String name, String version) {
        String id = version == null || version.isEmpty() ? name : name + "/" + version;
        return error(
                404,
                "KeyNotFound",
                "A key with (name/id) " + id + " was not found in this key vault. If you"
                        + " recently deleted this key you may be able to recover it using the correct recovery command. For"
                        + " help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182",
                null);
    }

    String kid(KeyStore.Key key, KeyStore.Version v) {
        return "https://" + host + "/keys/" + key.name + "/" + v.version;
    }

    /** Recovery level as Key Vault reports it from the vault's soft-delete settings. */
    private ObjectNode attributes(KeyStore.Version v) {
        ObjectNode a = Http.object().put("enabled", v.enabled);
        if (v.notBefore != null) {
            a.put("nbf", v.notBefore);
        }
        if (v.expires != null) {
            a.put("exp", v.expires);
        }
        String level = (vault.softDeleteRetentionDays < 90 ? "CustomizedRecoverable" : "Recoverable")
                + (vault.purgeProtection ? "" : "+Purgeable");
        return a.put("created", v.created)
                .put("updated", v.updated)
                .put("recoveryLevel", level)
                .put("recoverableDays", vault.softDeleteRetentionDays)
                .put("exportable", false);
    }

    ObjectNode bundle(KeyStore.Key key, KeyStore.Version v) {
        ObjectNode n = Http.object();
        RSAPublicKey pub = (RSAPublicKey) v.keyPair.getPublic();
        ObjectNode jwk = n.putObject("key").put("kid", kid(key, v)).put("kty", v.kty);
        ArrayNode ops = jwk.putArray("key_ops");
        v.keyOps.forEach(ops::add);
        jwk.put("n", B64.encodeToString(Tokens.unsigned(pub.getModulus())))
                .put("e", B64.encodeToString(Tokens.unsigned(pub.getPublicExponent())));
        n.set("attributes", attributes(v));
        ObjectNode tags = n.putObject("tags");
        v.tags.forEach(tags::put);
        return n;
    }

    private ObjectNode deletedBundle(KeyStore.Key k) {
        ObjectNode n = bundle(k, k.current());
        n.put("recoveryId", "https://" + host + "/deletedkeys/" + k.name)
                .put("deletedDate", k.deletedAt.getEpochSecond())
                .put("scheduledPurgeDate", k.scheduledPurge.getEpochSecond());
        return n;
    }

    private ObjectNode item(KeyStore.Key key, KeyStore.Version v, boolean withVersion) {
        ObjectNode n = Http.object().put("kid", withVersion ? kid(key, v) : "https://" + host + "/keys/" + key.name);
        n.set("attributes", attributes(v));
        ObjectNode tags = n.putObject("tags");
        v.tags.forEach(tags::put);
        return n;
    }

    /** Pages of at most {@code maxresults} (1 to 25) items with a nextLink, as Key Vault lists. */
    private Http.Response page(Http.Request r, String path, List<ObjectNode> all) {
        int max = MAX_PAGE;
        if (r.param("maxresults") != null) {
            try {
                max = Integer.parseInt(r.param("maxresults"));
            } catch (NumberFormatException e) {
                max = -1;
            }
            if (max < 1 || max > MAX_PAGE) {
                return error(400, "BadParameter", "Invalid maxresults: the value must be between 1 and 25.", null);
            }
        }
        int start = 0;
        if (r.param("$skiptoken") != null) {
            try {
                start = Integer.parseInt(r.param("$skiptoken"));
            } catch (NumberFormatException e) {
                return error(400, "BadParameter", "Invalid $skiptoken.", null);
            }
        }
        ObjectNode body = Http.object();
        ArrayNode value = body.putArray("value");
        int end = Math.min(all.size(), start + max);
        for (int i = start; i < end; i++) {
            value.add(all.get(i));
        }
        if (end < all.size()) {
            body.put(
                    "nextLink",
                    "https://" + host + ":443" + path + "?api-version=" + r.param("api-version") + "&$skiptoken=" + end
                            + "&maxresults=" + max);
        } else {
            body.putNull("nextLink");
        }
        return Http.Response.json(200, body);
    }
}
