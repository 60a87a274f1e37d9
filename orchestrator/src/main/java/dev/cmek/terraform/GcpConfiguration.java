package dev.cmek.terraform;

import static dev.cmek.terraform.Hcl.call;
import static dev.cmek.terraform.Hcl.raw;
import static dev.cmek.terraform.Hcl.str;

import com.google.cloud.kms.v1.CryptoKey;
import com.google.cloud.kms.v1.CryptoKeyName;
import com.google.cloud.kms.v1.KeyRingName;
import dev.cmek.core.Change;
import dev.cmek.gcp.CmekNames;
import dev.cmek.gcp.GcpCmekRequest;
import dev.cmek.gcp.GcpResource;
import dev.cmek.gcp.Grant;
import dev.cmek.gcp.Member;
import dev.cmek.gcp.ServiceAccountEmail;
import dev.cmek.model.KeyType;
import dev.cmek.workflow.GcpKeys;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code DIR/gcp}: what {@code cmek provision} makes on GCP for one cluster, for the {@code hashicorp/google} provider:
 * the service account CockroachDB impersonates and its one binding, a key ring and crypto key per location with their
 * rotation and labels, and the encrypter/decrypter binding on each key (only that binding on a key the customer
 * brings), every name, label and role taken from the {@code gcp} adapter. Both bindings are {@code *_iam_member}
 * resources: each adds one member and keeps every other binding, as provision does. With {@code importing}, an
 * {@code import} block for each of them that exists.
 */
final class GcpConfiguration extends CloudConfiguration {
    /** The provider major version these files are written for. */
    static final String PROVIDER_VERSION = "~> 6.0";

    static final String ACCOUNT = "google_service_account.cmek";
    static final String TOKEN_CREATOR = "google_service_account_iam_member.cockroach_token_creator";

    private final GcpCmekRequest request;
    private final List<Change> changes;
    private final ServiceAccountEmail account;
    /** Each key with the regions it serves, in the order of the cluster's regions. */
    private final Map<CryptoKeyName, List<String>> keys = new LinkedHashMap<>();

    GcpConfiguration(GcpKeys.Adoption adoption, boolean importing) {
        super(importing);
        this.request = adoption.request();
        this.changes = adoption.plan().changes();
        this.account = request.serviceAccountEmail();
        for (String region : request.regions()) {
            keys.computeIfAbsent(request.keyNameOf(region, 1), k -> new ArrayList<>())
                    .add(region);
        }
        findExisting();
    }

    @Override
    String directory() {
        return "gcp";
    }

    @Override
    List<TerraformFiles.Provider> providers() {
        return List.of(new TerraformFiles.Provider("google", "hashicorp/google", PROVIDER_VERSION));
    }

    @Override
    void providerBlocks(Hcl.Body file) {
        file.block("provider", List.of("google"), p -> p.attr("project", request.customerProject()));
    }

    /** Every region's: crypto key names are known before the keys exist. */
    @Override
    Map<String, String> keyUris() {
        Map<String, String> out = new LinkedHashMap<>();
        keys.forEach((name, regions) -> regions.forEach(r -> out.put(r, name.toString())));
        return out;
    }

    @Override
    void variables(Hcl.Body file) {
        TerraformFiles.extraTagsVariable(
                file,
                "extra_labels",
                "Labels your organization requires on every key, added to cmek's own (which win: cmek finds"
                        + " its keys by them).");
    }

    @Override
    void main(Hcl.Body file) {
        file.comment("What `cmek provision --cluster " + request.clusterId() + "` makes, with its names, labels and");
        file.comment("roles: `cmek provision` over it creates nothing, and verify, revoke, restore, rotate and audit");
        file.comment("work on it unchanged.");
        file.blank();
        file.block(
                "resource",
                List.of("google_service_account", "cmek"),
                a -> a.attr("project", request.customerProject())
                        .attr("account_id", account.accountId())
                        .attr("display_name", CmekNames.serviceAccountDisplayName(request.clusterId()))
                        .attr("description", CmekNames.serviceAccountDescription(request.clusterId())));
        file.blank();
        Grant tokenCreator = request.tokenCreatorGrant();
        file.comment("CockroachDB's identity for the cluster may impersonate the account: the one grant on it.");
        file.block(
                "resource",
                List.of("google_service_account_iam_member", "cockroach_token_creator"),
                m -> m.attr("service_account_id", raw(ACCOUNT + ".name"))
                        .attr("role", tokenCreator.role())
                        .attr("member", tokenCreator.member().value()));
        keys.forEach((name, regions) -> {
            if (request.existingKeys().containsValue(name)) {
                broughtKey(file, name, regions);
            } else {
                ourKey(file, name);
            }
        });
    }

    private void ourKey(Hcl.Body file, CryptoKeyName name) {
        String label = label(name);
        CryptoKey template = request.cryptoKeyToCreate();
        file.blank();
        file.block(
                "resource",
                List.of("google_kms_key_ring", label),
                r -> r.attr("project", name.getProject())
                        .attr("name", name.getKeyRing())
                        .attr("location", name.getLocation()));
        file.blank();
        file.block("resource", List.of("google_kms_crypto_key", label), k -> {
            k.attr("name", name.getCryptoKey())
                    .attr("key_ring", raw("google_kms_key_ring." + label + ".id"))
                    .attr("purpose", template.getPurpose().name());
            if (template.hasRotationPeriod()) {
                k.attr("rotation_period", template.getRotationPeriod().getSeconds() + "s");
            }
            k.attr(
                    "labels",
                    call("merge", raw("var.extra_labels"), Hcl.strings(new TreeMap<>(template.getLabelsMap()))));
            k.blank();
            k.block(
                    "version_template",
                    v -> v.attr(
                                    "algorithm",
                                    template.getVersionTemplate().getAlgorithm().name())
                            .attr(
                                    "protection_level",
                                    template.getVersionTemplate()
                                            .getProtectionLevel()
                                            .name()));
            k.blank();
            k.block("lifecycle", l -> {
                l.comment("Never destroyed: a destroyed key version is data lost for good, CockroachDB's included.");
                l.attr("prevent_destroy", raw("true"));
                if (!template.hasRotationPeriod()) {
                    l.comment("--no-auto-rotation: a key that rotates keeps rotating (nothing turns it off).");
                    l.attr("ignore_changes", raw("[rotation_period]"));
                }
            });
        });
        file.blank();
        keyBinding(file, label, raw("google_kms_crypto_key." + label + ".id"));
    }

    private void broughtKey(Hcl.Body file, CryptoKeyName name, List<String> regions) {
        file.blank();
        file.comment("Your key " + name + " (" + String.join(", ", regions) + "):");
        file.comment("only cmek's grant on it is managed here; the key and its other bindings stay yours.");
        keyBinding(file, label(name), str(name.toString()));
    }

    private void keyBinding(Hcl.Body file, String label, Hcl.Expr key) {
        Grant grant = request.keyGrant();
        file.block(
                "resource",
                List.of("google_kms_crypto_key_iam_member", label),
                m -> m.attr("crypto_key_id", key).attr("role", grant.role()).attr("member", member(grant)));
    }

    /** The service account as a member, as a reference to it (so Terraform makes the account first). */
    private Hcl.Expr member(Grant grant) {
        return grant.member().equals(Member.serviceAccount(account))
                ? raw(ACCOUNT + ".member")
                : str(grant.member().value());
    }

    @Override
    void outputs(Hcl.Body file) {
        file.block(
                "output",
                List.of("auth_principal"),
                o -> o.attr(
                                "description",
                                "The service account CockroachDB impersonates; every region's key spec names it.")
                        .attr("value", raw(ACCOUNT + ".email")));
        file.blank();
        Map<String, Hcl.Expr> uris = new LinkedHashMap<>();
        keys.forEach((name, regions) -> regions.forEach(r -> uris.put(
                r,
                request.existingKeys().containsValue(name)
                        ? str(name.toString())
                        : raw("google_kms_crypto_key." + label(name) + ".id"))));
        file.block(
                "output",
                List.of("key_uris"),
                o -> o.attr("description", "The crypto key of each cluster region (projects/.../cryptoKeys/KEY).")
                        .attr("value", Hcl.Obj.of(uris)));
        file.blank();
        TerraformFiles.cmekRegionsOutput(file, KeyType.GCP_CLOUD_KMS, uris, raw(ACCOUNT + ".email"));
    }

    /**
     * Import ids as the provider documents them: a service account and a key ring by resource name, a crypto key by its
     * name, an IAM member by "resource role member" with a crypto key as {@code project/location/ring/key}
     * (https://registry.terraform.io/providers/hashicorp/google/latest/docs/resources/kms_crypto_key_iam#import).
     * What exists is read from provision's plan: UNCHANGED is found and ours.
     */
    private void findExisting() {
        if (exists(GcpResource.SERVICE_ACCOUNT, account.value())) {
            existing.put(ACCOUNT, account.resourceName());
        }
        if (exists(GcpResource.SERVICE_ACCOUNT_POLICY, account.value())) {
            Grant g = request.tokenCreatorGrant();
            existing.put(
                    TOKEN_CREATOR,
                    account.resourceName() + " " + g.role() + " " + g.member().value());
        }
        keys.forEach((name, regions) -> {
            String label = label(name);
            boolean brought = request.existingKeys().containsValue(name);
            boolean key = exists(GcpResource.CRYPTO_KEY, name.toString());
            KeyRingName ring = KeyRingName.of(name.getProject(), name.getLocation(), name.getKeyRing());
            if (!brought && (key || exists(GcpResource.KEY_RING, ring.toString()))) {
                existing.put("google_kms_key_ring." + label, ring.toString());
            }
            if (!brought && key) {
                existing.put("google_kms_crypto_key." + label, name.toString());
            }
            if (exists(GcpResource.CRYPTO_KEY_POLICY, name.toString())) {
                Grant g = request.keyGrant();
                existing.put(
                        "google_kms_crypto_key_iam_member." + label,
                        String.join("/", name.getProject(), name.getLocation(), name.getKeyRing(), name.getCryptoKey())
                                + " " + g.role() + " " + g.member().value());
            }
        });
    }

    private boolean exists(GcpResource type, String resource) {
        return changes.stream()
                .anyMatch(c ->
                        c.type() == type && c.resource().equals(resource) && c.action() == Change.Action.UNCHANGED);
    }

    /** Our keys by location (one ring and key per location); a brought key by the first region it serves. */
    private String label(CryptoKeyName name) {
        if (request.existingKeys().containsValue(name)) {
            return "yours_" + AwsConfiguration.label(keys.get(name).get(0));
        }
        return AwsConfiguration.label(name.getLocation());
    }
}
