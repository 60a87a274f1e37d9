package dev.cmek.azure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What to provision for one cluster, in plain inputs checked once: the cluster and its app, the customer's tenant,
 * subscription and resource group, the regions, how keys are protected and rotated, and the keys the customer brings.
 *
 * @param clusterAppId the cluster's {@code azure_cluster_identity_client_id}: the client id of CockroachDB's app for it
 * @param resourceGroup where our vaults live: named by the user, or {@link CmekNames#resourceGroup} (made by us, in the
 *     first region)
 * @param resourceGroupNamed whether the user named the group (then it need not carry our tags)
 * @param existingKeys keys the customer brings, per region: only the role assignment is added to them
 * @param broaderRole grant Key Vault Crypto Officer on the vault (what CockroachDB's docs ask for) instead of Key Vault
 *     Crypto User on the key
 * @param vaultPrefix the first part of our vault names ({@code crdb} unless the derived name is taken)
 * @param propagationBound how long provisioning waits for Azure's documented propagation (a new principal reaching
 *     ARM, a new vault's DNS)
 */
public record AzureCmekRequest(
        ClusterId clusterId,
        String clusterAppId,
        String tenantId,
        String subscriptionId,
        String resourceGroup,
        boolean resourceGroupNamed,
        List<String> regions,
        Protection protection,
        RotationSchedule rotation,
        Map<String, KeyUri> existingKeys,
        boolean broaderRole,
        String vaultPrefix,
        Duration propagationBound) {
    /** As the other adapters': directory and RBAC changes usually settle within a minute or two. */
    public static final Duration DEFAULT_PROPAGATION_BOUND = Duration.ofMinutes(2);

    /** Azure region names: {@code eastus}, {@code centralindia}, {@code germanywestcentral}. */
    static final Pattern REGION = Pattern.compile("[a-z][a-z0-9]{2,39}");
    /** https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules#microsoftresources */
    static final Pattern RESOURCE_GROUP = Pattern.compile("[-\\w._()]{0,89}[-\\w_()]");

    static final Pattern VAULT_PREFIX = Pattern.compile("[a-z][a-z0-9]{0," + (CmekNames.MAX_VAULT_PREFIX - 1) + "}");

    public AzureCmekRequest {
        Objects.requireNonNull(clusterId, "clusterId");
        clusterAppId = Guid.require(clusterAppId, "The cluster's azure_cluster_identity_client_id");
        tenantId = Guid.require(tenantId, "The tenant id (--azure-tenant)");
        subscriptionId = Guid.require(subscriptionId, "The subscription id (--azure-subscription)");
        if (resourceGroup == null || !RESOURCE_GROUP.matcher(resourceGroup).matches()) {
            throw new InvalidInputException("The resource group (--azure-resource-group) must be 1-90 letters, digits,"
                    + " '-', '_', '.', '(' or ')', not ending with '.', got " + resourceGroup);
        }
        regions = List.copyOf(regions);
        if (regions.isEmpty()) {
            throw new InvalidInputException("At least one region is required");
        }
        if (new HashSet<>(regions).size() != regions.size()) {
            throw new InvalidInputException("Duplicate regions: " + regions);
        }
        for (String r : regions) {
            if (r == null || !REGION.matcher(r).matches()) {
                throw new InvalidInputException(
                        "Not an Azure region name (lower-case letters and digits, such as eastus or centralindia): "
                                + r);
            }
        }
        Objects.requireNonNull(protection, "protection");
        Objects.requireNonNull(rotation, "rotation");
        existingKeys = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(existingKeys));
        for (String r : existingKeys.keySet()) {
            if (!regions.contains(r)) {
                throw new InvalidInputException("--existing-key names region " + r
                        + ", which the cluster does not have; its regions: " + regions);
            }
        }
        if (vaultPrefix == null || !VAULT_PREFIX.matcher(vaultPrefix).matches()) {
            throw new InvalidInputException("The vault name prefix (--azure-vault-prefix) must be 1-"
                    + CmekNames.MAX_VAULT_PREFIX + " lower-case letters and digits, starting with a letter, got "
                    + vaultPrefix);
        }
        Set<String> vaults = new HashSet<>();
        for (String r : regions) {
            if (!vaults.add(CmekNames.vaultName(vaultPrefix, clusterId, r))) {
                throw new InvalidInputException(
                        "Regions " + regions + " derive the same vault name; give another" + " --azure-vault-prefix");
            }
        }
        if (propagationBound == null || propagationBound.isNegative()) {
            throw new InvalidInputException("The propagation bound must be zero or more, got " + propagationBound);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Our vault for a region (whether or not the region brings its own key). */
    public String vaultNameOf(String region) {
        return CmekNames.vaultName(vaultPrefix, clusterId, region);
    }

    /** The key a region uses at this generation: the one brought for it (generation 1), else ours in our vault. */
    public KeyUri keyOf(String region, int generation) {
        KeyUri brought = existingKeys.get(region);
        if (brought != null && generation == 1) {
            return brought;
        }
        return KeyUri.of(vaultNameOf(region), CmekNames.keyName(generation));
    }

    /** The key brought for a region, if any. */
    public Optional<KeyUri> broughtKeyOf(String region) {
        return Optional.ofNullable(existingKeys.get(region));
    }

    /** The first region, where a resource group we make lives. */
    String homeRegion() {
        return regions.get(0);
    }

    /** The role the cluster's service principal gets. */
    BuiltInRole role() {
        return broaderRole ? BuiltInRole.KEY_VAULT_CRYPTO_OFFICER : BuiltInRole.KEY_VAULT_CRYPTO_USER;
    }

    /** Builds a request with defaults: our resource group, software keys, yearly rotation, least privilege. */
    public static final class Builder {
        private ClusterId clusterId;
        private String clusterAppId;
        private String tenantId;
        private String subscriptionId;
        private String resourceGroup;
        private final List<String> regions = new ArrayList<>();
        private Protection protection = Protection.SOFTWARE;
        private RotationSchedule rotation = RotationSchedule.defaults();
        private final Map<String, KeyUri> existingKeys = new LinkedHashMap<>();
        private boolean broaderRole;
        private String vaultPrefix = CmekNames.DEFAULT_VAULT_PREFIX;
        private Duration propagationBound = DEFAULT_PROPAGATION_BOUND;

        public Builder clusterId(String v) {
            clusterId = ClusterId.of(v);
            return this;
        }

        public Builder clusterId(ClusterId v) {
            clusterId = v;
            return this;
        }

        /** The cluster's {@code azure_cluster_identity_client_id}, from the Cloud API. */
        public Builder clusterAppId(String v) {
            clusterAppId = v;
            return this;
        }

        /** The customer's tenant: the key spec's {@code auth_principal}. */
        public Builder tenantId(String v) {
            tenantId = v;
            return this;
        }

        public Builder subscriptionId(String v) {
            subscriptionId = v;
            return this;
        }

        /** A resource group of the customer's to hold our vaults (made with our tags when it does not exist). */
        public Builder resourceGroup(String v) {
            resourceGroup = v;
            return this;
        }

        public Builder regions(List<String> v) {
            regions.clear();
            regions.addAll(v);
            return this;
        }

        public Builder region(String v) {
            regions.add(v);
            return this;
        }

        public Builder protection(Protection v) {
            protection = v;
            return this;
        }

        public Builder rotation(RotationSchedule v) {
            rotation = v;
            return this;
        }

        public Builder existingKey(String region, KeyUri key) {
            existingKeys.put(region, key);
            return this;
        }

        /** Key Vault Crypto Officer on the vault, as CockroachDB's docs ask, instead of Crypto User on the key. */
        public Builder broaderRole(boolean v) {
            broaderRole = v;
            return this;
        }

        public Builder vaultPrefix(String v) {
            vaultPrefix = v;
            return this;
        }

        public Builder propagationBound(Duration v) {
            propagationBound = v;
            return this;
        }

        public AzureCmekRequest build() {
            Objects.requireNonNull(clusterId, "clusterId");
            boolean named = resourceGroup != null && !resourceGroup.isBlank();
            return new AzureCmekRequest(
                    clusterId,
                    clusterAppId,
                    tenantId,
                    subscriptionId,
                    named ? resourceGroup.strip() : CmekNames.resourceGroup(clusterId),
                    named,
                    regions,
                    protection,
                    rotation,
                    existingKeys,
                    broaderRole,
                    vaultPrefix,
                    propagationBound);
        }
    }
}
