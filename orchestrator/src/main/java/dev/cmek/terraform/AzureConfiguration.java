package dev.cmek.terraform;

import static dev.cmek.terraform.Hcl.call;
import static dev.cmek.terraform.Hcl.raw;
import static dev.cmek.terraform.Hcl.str;

import dev.cmek.azure.AzureCmekRequest;
import dev.cmek.azure.AzureResource;
import dev.cmek.azure.KeyUri;
import dev.cmek.azure.ProvisionResult;
import dev.cmek.core.Change;
import dev.cmek.model.KeyType;
import dev.cmek.workflow.AzureKeys;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * {@code DIR/azure}: what {@code cmek provision} makes on Azure for one cluster, for the {@code hashicorp/azurerm} and
 * {@code hashicorp/azuread} providers: the cluster app's service principal in the tenant, the resource group (when cmek
 * makes it), a vault per region (RBAC, soft delete, purge protection) with its RSA key and rotation policy, and the
 * role assignment on each key (only that assignment on a key the customer brings). Names, tags, the role, the
 * assignment's name, scope and description are the {@code azure} adapter's, and each assignment's scope and name are
 * read from provision's own plan. With {@code importing}, an {@code import} block for each of them that exists.
 */
final class AzureConfiguration extends CloudConfiguration {
    /** The provider major versions these files are written for. */
    static final String AZURERM_VERSION = "~> 4.0";

    static final String AZUREAD_VERSION = "~> 3.0";

    static final String PRINCIPAL = "azuread_service_principal.cluster";
    static final String GROUP = "azurerm_resource_group.cmek";

    private final AzureCmekRequest request;
    private final ProvisionResult plan;
    /** Each region's role assignment id (scope + /providers/Microsoft.Authorization/roleAssignments/name). */
    private final Map<String, String> assignments = new LinkedHashMap<>();

    AzureConfiguration(AzureKeys.Adoption adoption, boolean importing) {
        super(importing);
        this.request = adoption.request();
        this.plan = adoption.plan();
        for (Change c : plan.changes()) {
            if (c.type() == AzureResource.ROLE_ASSIGNMENT) {
                assignments.put(c.region(), c.resource());
            }
        }
        findExisting();
    }

    @Override
    String directory() {
        return "azure";
    }

    @Override
    List<TerraformFiles.Provider> providers() {
        return List.of(
                new TerraformFiles.Provider("azurerm", "hashicorp/azurerm", AZURERM_VERSION),
                new TerraformFiles.Provider("azuread", "hashicorp/azuread", AZUREAD_VERSION));
    }

    /** The versioned key of each region whose key exists: CockroachDB takes a versioned URI. */
    @Override
    Map<String, String> keyUris() {
        Map<String, String> out = new LinkedHashMap<>();
        plan.keys().forEach((region, key) -> {
            if (key.versioned()) {
                out.put(region, key.value());
            }
        });
        return out;
    }

    @Override
    void providerBlocks(Hcl.Body file) {
        file.comment("Credentials come from the environment (ARM_CLIENT_ID, az login, a managed identity, ...): never");
        file.comment("write them in a file.");
        file.block("provider", List.of("azurerm"), p -> {
            p.attr("subscription_id", request.subscriptionId()).attr("tenant_id", request.tenantId());
            p.blank();
            p.block(
                    "features",
                    f -> f.block("key_vault", k -> {
                        k.comment("Purge protection refuses a purge anyway: a purged key is data lost for good.");
                        k.attr("purge_soft_delete_on_destroy", raw("false"))
                                .attr("purge_soft_deleted_keys_on_destroy", raw("false"));
                    }));
        });
        file.blank();
        file.block("provider", List.of("azuread"), p -> p.attr("tenant_id", request.tenantId()));
    }

    @Override
    void variables(Hcl.Body file) {
        TerraformFiles.extraTagsVariable(
                file,
                "extra_tags",
                "Tags your organization requires on every resource group, vault and key, added to cmek's"
                        + " own (which win: cmek finds its resources by them).");
    }

    @Override
    void main(Hcl.Body file) {
        file.comment("What `cmek provision --cluster " + request.clusterId() + "` makes, with its names, tags and");
        file.comment("role assignments: `cmek provision` over it creates nothing, and verify, revoke, restore, rotate");
        file.comment("and audit work on it unchanged.");
        file.blank();
        file.comment("CockroachDB's app for the cluster, in your tenant (what an administrator's consent makes).");
        file.block(
                "resource",
                List.of("azuread_service_principal", "cluster"),
                s -> s.attr("client_id", request.clusterAppId()));
        if (managesGroup()) {
            file.blank();
            file.block("resource", List.of("azurerm_resource_group", "cmek"), g -> {
                g.attr("name", request.resourceGroup())
                        .attr("location", request.homeRegion())
                        .attr("tags", tags(request.resourceGroupTags()));
                g.blank();
                g.block("lifecycle", l -> {
                    l.comment("Never destroyed: it holds the vaults, and with them the keys.");
                    l.attr("prevent_destroy", raw("true"));
                });
            });
        }
        for (String region : request.regions()) {
            Optional<KeyUri> brought = request.broughtKeyOf(region);
            if (brought.isPresent()) {
                file.blank();
                file.comment("Your key " + brought.get().unversioned() + " (" + region + "): only cmek's role");
                file.comment("assignment on it is managed here; the key and its vault stay yours.");
                assignment(file, region, Optional.empty());
            } else {
                ourKey(file, region);
            }
        }
    }

    private void ourKey(Hcl.Body file, String region) {
        String label = AwsConfiguration.label(region);
        file.blank();
        file.block("resource", List.of("azurerm_key_vault", label), v -> {
            v.attr("name", request.vaultNameOf(region))
                    .attr("location", region)
                    .attr("resource_group_name", managesGroup() ? raw(GROUP + ".name") : str(request.resourceGroup()))
                    .attr("tenant_id", request.tenantId())
                    .attr("sku_name", request.protection().vaultSku());
            v.comment("Role assignments, not access policies, grant the keys.");
            v.attr("enable_rbac_authorization", raw("true"))
                    .attr("purge_protection_enabled", raw("true"))
                    .attr(
                            "soft_delete_retention_days",
                            raw(Integer.toString(AzureCmekRequest.VAULT_SOFT_DELETE_RETENTION_DAYS)))
                    .attr("public_network_access_enabled", raw("true"))
                    .attr("tags", tags(request.vaultTags(region)));
            v.blank();
            v.block("lifecycle", l -> l.attr("prevent_destroy", raw("true")));
        });
        file.blank();
        KeyUri key = request.keyOf(region, 1);
        file.block("resource", List.of("azurerm_key_vault_key", label), k -> {
            k.attr("name", key.keyName())
                    .attr("key_vault_id", raw("azurerm_key_vault." + label + ".id"))
                    .attr("key_type", request.protection().keyType())
                    .attr("key_size", raw(Integer.toString(AzureCmekRequest.KEY_SIZE)))
                    .attr(
                            "key_opts",
                            new Hcl.Tuple(AzureCmekRequest.KEY_OPERATIONS.stream()
                                    .map(Hcl::str)
                                    .map(Hcl.Expr.class::cast)
                                    .toList()))
                    .attr("tags", tags(request.keyTags(region)));
            if (request.rotation().automatic()) {
                k.blank();
                k.comment("A new version every period, and none expires: CockroachDB uses the version it was given.");
                k.block(
                        "rotation_policy",
                        r -> r.block(
                                "automatic",
                                a -> a.attr(
                                        "time_after_creation",
                                        request.rotation().timeAfterCreate())));
            }
            k.blank();
            k.block("lifecycle", l -> {
                l.comment("Never destroyed: a deleted key is data lost for good, CockroachDB's included.");
                l.attr("prevent_destroy", raw("true"));
                if (!request.rotation().automatic()) {
                    l.comment("--no-auto-rotation: a key that rotates keeps rotating (nothing turns it off).");
                    l.attr("ignore_changes", raw("[rotation_policy]"));
                }
            });
        });
        assignment(file, region, Optional.of(label));
    }

    /**
     * The region's role assignment, under the name and at the scope provision's plan gives (the key, or its vault with
     * {@code --azure-crypto-officer}); after the key it grants when the key is ours.
     */
    private void assignment(Hcl.Body file, String region, Optional<String> ourKey) {
        String id = assignments.get(region);
        String marker = "/providers/Microsoft.Authorization/roleAssignments/";
        String scope = id.substring(0, id.lastIndexOf(marker));
        String name = id.substring(id.lastIndexOf(marker) + marker.length());
        file.blank();
        file.block("resource", List.of("azurerm_role_assignment", assignmentLabel(region)), a -> {
            a.attr("name", name)
                    .attr("scope", scope)
                    .attr("role_definition_id", request.roleDefinitionId())
                    .attr("principal_id", raw(PRINCIPAL + ".object_id"))
                    .attr("principal_type", "ServicePrincipal")
                    .attr("description", request.roleAssignmentDescription(region));
            ourKey.ifPresent(label -> a.attr("depends_on", raw("[azurerm_key_vault_key." + label + "]")));
        });
    }

    @Override
    void outputs(Hcl.Body file) {
        file.block(
                "output",
                List.of("auth_principal"),
                o -> o.attr("description", "Your tenant: every region's key spec names it.")
                        .attr("value", request.tenantId()));
        file.blank();
        Map<String, Hcl.Expr> uris = new LinkedHashMap<>();
        for (String region : request.regions()) {
            uris.put(
                    region,
                    request.broughtKeyOf(region).isPresent()
                            ? str(plan.keyOf(region).value())
                            : raw("azurerm_key_vault_key." + AwsConfiguration.label(region) + ".id"));
        }
        file.block(
                "output",
                List.of("key_uris"),
                o -> o.attr(
                                "description",
                                "The key of each cluster region, with its current version"
                                        + " (https://VAULT.vault.azure.net/keys/KEY/VERSION).")
                        .attr("value", Hcl.Obj.of(uris)));
        file.blank();
        TerraformFiles.cmekRegionsOutput(file, KeyType.AZURE_KEY_VAULT, uris, str(request.tenantId()));
    }

    /**
     * Import ids as the providers take them: ARM ids for the group, vaults and assignments, a key's versioned id, and
     * {@code /servicePrincipals/OBJECT_ID}. What exists is read from provision's plan: found, ours, and not BLOCKED.
     */
    private void findExisting() {
        plan.servicePrincipalId().ifPresent(id -> existing.put(PRINCIPAL, "/servicePrincipals/" + id));
        if (managesGroup() && exists(AzureResource.RESOURCE_GROUP, request.resourceGroupId())) {
            existing.put(GROUP, request.resourceGroupId());
        }
        for (String region : request.regions()) {
            String label = AwsConfiguration.label(region);
            if (request.broughtKeyOf(region).isEmpty()) {
                if (exists(AzureResource.KEY_VAULT, request.vaultIdOf(region))) {
                    existing.put("azurerm_key_vault." + label, request.vaultIdOf(region));
                }
                KeyUri key = plan.keyOf(region);
                if (key.versioned()) {
                    existing.put("azurerm_key_vault_key." + label, key.value());
                }
            }
            if (exists(AzureResource.ROLE_ASSIGNMENT, assignments.get(region))) {
                existing.put("azurerm_role_assignment." + assignmentLabel(region), assignments.get(region));
            }
        }
    }

    /** Whether cmek makes the resource group: its own, or one named that does not exist yet (made with its tags). */
    private boolean managesGroup() {
        boolean needed =
                request.regions().stream().anyMatch(r -> request.broughtKeyOf(r).isEmpty());
        return needed
                && (!request.resourceGroupNamed()
                        || plan.changes().stream()
                                .anyMatch(c -> c.type() == AzureResource.RESOURCE_GROUP
                                        && c.action() == Change.Action.WOULD_CREATE));
    }

    private boolean exists(AzureResource type, String resource) {
        return plan.changes().stream()
                .anyMatch(c -> c.type() == type
                        && c.resource().equalsIgnoreCase(resource)
                        && c.action() != Change.Action.WOULD_CREATE
                        && c.action() != Change.Action.BLOCKED);
    }

    private static Hcl.Expr tags(Map<String, String> ours) {
        return call("merge", raw("var.extra_tags"), Hcl.strings(new TreeMap<>(ours)));
    }

    private String assignmentLabel(String region) {
        String label = AwsConfiguration.label(region);
        return request.broughtKeyOf(region).isPresent() ? "yours_" + label : label;
    }
}
