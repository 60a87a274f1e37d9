package dev.cmek.azure;

/**
 * How the key material is protected: software keys in a Standard vault, or HSM keys ({@code RSA-HSM}) in a Premium
 * vault (https://learn.microsoft.com/azure/key-vault/keys/about-keys#hsm-protected-keys).
 */
public enum Protection {
    SOFTWARE("standard", "RSA"),
    HSM("premium", "RSA-HSM");

    private final String vaultSku;
    private final String keyType;

    Protection(String vaultSku, String keyType) {
        this.vaultSku = vaultSku;
        this.keyType = keyType;
    }

    /** The vault's SKU name, as ARM spells it. */
    public String vaultSku() {
        return vaultSku;
    }

    /** The key type, as Key Vault spells it. */
    public String keyType() {
        return keyType;
    }
}
