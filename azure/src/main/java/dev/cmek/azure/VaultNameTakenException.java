package dev.cmek.azure;

/**
 * The vault name this toolkit derives for a region is taken by a vault outside the resource group asked for (vault
 * names are global across Azure, and a deleted vault keeps its name until purged): nothing was retried.
 */
public final class VaultNameTakenException extends AzureCmekException {
    private final String vaultName;

    public VaultNameTakenException(String vaultName, String resourceGroup, String region) {
        super("the Key Vault name " + vaultName + " (for region " + region + ") is already taken by a vault outside"
                + " resource group " + resourceGroup + " (names are global, and a deleted vault keeps its name until"
                + " purged; Azure: VaultAlreadyExists): if that vault is this cluster's in another resource group, give"
                + " that group with --azure-resource-group; otherwise give another name prefix with"
                + " --azure-vault-prefix, and run the same command again.");
        this.vaultName = vaultName;
    }

    public String vaultName() {
        return vaultName;
    }
}
