package dev.cmek.azure;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Key Vault key identifier, {@code https://<vault>.vault.azure.net/keys/<name>[/<version>]}. CockroachDB takes the
 * versioned form (a key spec's {@code uri}); a key the customer brings may be given either way.
 *
 * @param version the 32-hex-digit version, or empty for the key as a whole
 */
public record KeyUri(String vaultName, String keyName, Optional<String> version) {
    private static final Pattern VAULT = Pattern.compile("[a-z](?!.*--)[a-z0-9-]{1,22}[a-z0-9]");
    private static final Pattern KEY = Pattern.compile("[0-9a-zA-Z-]{1,127}");
    private static final Pattern VERSION = Pattern.compile("[0-9a-f]{32}");
    private static final Pattern PATH = Pattern.compile("/keys/([^/]+)(?:/([^/]*))?/?");
    static final String HOST_SUFFIX = ".vault.azure.net";

    public KeyUri {
        vaultName = vaultName == null ? null : vaultName.toLowerCase(Locale.ROOT);
        if (vaultName == null || !VAULT.matcher(vaultName).matches()) {
            throw new InvalidInputException(
                    "Not a Key Vault name (3-24 letters, digits and single hyphens, starting with" + " a letter): "
                            + vaultName);
        }
        if (keyName == null || !KEY.matcher(keyName).matches()) {
            throw new InvalidInputException("Not a Key Vault key name (1-127 letters, digits and hyphens): " + keyName);
        }
        version = version.map(v -> v.toLowerCase(Locale.ROOT));
        if (version.isPresent() && !VERSION.matcher(version.get()).matches()) {
            throw new InvalidInputException("Not a Key Vault key version (32 hex digits): " + version.get());
        }
    }

    /** Parses {@code https://<vault>.vault.azure.net/keys/<name>[/<version>]}. */
    public static KeyUri parse(String uri) {
        URI u;
        try {
            u = new URI(uri == null ? "" : uri.strip());
        } catch (URISyntaxException e) {
            throw notAKey(uri);
        }
        String host = u.getHost() == null ? "" : u.getHost().toLowerCase(Locale.ROOT);
        Matcher m = PATH.matcher(u.getPath() == null ? "" : u.getPath());
        if (!"https".equalsIgnoreCase(u.getScheme())
                || !host.endsWith(HOST_SUFFIX)
                || u.getPort() != -1
                || u.getQuery() != null
                || !m.matches()) {
            throw notAKey(uri);
        }
        String version = m.group(2) == null || m.group(2).isEmpty() ? null : m.group(2);
        return new KeyUri(
                host.substring(0, host.length() - HOST_SUFFIX.length()), m.group(1), Optional.ofNullable(version));
    }

    private static InvalidInputException notAKey(String uri) {
        return new InvalidInputException(
                "Not a Key Vault key URI (https://<vault>.vault.azure.net/keys/<name>[/<version>]): " + uri);
    }

    static KeyUri of(String vaultName, String keyName) {
        return new KeyUri(vaultName, keyName, Optional.empty());
    }

    public KeyUri withVersion(String v) {
        return new KeyUri(vaultName, keyName, Optional.of(v));
    }

    /** The key as a whole, without a version. */
    public KeyUri unversioned() {
        return new KeyUri(vaultName, keyName, Optional.empty());
    }

    public boolean versioned() {
        return version.isPresent();
    }

    /** {@code https://<vault>.vault.azure.net}, what a KeyClient is built for. */
    public String vaultUrl() {
        return "https://" + vaultName + HOST_SUFFIX;
    }

    public String value() {
        return vaultUrl() + "/keys/" + keyName + version.map(v -> "/" + v).orElse("");
    }

    @Override
    public String toString() {
        return value();
    }
}
