package dev.cmek.model;

import dev.cmek.CmekException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The shape rules a key spec must follow before it is worth sending to CockroachDB. Each rule answers with a
 * one-line, specific explanation of what is wrong and what was expected.
 */
public final class KeySpecRules {

    // https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#key-id-key-ARN
    private static final Pattern AWS_KEY_ARN =
            Pattern.compile("arn:aws(?:-cn|-us-gov)?:kms:[a-z]{2}(?:-[a-z]+)+-\\d+:\\d{12}:key/"
                    + "(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})");
    private static final Pattern AWS_ALIAS_ARN = Pattern.compile("arn:aws(?:-cn|-us-gov)?:kms:[^:]*:\\d{12}:alias/.*");
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns
    private static final Pattern AWS_ROLE_ARN =
            Pattern.compile("arn:aws(?:-cn|-us-gov)?:iam::\\d{12}:role/(?:[\\x21-\\x7E&&[^/]]+/)*[\\w+=,.@-]{1,64}");
    // https://cloud.google.com/kms/docs/resource-hierarchy#retrieve_resource_id
    private static final Pattern GCP_KEY_NAME = Pattern.compile(
            "projects/[a-z][a-z0-9.:-]{4,61}[a-z0-9]/locations/[a-z0-9-]+/keyRings/[A-Za-z0-9_-]{1,63}/cryptoKeys/[A-Za-z0-9_-]{1,63}");
    private static final Pattern GCP_KEY_VERSION = Pattern.compile(".*/cryptoKeys/[^/]+/cryptoKeyVersions/[^/]*");
    // https://cloud.google.com/iam/docs/service-accounts-create#creating
    private static final Pattern GCP_SERVICE_ACCOUNT = Pattern.compile(
            "[a-z][a-z0-9-]{4,28}[a-z0-9]@[a-z][a-z0-9.:-]{4,61}[a-z0-9]\\.iam\\.gserviceaccount\\.com");
    // https://learn.microsoft.com/azure/key-vault/general/about-keys-secrets-certificates#object-identifiers
    private static final Pattern AZURE_KEY_URL = Pattern.compile(
            "https://[A-Za-z0-9-]{3,24}\\.vault\\.azure\\.net/keys/[A-Za-z0-9-]{1,127}(/[0-9a-f]{32})?");
    private static final Pattern GUID =
            Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    // AWS us-east-1, GCP us-central1, Azure eastus or germanywestcentral: lower-case letters, digits and hyphens.
    private static final Pattern REGION = Pattern.compile("[a-z][a-z0-9-]{1,40}[a-z0-9]");

    private KeySpecRules() {}

    /** Why this region name cannot be a cloud region, or empty when it can. */
    public static Optional<String> checkRegion(String region) {
        if (region.isBlank()) {
            return Optional.of("empty (expected a region name such as us-east-1)");
        }
        if (!REGION.matcher(region).matches()) {
            return Optional.of(
                    quote(region) + " is not a cloud region name (expected e.g. us-east-1, us-central1 or eastus)");
        }
        return Optional.empty();
    }

    /**
     * Why an AWS key spec cannot serve {@code region}: its key ARN names another region. Empty for a key in that
     * region, and for every other key type (a GCP key may live in any location: global, us, or the region).
     *
     * <p>Our default, stricter than CockroachDB's AWS page ("You can provide the same key for all your cluster regions,
     * a different key per region, or any mapping of keys to regions you may choose",
     * https://www.cockroachlabs.com/docs/cockroachcloud/cmek-ops-aws): a key in the region it serves keeps a region's
     * nodes working when another AWS region is down, and a key ARN pasted for the wrong region is the likelier case.
     * {@code --aws-cross-region-keys} lifts it for the user who means it.
     */
    public static Optional<String> checkRegionMatch(String region, KeySpec spec) {
        if (spec.type() != KeyType.AWS_KMS) {
            return Optional.empty();
        }
        String[] parts = spec.uri().split(":", 6);
        if (parts.length < 6 || !parts[0].equals("arn") || parts[3].isEmpty() || parts[3].equals(region)) {
            return Optional.empty();
        }
        return Optional.of("uri " + quote(spec.uri()) + " is a key in " + parts[3] + ", not in " + region
                + " (use the key ARN, or the multi-region replica ARN, in " + region
                + "; or pass --aws-cross-region-keys if this region is meant to depend on " + parts[3] + ")");
    }

    /**
     * Throws a one-line {@link CmekException.InvalidInput} for the first AWS key spec of {@code manifest} whose key ARN
     * names another region than the one it serves, unless {@code allowCrossRegionKeys}.
     */
    public static void checkRegionsMatch(Manifest manifest, boolean allowCrossRegionKeys) {
        if (allowCrossRegionKeys) {
            return;
        }
        for (RegionSpec spec : manifest.regionSpecs()) {
            checkRegionMatch(spec.region(), spec.keySpec()).ifPresent(problem -> {
                throw new CmekException.InvalidInput("region " + spec.region() + ": " + problem);
            });
        }
    }

    /** Why this key spec is malformed, or empty when its uri and principal have the shape its type needs. */
    public static Optional<String> check(KeySpec spec) {
        return switch (spec.type()) {
            case AWS_KMS -> checkAws(spec);
            case GCP_CLOUD_KMS -> checkGcp(spec);
            case AZURE_KEY_VAULT -> checkAzure(spec);
            case NULL_KMS ->
                Optional.of("type NULL_KMS is CockroachDB's internal test type; use AWS_KMS, GCP_CLOUD_KMS or"
                        + " AZURE_KEY_VAULT");
            case UNRECOGNIZED -> Optional.of("type is not one of AWS_KMS, GCP_CLOUD_KMS, AZURE_KEY_VAULT");
        };
    }

    private static Optional<String> checkAws(KeySpec spec) {
        String uri = spec.uri();
        if (AWS_ALIAS_ARN.matcher(uri).matches()) {
            return Optional.of("uri " + quote(uri)
                    + " is an alias ARN; CockroachDB needs the key ARN (arn:aws:kms:<region>:<account>:key/<key-id>)");
        }
        if (!AWS_KEY_ARN.matcher(uri).matches()) {
            return Optional.of("uri " + quote(uri)
                    + " is not a KMS key ARN (expected arn:aws:kms:<region>:<account>:key/<key-id or mrk-id>)");
        }
        if (!AWS_ROLE_ARN.matcher(spec.authPrincipal()).matches()) {
            return Optional.of("auth_principal " + quote(spec.authPrincipal())
                    + " is not an IAM role ARN (expected arn:aws:iam::<account>:role/<name>)");
        }
        return Optional.empty();
    }

    private static Optional<String> checkGcp(KeySpec spec) {
        String uri = spec.uri();
        if (GCP_KEY_VERSION.matcher(uri).matches()) {
            return Optional.of("uri " + quote(uri)
                    + " names a key version; CockroachDB needs the crypto key itself (drop /cryptoKeyVersions/...)");
        }
        if (!GCP_KEY_NAME.matcher(uri).matches()) {
            return Optional.of(
                    "uri " + quote(uri)
                            + " is not a Cloud KMS key name (expected projects/<project>/locations/<location>/keyRings/<ring>/cryptoKeys/<key>)");
        }
        String principal = spec.authPrincipal();
        if (principal.startsWith("serviceAccount:")) {
            return Optional.of("auth_principal " + quote(principal)
                    + " must be the bare service account email, without the serviceAccount: prefix");
        }
        if (!GCP_SERVICE_ACCOUNT.matcher(principal).matches()) {
            return Optional.of("auth_principal " + quote(principal)
                    + " is not a service account email (expected <name>@<project>.iam.gserviceaccount.com)");
        }
        return Optional.empty();
    }

    private static Optional<String> checkAzure(KeySpec spec) {
        java.util.regex.Matcher uri = AZURE_KEY_URL.matcher(spec.uri());
        if (!uri.matches()) {
            return Optional.of("uri " + quote(spec.uri()) + " is not an Azure Key Vault key identifier (expected"
                    + " https://<vault>.vault.azure.net/keys/<name>/<version>)");
        }
        // CockroachDB wraps with exactly the version named: an unversioned URI would leave which one to chance.
        if (uri.group(1) == null) {
            return Optional.of("uri " + quote(spec.uri()) + " names no key version; CockroachDB needs the versioned"
                    + " identifier https://<vault>.vault.azure.net/keys/<name>/<version>");
        }
        if (!GUID.matcher(spec.authPrincipal()).matches()) {
            return Optional.of("auth_principal " + quote(spec.authPrincipal())
                    + " is not an Azure tenant id (expected a GUID such as 72f988bf-86f1-41af-91ab-2d7cd011db47)");
        }
        return Optional.empty();
    }

    private static String quote(String value) {
        String shown = value.length() > 120 ? value.substring(0, 117) + "..." : value;
        return '"' + shown.replace("\n", "\\n") + '"';
    }
}
