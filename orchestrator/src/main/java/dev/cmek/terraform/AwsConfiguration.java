package dev.cmek.terraform;

import static dev.cmek.terraform.Hcl.call;
import static dev.cmek.terraform.Hcl.raw;
import static dev.cmek.terraform.Hcl.str;

import dev.cmek.aws.AwsCmekRequest;
import dev.cmek.aws.AwsResource;
import dev.cmek.aws.KeyArn;
import dev.cmek.aws.KeyPlacement;
import dev.cmek.aws.KeyPolicyGrant;
import dev.cmek.aws.PolicyDocument;
import dev.cmek.aws.ResourceNames;
import dev.cmek.aws.RoleArn;
import dev.cmek.aws.RotationPolicy;
import dev.cmek.core.Change;
import dev.cmek.model.KeyType;
import dev.cmek.workflow.AwsKeys;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.model.KeySpec;
import software.amazon.awssdk.services.kms.model.KeyUsageType;

/**
 * {@code DIR/aws}: what {@code cmek provision} makes on AWS for one cluster, for the {@code hashicorp/aws} provider: the
 * cross-account role, a key per region through a provider per region (or the multi-Region key and its replicas, or the
 * policies of the keys the customer brings), rotation and aliases, every name, tag, statement id and policy taken from
 * the {@code aws} adapter. With {@code importing}, an {@code import} block for each of them that exists.
 */
final class AwsConfiguration extends CloudConfiguration {
    /** The provider these files are written for (the version this toolkit's tests apply them with). */
    static final String PROVIDER_VERSION = "~> 5.100";

    static final String ROLE = "aws_iam_role.cmek";

    private final AwsKeys.Adoption adoption;
    private final AwsCmekRequest request;
    private final ResourceNames names;
    private final RoleArn role;

    AwsConfiguration(AwsKeys.Adoption adoption, boolean importing) {
        super(importing);
        this.adoption = adoption;
        this.request = adoption.request();
        this.names = request.names();
        this.role = adoption.plan().role();
        findExisting();
    }

    /**
     * Import ids as the provider documents them (internal/service/iam/role.go, kms/key.go, kms/replica_key.go,
     * kms/alias.go, kms/key_policy.go): the role's name, a key's id, an alias's name.
     */
    private void findExisting() {
        boolean roleExists = adoption.plan().changes().stream()
                .anyMatch(c -> c.type() == AwsResource.ROLE && c.action() != Change.Action.WOULD_CREATE);
        if (roleExists) {
            existing.put(ROLE, names.roleName());
        }
        if (request.placement() instanceof KeyPlacement.Existing brought) {
            Set<KeyArn> seen = new LinkedHashSet<>();
            for (String region : regionIds()) {
                KeyArn key = brought.keysByRegion().get(region);
                if (seen.add(key)) {
                    existing.put("aws_kms_key_policy." + label(region), key.keyId());
                }
            }
            return;
        }
        for (String region : regionIds()) {
            KeyArn live = adoption.plan().keys().get(region);
            if (live != null) {
                existing.put(keyAddress(region), live.keyId());
            }
            if (adoption.aliased().contains(region)) {
                existing.put("aws_kms_alias." + label(region), names.alias(request.generation()));
            }
        }
    }

    @Override
    String directory() {
        return "aws";
    }

    @Override
    List<TerraformFiles.Provider> providers() {
        return List.of(new TerraformFiles.Provider("aws", "hashicorp/aws", PROVIDER_VERSION));
    }

    /** The keys that exist (a key made on apply gets its ARN then). */
    @Override
    Map<String, String> keyUris() {
        Map<String, String> out = new LinkedHashMap<>();
        adoption.plan().keys().forEach((region, key) -> out.put(region, key.value()));
        return out;
    }

    /** One provider per Region the configuration works in: IAM is global and goes through the first. */
    @Override
    void providerBlocks(Hcl.Body file) {
        boolean first = true;
        for (String region : providerRegions()) {
            if (!first) {
                file.blank();
            }
            if (first) {
                file.comment("One provider per Region; each runs only in the account cmek exported for (the account");
                file.comment("its key policies' administration statement names).");
            }
            first = false;
            file.block(
                    "provider",
                    List.of("aws"),
                    p -> p.attr("alias", providerAlias(region))
                            .attr("region", region)
                            .attr(
                                    "allowed_account_ids",
                                    new Hcl.Tuple(List.of(str(role.account().value())))));
        }
    }

    @Override
    void variables(Hcl.Body file) {
        TerraformFiles.extraTagsVariable(
                file,
                "extra_tags",
                "Tags your organization requires on every resource, added to cmek's own (which win: cmek"
                        + " finds its role and keys by them).");
    }

    @Override
    void main(Hcl.Body file) {
        file.comment("What `cmek provision --cluster " + names.clusterId() + "` makes, with its names, tags and");
        file.comment(
                "statement ids: `cmek provision` over it creates nothing, and verify, revoke, restore, rotate and");
        file.comment("audit work on it unchanged.");
        file.blank();
        file.block("resource", List.of("aws_iam_role", "cmek"), r -> {
            r.attr("provider", raw(providerRef(firstRegion())))
                    .attr("name", names.roleName())
                    .attr("description", names.roleDescription());
            r.comment("Only the cluster's account, and only with the organization id as external id (the");
            r.comment("confused-deputy guard: https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html).");
            r.comment("No permission policy: the keys' policies say what the role may do.");
            r.attr(
                    "assume_role_policy",
                    jsonencode(request.trustPolicy(role.partition()).document()));
            r.attr("tags", tags(names.roleTags(regionIds())));
        });
        if (request.placement() instanceof KeyPlacement.Existing existing) {
            existingKeys(file, existing);
        } else {
            ourKeys(file, request.placement() instanceof KeyPlacement.MultiRegion);
        }
    }

    private void ourKeys(Hcl.Body file, boolean multiRegion) {
        String primary = firstRegion();
        for (String region : regionIds()) {
            boolean replica = multiRegion && !region.equals(primary);
            KeyArn live = adoption.plan().keys().get(region);
            String type = replica ? "aws_kms_replica_key" : "aws_kms_key";
            file.blank();
            if (replica) {
                file.comment("A replica of the multi-Region key: its rotation is its primary's.");
            }
            file.block("resource", List.of(type, label(region)), k -> {
                k.attr("provider", raw(providerRef(region)))
                        .attr("description", names.keyDescription(request.generation()));
                if (replica) {
                    k.attr("primary_key_arn", raw("aws_kms_key." + label(primary) + ".arn"));
                } else {
                    k.attr("key_usage", KeyUsageType.ENCRYPT_DECRYPT.toString())
                            .attr("customer_master_key_spec", KeySpec.SYMMETRIC_DEFAULT.toString())
                            .attr("multi_region", raw(Boolean.toString(multiRegion)));
                    rotation(k, request.rotation());
                }
                k.comment(
                        "The account's administration, and the cluster's role granted exactly what CockroachDB uses.");
                k.attr("policy", jsonencode(live == null ? newKeyPolicy() : policyOf(live)));
                k.attr("tags", tags(names.keyTags(request.generation())));
                k.blank();
                k.block("lifecycle", l -> {
                    l.comment("Never destroyed: a deleted key is data lost for good, CockroachDB's included.");
                    l.attr("prevent_destroy", raw("true"));
                    if (replica) {
                        l.comment("Read only when the replica is made or deleted, and left unset when one is imported");
                        l.comment("(internal/service/kms/replica_key.go): without this an adopted replica shows a");
                        l.comment("change that changes nothing.");
                        l.attr("ignore_changes", raw("[bypass_policy_lockout_safety_check, deletion_window_in_days]"));
                    } else if (!request.rotation().automatic()) {
                        l.comment("--no-auto-rotation: a key that rotates keeps rotating (nothing turns it off).");
                        l.attr("ignore_changes", raw("[enable_key_rotation, rotation_period_in_days]"));
                    }
                });
            });
            file.blank();
            file.block(
                    "resource",
                    List.of("aws_kms_alias", label(region)),
                    a -> a.attr("provider", raw(providerRef(region)))
                            .attr("name", names.alias(request.generation()))
                            .attr("target_key_id", raw(keyAddress(region) + ".key_id")));
        }
    }

    /**
     * Keys the customer brings: cmek only adds its grant statement to their policies. A key policy is one document in
     * Terraform, so each holds the key's whole policy as it was read at export, with the grant added.
     */
    private void existingKeys(Hcl.Body file, KeyPlacement.Existing existing) {
        Set<KeyArn> done = new LinkedHashSet<>();
        for (String region : regionIds()) {
            KeyArn key = existing.keysByRegion().get(region);
            if (!done.add(key)) {
                continue;
            }
            String label = label(region);
            file.blank();
            file.comment("Your key " + key);
            file.comment("Only its policy is managed here, as read at export with the cluster's grant added: keep");
            file.comment("your own statements in this document from now on.");
            file.block("resource", List.of("aws_kms_key_policy", label), p -> {
                p.attr("provider", raw(providerRef(key.region().id())))
                        .attr("key_id", key.keyId())
                        .attr("policy", jsonencode(policyOf(key)));
                p.blank();
                p.block("lifecycle", l -> {
                    l.comment("Destroying it puts the key's default policy back (internal/service/kms/key_policy.go),");
                    l.comment("dropping your own statements with the grant.");
                    l.attr("prevent_destroy", raw("true"));
                });
            });
        }
    }

    @Override
    void outputs(Hcl.Body file) {
        file.block(
                "output",
                List.of("auth_principal"),
                o -> o.attr("description", "The role CockroachDB assumes; every region's key spec names it.")
                        .attr("value", raw(ROLE + ".arn")));
        file.blank();
        Map<String, Hcl.Expr> uris = new LinkedHashMap<>();
        regionIds().forEach(r -> uris.put(r, keyUri(r)));
        file.block(
                "output",
                List.of("key_uris"),
                o -> o.attr("description", "The key ARN of each cluster region.")
                        .attr("value", Hcl.Obj.of(uris)));
        file.blank();
        TerraformFiles.cmekRegionsOutput(file, KeyType.AWS_KMS, uris, raw(ROLE + ".arn"));
    }

    private Hcl.Expr keyUri(String region) {
        if (request.placement() instanceof KeyPlacement.Existing existing) {
            return str(existing.keysByRegion().get(region).value());
        }
        return raw(keyAddress(region) + ".arn");
    }

    /** Our key of a Region: the key, or in a multi-Region placement the primary and its replicas. */
    private String keyAddress(String region) {
        boolean replica = request.placement() instanceof KeyPlacement.MultiRegion && !region.equals(firstRegion());
        return (replica ? "aws_kms_replica_key." : "aws_kms_key.") + label(region);
    }

    private static void rotation(Hcl.Body key, RotationPolicy rotation) {
        key.attr("enable_key_rotation", raw(Boolean.toString(rotation.automatic())));
        if (rotation.automatic()) {
            key.attr("rotation_period_in_days", raw(Integer.toString(rotation.periodInDays())));
        }
    }

    /** The policy a key made now starts with, as provision makes it. */
    private PolicyDocument newKeyPolicy() {
        return new KeyPolicyGrant(names.grantSid(), role).newKeyPolicy(role.account());
    }

    private PolicyDocument policyOf(KeyArn key) {
        PolicyDocument policy = adoption.keyPolicies().get(key);
        if (policy == null) {
            throw new IllegalStateException("no policy read for existing key " + key);
        }
        return policy;
    }

    /** The document as HCL, with the role's ARN as a reference to the role (which Terraform then makes first). */
    private Hcl.Expr jsonencode(PolicyDocument document) {
        try {
            return call(
                    "jsonencode",
                    Hcl.json(TerraformFiles.JSON.readTree(document.json()), Map.of(role.value(), raw(ROLE + ".arn"))));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a policy document that is not JSON", e);
        }
    }

    private static Hcl.Expr tags(Map<String, String> ours) {
        return call("merge", raw("var.extra_tags"), Hcl.strings(new TreeMap<>(ours)));
    }

    private List<String> regionIds() {
        return request.regions().stream().map(Region::id).toList();
    }

    private String firstRegion() {
        return regionIds().get(0);
    }

    /** The cluster's Regions, then any other Region a brought key lives in. */
    private List<String> providerRegions() {
        Set<String> out = new LinkedHashSet<>(regionIds());
        if (request.placement() instanceof KeyPlacement.Existing existing) {
            existing.keysByRegion().values().forEach(k -> out.add(k.region().id()));
        }
        return List.copyOf(out);
    }

    static String label(String region) {
        return region.replace('-', '_');
    }

    private static String providerAlias(String region) {
        return label(region);
    }

    private static String providerRef(String region) {
        return "aws." + providerAlias(region);
    }
}
