package dev.cmek.azure;

import com.azure.core.exception.HttpResponseException;
import com.azure.core.http.rest.Response;
import com.azure.core.util.Context;
import com.azure.security.keyvault.keys.KeyClient;
import com.azure.security.keyvault.keys.models.CreateRsaKeyOptions;
import com.azure.security.keyvault.keys.models.KeyOperation;
import com.azure.security.keyvault.keys.models.KeyProperties;
import com.azure.security.keyvault.keys.models.KeyRotationLifetimeAction;
import com.azure.security.keyvault.keys.models.KeyRotationPolicy;
import com.azure.security.keyvault.keys.models.KeyRotationPolicyAction;
import com.azure.security.keyvault.keys.models.KeyType;
import com.azure.security.keyvault.keys.models.KeyVaultKey;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keys in the Key Vault data plane (https://learn.microsoft.com/rest/api/keyvault/keys): found, created as RSA 3072
 * with encrypt, decrypt, wrap and unwrap and no expiry, their rotation policy read and set, rotated. Nothing here
 * disables, deletes or purges a key or a version.
 */
final class VaultKeys {
    static final int KEY_SIZE = 3072;
    static final List<KeyOperation> OPERATIONS =
            List.of(KeyOperation.ENCRYPT, KeyOperation.DECRYPT, KeyOperation.WRAP_KEY, KeyOperation.UNWRAP_KEY);
    /** A key expiring sooner than this is reported: CockroachDB cannot use an expired key. */
    static final Duration EXPIRY_WARNING = Duration.ofDays(30);

    private static final Pattern ISO_PERIOD = Pattern.compile("P(?:(\\d+)Y)?(?:(\\d+)M)?(?:(\\d+)W)?(?:(\\d+)D)?");

    private final AzureClients clients;

    VaultKeys(AzureClients clients) {
        this.clients = clients;
    }

    private KeyClient client(KeyUri key) {
        return clients.keys(key.vaultName());
    }

    /** The key (at the URI's version, else its current one); empty when it does not exist. */
    Optional<KeyVaultKey> find(KeyUri key) {
        try {
            return Optional.of(AzureCall.keyVault(
                    clients,
                    "read key",
                    key,
                    () -> client(key).getKey(key.keyName(), key.version().orElse("")),
                    404));
        } catch (HttpResponseException notFound) {
            return Optional.empty();
        }
    }

    /**
     * Creates the key. Creating a key whose name exists adds a version, so a lost reply is read back instead of being
     * sent again blindly: the key found with our tags is the one this call made.
     */
    KeyVaultKey create(KeyUri key, Protection protection, Map<String, String> tags) {
        CreateRsaKeyOptions options = new CreateRsaKeyOptions(key.keyName())
                .setKeySize(KEY_SIZE)
                .setHardwareProtected(protection == Protection.HSM)
                .setKeyOperations(OPERATIONS.toArray(KeyOperation[]::new))
                .setTags(tags)
                .setEnabled(true);
        for (int attempt = 1; ; attempt++) {
            try {
                return AzureCall.keyVault(
                        clients, "create key", key, () -> client(key).createRsaKey(options));
            } catch (CallFailedException e) {
                if (e.code() != null && e.code().contains("ObjectIsDeletedButRecoverable")) {
                    // Soft delete keeps a deleted key's name:
                    // https://learn.microsoft.com/azure/key-vault/general/soft-delete-overview
                    throw new AzureCmekException("key " + key + " was deleted and is kept recoverable (soft delete), so"
                            + " its name cannot be used again: recover it (az keyvault key recover --vault-name "
                            + key.vaultName() + " --name " + key.keyName() + ") and run the same command again.");
                }
                throw e;
            } catch (ReplyLostException lost) {
                Optional<KeyVaultKey> made = find(key.unversioned());
                if (made.isPresent()) {
                    return made.get();
                }
                if (attempt >= 2) {
                    throw AzureCall.failure(
                            clients,
                            CallFailedException.Service.KEY_VAULT,
                            "create key",
                            key.toString(),
                            key.vaultUrl(),
                            lost);
                }
            }
        }
    }

    /** The key's rotation policy (Key Vault answers its default, Notify 30 days before expiry, when none was set). */
    KeyRotationPolicy rotationPolicy(KeyUri key) {
        return AzureCall.keyVault(
                clients, "read key rotation policy", key, () -> client(key).getKeyRotationPolicy(key.keyName()));
    }

    /** Rotate {@code timeAfterCreate} the schedule's period, no expiry; or no lifetime action when rotation is off. */
    KeyRotationPolicy setRotationPolicy(KeyUri key, RotationSchedule schedule) {
        List<KeyRotationLifetimeAction> actions = new ArrayList<>();
        if (schedule.automatic()) {
            actions.add(new KeyRotationLifetimeAction(KeyRotationPolicyAction.ROTATE)
                    .setTimeAfterCreate(schedule.timeAfterCreate()));
        }
        KeyRotationPolicy policy = new KeyRotationPolicy().setLifetimeActions(actions);
        return AzureCall.keyVault(
                clients,
                "set key rotation policy",
                key,
                () -> client(key).updateKeyRotationPolicy(key.keyName(), policy));
    }

    /**
     * A new version of the key (Key Vault's rotate); older versions stay enabled. A lost reply is read back: a version
     * made after this call started is the one it made.
     */
    KeyVaultKey rotate(KeyUri key) {
        OffsetDateTime sent = OffsetDateTime.now().minusSeconds(5);
        try {
            return AzureCall.keyVault(
                    clients, "rotate key", key, () -> client(key).rotateKey(key.keyName()));
        } catch (ReplyLostException lost) {
            return find(key.unversioned())
                    .filter(k -> k.getProperties().getCreatedOn() != null
                            && k.getProperties().getCreatedOn().isAfter(sent))
                    .orElseThrow(() -> CallFailedException.replyLost(
                            "rotate key",
                            key.toString(),
                            "no new version shows yet; list the versions (az keyvault key list-versions --vault-name "
                                    + key.vaultName() + " --name " + key.keyName() + ") before rotating again",
                            lost));
        }
    }

    /** Every version of the key, oldest first as Key Vault lists them. */
    List<KeyProperties> versions(KeyUri key) {
        return AzureCall.keyVault(clients, "list key versions", key, () -> {
            List<KeyProperties> out = new ArrayList<>();
            client(key).listPropertiesOfKeyVersions(key.keyName()).forEach(out::add);
            return out;
        });
    }

    /** Updates the key's current version's tags. */
    void tag(KeyVaultKey key, Map<String, String> tags) {
        KeyUri uri = KeyUri.parse(key.getId());
        KeyProperties props = key.getProperties().setTags(tags);
        AzureCall.keyVault(clients, "tag key", uri, () -> {
            Response<KeyVaultKey> r = client(uri).updateKeyPropertiesWithResponse(props, Context.NONE);
            return r.getValue();
        });
    }

    /** When the policy rotates the key after each version is made; empty when it does not rotate that way. */
    static Optional<Duration> rotatesAfter(KeyRotationPolicy policy) {
        if (policy == null || policy.getLifetimeActions() == null) {
            return Optional.empty();
        }
        for (KeyRotationLifetimeAction a : policy.getLifetimeActions()) {
            if (a.getAction() == KeyRotationPolicyAction.ROTATE && a.getTimeAfterCreate() != null) {
                return period(a.getTimeAfterCreate());
            }
        }
        return Optional.empty();
    }

    /** Whether the policy rotates at all (after creation or before expiry). */
    static boolean rotates(KeyRotationPolicy policy) {
        return policy != null
                && policy.getLifetimeActions() != null
                && policy.getLifetimeActions().stream().anyMatch(a -> a.getAction() == KeyRotationPolicyAction.ROTATE);
    }

    /** An ISO 8601 period as Key Vault counts it (a month 30 days, a year 365). */
    static Optional<Duration> period(String iso) {
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

    /** What stops a key serving CockroachDB: not RSA, disabled, expired or expiring soon, no encrypt or decrypt. */
    static List<String> problems(KeyVaultKey key, OffsetDateTime now) {
        List<String> out = new ArrayList<>();
        KeyType type = key.getKeyType();
        if (!KeyType.RSA.equals(type) && !KeyType.RSA_HSM.equals(type)) {
            out.add("its type is " + type + ", not RSA (CockroachDB encrypts with RSA-OAEP-256)");
        }
        KeyProperties p = key.getProperties();
        if (!Boolean.TRUE.equals(p.isEnabled())) {
            out.add("version " + p.getVersion() + " is disabled");
        }
        if (p.getExpiresOn() != null && p.getExpiresOn().isBefore(now)) {
            out.add("version " + p.getVersion() + " expired on " + p.getExpiresOn());
        } else if (p.getExpiresOn() != null && p.getExpiresOn().isBefore(now.plus(EXPIRY_WARNING))) {
            out.add("version " + p.getVersion() + " expires on " + p.getExpiresOn() + ", within "
                    + EXPIRY_WARNING.toDays() + " days");
        }
        if (p.getNotBefore() != null && p.getNotBefore().isAfter(now)) {
            out.add("version " + p.getVersion() + " is not valid before " + p.getNotBefore());
        }
        List<KeyOperation> ops = key.getKeyOperations() == null ? List.of() : key.getKeyOperations();
        for (KeyOperation needed : List.of(KeyOperation.ENCRYPT, KeyOperation.DECRYPT)) {
            if (!ops.isEmpty() && !ops.contains(needed)) {
                out.add("its key operations " + ops + " lack " + needed);
            }
        }
        return out;
    }

    /** The versioned URI of a key as read (its {@code kid}). */
    static KeyUri uriOf(KeyVaultKey key) {
        return KeyUri.parse(key.getId());
    }
}
